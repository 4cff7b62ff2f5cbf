"""The dashboard's figures, built server-side as plotly.js figure documents (`{"data": [...], "layout": {...}}`, the
JSON `Plotly.newPlot` takes) and drawn in the page by the plotly.js that ships in the plotly package.

Plain dicts rather than `plotly.graph_objects`: a validated Figure costs about 100 ms to build and encode here,
against well under a millisecond for the same document as a dict, and the pages must stay fast."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from investing_assets.api.responses import json_body

UP, DOWN, FLAT = "#1a9850", "#d73027", "#888888"
SMA_COLOURS = {"sma_20": "#1f77b4", "sma_50": "#ff7f0e", "sma_200": "#9467bd"}
PATTERN_COLOURS = {"bullish": UP, "bearish": DOWN}
# spelled out: plotly.js knows no "RdYlGn" by name (plotly's Python side does), and falls back to its own default
RED_YELLOW_GREEN = [[0.0, "#d73027"], [0.25, "#fc8d59"], [0.5, "#ffffbf"], [0.75, "#91cf60"], [1.0, "#1a9850"]]


Figure = dict[str, Any]
GRID = "#ebf0f8"
AXIS = dict(gridcolor=GRID, zerolinecolor=GRID, automargin=True)


def _figure(traces: list[dict[str, Any]], height: int = 320, **layout: Any) -> Figure:
    """A figure in the look of plotly's 'plotly_white' template (white plot, light grid)."""
    layout.setdefault("margin", dict(l=50, r=20, t=30, b=40))
    layout.setdefault("showlegend", False)
    for axis in ("xaxis", "yaxis"):
        layout[axis] = {**AXIS, **layout.get(axis, {})}
    return {"data": traces, "layout": dict(height=height, paper_bgcolor="white", plot_bgcolor="white",
                                           font=dict(color="#2a3f5f"), hovermode="closest", **layout)}


def to_json(fig: Figure) -> str:
    """Compact JSON, as the API encodes (a NaN is sent as null)."""
    return json_body(fig).decode()


def _colour(value: float | None) -> str:
    return FLAT if value is None else UP if value >= 0 else DOWN


def index_changes(indexes: list[dict[str, Any]]) -> Figure:
    """Each index's change on the session, its level over the bar."""
    return _figure([dict(
        type="bar", x=[row["symbol"] for row in indexes], y=[row["change_pct"] for row in indexes],
        marker=dict(color=[_colour(row["change_pct"]) for row in indexes]),
        text=[f"{row['close']:,.2f}" for row in indexes], textposition="outside", cliponaxis=False,
        customdata=[row["name"] or row["symbol"] for row in indexes],
        hovertemplate="%{customdata}<br>level %{text}<br>%{y:+.2f}%<extra></extra>")],
        yaxis=dict(title=dict(text="change %")))


def movers(rows: list[dict[str, Any]]) -> Figure:
    """The biggest gainers and losers, largest at the top."""
    ordered = sorted(rows, key=lambda row: row["change_pct"])
    return _figure([dict(
        type="bar", orientation="h", y=[row["symbol"] for row in ordered], x=[row["change_pct"] for row in ordered],
        marker=dict(color=[_colour(row["change_pct"]) for row in ordered]),
        customdata=[[row["close"], row["name"]] for row in ordered],
        hovertemplate="%{y} %{customdata[1]}<br>close %{customdata[0]:,.2f}<br>%{x:+.2f}%<extra></extra>")],
        height=max(320, 22 * len(ordered)), xaxis=dict(title=dict(text="change %")),
        yaxis=dict(type="category"))


def sector_heatmap(industries: list[dict[str, Any]], sector_rows: list[dict[str, Any]]) -> Figure:
    """Industries inside their sectors, sized by market cap and coloured by the day's cap-weighted return (a
    sector's own tile by the sector's)."""
    sectors: dict[str, float] = {}
    for row in industries:
        sectors[row["sector"]] = sectors.get(row["sector"], 0.0) + (row["market_cap"] or 0.0)
    sector_return = {row["sector"]: row["return_1d"] for row in sector_rows}
    members = {name: sum(row["members"] for row in industries if row["sector"] == name) for name in sectors}
    return _figure([dict(
        type="treemap", branchvalues="total",
        ids=[f"s:{name}" for name in sectors] + [f"i:{row['sector']}:{row['name']}" for row in industries],
        labels=list(sectors) + [row["name"] for row in industries],
        parents=[""] * len(sectors) + [f"s:{row['sector']}" for row in industries],
        values=list(sectors.values()) + [row["market_cap"] or 0.0 for row in industries],
        marker=dict(colors=[sector_return.get(name) for name in sectors] + [row["return_1d"] for row in industries],
                    colorscale=RED_YELLOW_GREEN, cmid=0, colorbar=dict(title=dict(text="1d %"))),
        customdata=[[sector_return.get(name), members[name]] for name in sectors]
                   + [[row["return_1d"], row["members"]] for row in industries],
        hovertemplate="%{label}<br>cap %{value:,.3s}<br>1d %{customdata[0]:+.2f}%<br>%{customdata[1]} members"
                      "<extra></extra>")], height=460, margin=dict(l=5, r=5, t=10, b=5))


def index_pe(valuations: list[dict[str, Any]]) -> Figure:
    """Each index's forward P/E, its earnings yield in the hover."""
    rows = [row for row in valuations if row["forward_pe"] is not None]
    return _figure([dict(
        type="bar", x=[row["index_code"] for row in rows], y=[row["forward_pe"] for row in rows],
        marker=dict(color="#4c78a8"), text=[f"{row['forward_pe']:.1f}x" for row in rows], textposition="outside",
        cliponaxis=False, customdata=[row["earnings_yield"] for row in rows],
        hovertemplate="%{x}<br>forward P/E %{y:.1f}x<br>earnings yield %{customdata:.2f}%<extra></extra>")],
        yaxis=dict(title=dict(text="forward P/E")))


def screen_scatter(rows: list[dict[str, Any]]) -> Figure:
    """The screened symbols by the day's change and RSI, sized by volume."""
    rows = [row for row in rows if row["change_pct"] is not None and row["rsi_14"] is not None]
    biggest = max((row["volume"] for row in rows), default=1) or 1
    return _figure([dict(
        type="scatter", mode="markers", x=[row["rsi_14"] for row in rows], y=[row["change_pct"] for row in rows],
        text=[row["symbol"] for row in rows],
        marker=dict(size=[6 + 18 * (row["volume"] / biggest) ** 0.5 for row in rows],
                    color=[_colour(row["change_pct"]) for row in rows], opacity=0.7),
        hovertemplate="%{text}<br>RSI %{x:.1f}<br>%{y:+.2f}%<extra></extra>")],
        xaxis=dict(title=dict(text="RSI 14")), yaxis=dict(title=dict(text="change %")))


def symbol_chart(snapshot: dict[str, Any]) -> Figure:
    """Candles with the stored moving averages and Bollinger bands, every detected chart pattern drawn through its
    key points (with breakout level and target), confirmed candlesticks and events marked; volume and RSI below,
    on the same time axis."""
    bars, indicators = snapshot["bars"], snapshot["indicators"]
    days = [bar["session"] for bar in bars]
    traces: list[dict[str, Any]] = [dict(
        type="candlestick", x=days, open=[b["open"] for b in bars], high=[b["high"] for b in bars],
        low=[b["low"] for b in bars], close=[b["close"] for b in bars], name=snapshot["symbol"],
        increasing=dict(line=dict(color=UP)), decreasing=dict(line=dict(color=DOWN)))]
    ind_days = [row["session"] for row in indicators]

    def line(column: str, name: str, **style: Any) -> None:
        if any(row.get(column) is not None for row in indicators):
            traces.append(dict(type="scatter", mode="lines", x=ind_days, y=[row.get(column) for row in indicators],
                               name=name, **style))

    for column, colour in SMA_COLOURS.items():
        line(column, column.upper(), line=dict(color=colour, width=1.3))
    for column in ("bb_upper", "bb_lower"):
        line(column, column, line=dict(color="#aaaaaa", width=1, dash="dot"))
    traces += _chart_patterns(snapshot["chart_patterns"], days[0])
    traces += _marks(bars, snapshot["candlestick_patterns"], "pattern", "candlesticks", "diamond")
    traces += _marks(bars, snapshot["events"], "event", "events", "triangle-up")
    traces.append(dict(type="bar", x=days, y=[b["volume"] for b in bars], name="volume", yaxis="y2",
                       marker=dict(color=[UP if b["close"] >= b["open"] else DOWN for b in bars])))
    line("rsi_14", "RSI 14", yaxis="y3", line=dict(color="#17becf"))
    bands = [dict(type="line", xref="paper", x0=0, x1=1, yref="y3", y0=level, y1=level,
                  line=dict(color="#cccccc", dash="dash", width=1)) for level in (30, 70)]
    return _figure(
        traces, height=640, showlegend=True, legend=dict(orientation="h", y=1.06), shapes=bands,
        xaxis=dict(anchor="y3", rangeslider=dict(visible=False), rangebreaks=_closed_days(days)),
        yaxis=dict(domain=[0.4, 1], title=dict(text="price")),
        yaxis2={**AXIS, "domain": [0.21, 0.38], "title": dict(text="volume")},
        yaxis3={**AXIS, "domain": [0, 0.19], "range": [0, 100], "title": dict(text="RSI")})


def _closed_days(days: list[str]) -> list[dict[str, Any]]:
    """Weekends and the weekdays without a bar (holidays) left out of the time axis, so candles stay contiguous."""
    if not days:
        return []
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    have = set(days)
    holidays = [(first + dt.timedelta(d)).isoformat() for d in range((last - first).days)
                if (first + dt.timedelta(d)).weekday() < 5 and (first + dt.timedelta(d)).isoformat() not in have]
    return [dict(bounds=["sat", "mon"]), *([dict(values=holidays)] if holidays else [])]


def _chart_patterns(patterns: list[dict[str, Any]], first_day: str) -> list[dict[str, Any]]:
    """Each pattern as a line through its key points, its breakout level and target as dashed segments from the
    pattern's start (or the window's) to its detection."""
    traces = []
    for pattern in patterns:
        points = pattern.get("key_points") or []
        colour = PATTERN_COLOURS.get(pattern["direction"], FLAT)
        label = f"{pattern['pattern']} ({pattern['session']})"
        if points:
            traces.append(dict(type="scatter", mode="lines+markers", x=[p["session"] for p in points],
                               y=[p["price"] for p in points], name=label, legendgroup=label,
                               line=dict(color=colour, width=2), marker=dict(size=6),
                               hovertemplate=f"{label}<br>%{{x}} %{{y:.2f}}<extra></extra>"))
        start = max(pattern["start_session"], first_day)
        for level, what in ((pattern["breakout_level"], "breakout"), (pattern.get("target"), "target")):
            if level is not None:
                traces.append(dict(type="scatter", mode="lines", x=[start, pattern["session"]], y=[level, level],
                                   name=f"{label} {what}", legendgroup=label, showlegend=False,
                                   line=dict(color=colour, width=1, dash="dash" if what == "breakout" else "dot"),
                                   hovertemplate=f"{label} {what} %{{y:.2f}}<extra></extra>"))
    return traces


def _marks(bars: list[dict[str, Any]], rows: list[dict[str, Any]], name: str, kind: str,
           symbol: str) -> list[dict[str, Any]]:
    """One marker per detection above (bullish) or below (bearish) its session's bar, named in the hover."""
    by_day = {bar["session"]: bar for bar in bars}
    shown = [row for row in rows if row["session"] in by_day]
    if not shown:
        return []
    stacked: Counter[tuple[str, bool]] = Counter()
    xs, ys, texts, colours, symbols = [], [], [], [], []
    for row in shown:
        bar, bullish = by_day[row["session"]], row["direction"] == "bullish"
        step = stacked[(row["session"], bullish)]
        stacked[(row["session"], bullish)] += 1
        span = bar["high"] - bar["low"] or bar["close"] * 0.01
        xs.append(row["session"])
        ys.append(bar["high"] + span * (0.3 + 0.4 * step) if bullish else bar["low"] - span * (0.3 + 0.4 * step))
        texts.append(f"{row[name]} ({row['direction']})")
        colours.append(PATTERN_COLOURS.get(row["direction"], FLAT))
        symbols.append(symbol if bullish else symbol.replace("-up", "-down"))
    return [dict(type="scatter", mode="markers", x=xs, y=ys, name=kind, text=texts,
                 marker=dict(color=colours, symbol=symbols, size=10, line=dict(width=1, color="#333")),
                 hovertemplate="%{x}<br>%{text}<extra></extra>")]


def discovery_counts(rows: list[dict[str, Any]]) -> Figure:
    """How many discoveries each pattern made, split by direction."""
    counts = Counter((row["pattern"], row["direction"]) for row in rows)
    patterns = sorted({p for p, _ in counts}, key=lambda p: -sum(n for (q, _), n in counts.items() if q == p))
    return _figure([dict(type="bar", x=patterns, y=[counts.get((p, direction), 0) for p in patterns], name=direction,
                         marker=dict(color=PATTERN_COLOURS.get(direction, FLAT)))
                    for direction in sorted({d for _, d in counts})],
                   barmode="stack", showlegend=True, yaxis=dict(title=dict(text="discoveries")))


def muni_probabilities(rows: list[dict[str, Any]]) -> Figure:
    """Each scored issuer's 3-year distress probability, riskiest at the top; documents and made-up issuers apart."""
    scored = sorted((row for row in rows if row["probability"] is not None), key=lambda row: row["probability"])
    return _figure([dict(
        type="bar", orientation="h", y=[row["issuer_name"] or row["issuer"] for row in scored],
        x=[row["probability"] * 100 for row in scored],
        marker=dict(color=["#d62728" if row["source"] == "document" else "#9ecae1" for row in scored]),
        customdata=[[row["source"], row["bucket"]] for row in scored],
        hovertemplate="%{y}<br>%{x:.2f}% (%{customdata[1]})<br>source: %{customdata[0]}<extra></extra>")],
        height=max(320, 18 * len(scored)), xaxis=dict(title=dict(text="3-year distress probability %")),
        yaxis=dict(type="category"), margin=dict(l=260, r=20, t=30, b=40))
