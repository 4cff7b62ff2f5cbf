"""The dashboard's figures, built server-side with plotly and sent as JSON that the page hands to plotly.js
(`Plotly.newPlot`): the page does no data work of its own."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

UP, DOWN, FLAT = "#1a9850", "#d73027", "#888888"
SMA_COLOURS = {"sma_20": "#1f77b4", "sma_50": "#ff7f0e", "sma_200": "#9467bd"}
PATTERN_COLOURS = {"bullish": UP, "bearish": DOWN}


def _layout(fig: go.Figure, height: int = 320, **extra: Any) -> go.Figure:
    extra.setdefault("margin", dict(l=50, r=20, t=30, b=40))
    fig.update_layout(template="plotly_white", height=height, showlegend=extra.pop("showlegend", False), **extra)
    return fig


def to_json(fig: go.Figure) -> str:
    return fig.to_json(validate=False, pretty=False)


def _colour(value: float | None) -> str:
    return FLAT if value is None else UP if value >= 0 else DOWN


def index_changes(indexes: list[dict[str, Any]]) -> go.Figure:
    """Each index's change on the session, its level in the hover."""
    fig = go.Figure(go.Bar(
        x=[row["symbol"] for row in indexes], y=[row["change_pct"] for row in indexes],
        marker_color=[_colour(row["change_pct"]) for row in indexes],
        text=[f"{row['close']:,.2f}" for row in indexes], textposition="outside",
        customdata=[row["name"] or row["symbol"] for row in indexes],
        hovertemplate="%{customdata}<br>level %{text}<br>%{y:+.2f}%<extra></extra>"))
    return _layout(fig, yaxis_title="change %")


def movers(rows: list[dict[str, Any]]) -> go.Figure:
    """The biggest gainers and losers, largest at the top."""
    ordered = sorted(rows, key=lambda row: row["change_pct"])
    fig = go.Figure(go.Bar(
        y=[row["symbol"] for row in ordered], x=[row["change_pct"] for row in ordered], orientation="h",
        marker_color=[_colour(row["change_pct"]) for row in ordered],
        customdata=[[row["close"], row["name"]] for row in ordered],
        hovertemplate="%{y} %{customdata[1]}<br>close %{customdata[0]:,.2f}<br>%{x:+.2f}%<extra></extra>"))
    return _layout(fig, height=max(320, 22 * len(ordered)), xaxis_title="change %")


def sector_heatmap(industries: list[dict[str, Any]], sector_rows: list[dict[str, Any]]) -> go.Figure:
    """Industries inside their sectors, sized by market cap and coloured by the day's cap-weighted return (a
    sector's own tile by the sector's)."""
    sectors: dict[str, float] = {}
    for row in industries:
        sectors[row["sector"]] = sectors.get(row["sector"], 0.0) + (row["market_cap"] or 0.0)
    sector_return = {row["sector"]: row["return_1d"] for row in sector_rows}
    ids = [f"s:{name}" for name in sectors] + [f"i:{row['sector']}:{row['name']}" for row in industries]
    fig = go.Figure(go.Treemap(
        ids=ids, labels=list(sectors) + [row["name"] for row in industries],
        parents=[""] * len(sectors) + [f"s:{row['sector']}" for row in industries],
        values=list(sectors.values()) + [row["market_cap"] or 0.0 for row in industries], branchvalues="total",
        marker=dict(colors=[sector_return.get(name) for name in sectors] + [row["return_1d"] for row in industries],
                    colorscale="RdYlGn", cmid=0, colorbar=dict(title="1d %")),
        customdata=[[sector_return.get(name), sum(r["members"] for r in industries if r["sector"] == name)]
                    for name in sectors] + [[row["return_1d"], row["members"]] for row in industries],
        hovertemplate="%{label}<br>cap %{value:,.3s}<br>1d %{customdata[0]:+.2f}%<br>%{customdata[1]} members"
                      "<extra></extra>"))
    return _layout(fig, height=460, margin=dict(l=5, r=5, t=10, b=5))


def index_pe(valuations: list[dict[str, Any]]) -> go.Figure:
    """Each index's forward P/E, its earnings yield in the hover."""
    rows = [row for row in valuations if row["forward_pe"] is not None]
    fig = go.Figure(go.Bar(
        x=[row["index_code"] for row in rows], y=[row["forward_pe"] for row in rows], marker_color="#4c78a8",
        text=[f"{row['forward_pe']:.1f}x" for row in rows], textposition="outside",
        customdata=[row["earnings_yield"] for row in rows],
        hovertemplate="%{x}<br>forward P/E %{y:.1f}x<br>earnings yield %{customdata:.2f}%<extra></extra>"))
    return _layout(fig, yaxis_title="forward P/E")


def screen_scatter(rows: list[dict[str, Any]]) -> go.Figure:
    """The screened symbols by the day's change and RSI, sized by volume."""
    rows = [row for row in rows if row["change_pct"] is not None and row["rsi_14"] is not None]
    biggest = max((row["volume"] for row in rows), default=1) or 1
    fig = go.Figure(go.Scatter(
        x=[row["rsi_14"] for row in rows], y=[row["change_pct"] for row in rows], mode="markers",
        text=[row["symbol"] for row in rows],
        marker=dict(size=[6 + 18 * (row["volume"] / biggest) ** 0.5 for row in rows],
                    color=[_colour(row["change_pct"]) for row in rows], opacity=0.7),
        hovertemplate="%{text}<br>RSI %{x:.1f}<br>%{y:+.2f}%<extra></extra>"))
    return _layout(fig, xaxis_title="RSI 14", yaxis_title="change %")


def symbol_chart(snapshot: dict[str, Any]) -> go.Figure:
    """Candles with the stored moving averages and Bollinger bands, every detected chart pattern drawn through its
    key points (with breakout level and target), confirmed candlesticks and events marked; volume and RSI below."""
    bars, indicators = snapshot["bars"], snapshot["indicators"]
    fig = make_subplots(rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.03, row_heights=[0.62, 0.18, 0.2])
    days = [bar["session"] for bar in bars]
    fig.add_trace(go.Candlestick(x=days, open=[b["open"] for b in bars], high=[b["high"] for b in bars],
                                 low=[b["low"] for b in bars], close=[b["close"] for b in bars],
                                 name=snapshot["symbol"], increasing_line_color=UP, decreasing_line_color=DOWN),
                  row=1, col=1)
    ind_days = [row["session"] for row in indicators]
    for column, colour in SMA_COLOURS.items():
        if any(row.get(column) is not None for row in indicators):
            fig.add_trace(go.Scatter(x=ind_days, y=[row.get(column) for row in indicators], name=column.upper(),
                                     mode="lines", line=dict(color=colour, width=1.3)), row=1, col=1)
    if any(row.get("bb_upper") is not None for row in indicators):
        for column in ("bb_upper", "bb_lower"):
            fig.add_trace(go.Scatter(x=ind_days, y=[row.get(column) for row in indicators], name=column,
                                     mode="lines", line=dict(color="#aaaaaa", width=1, dash="dot")), row=1, col=1)
    _draw_chart_patterns(fig, snapshot["chart_patterns"], days[0])
    _mark(fig, bars, snapshot["candlestick_patterns"], "pattern", "candlestick", "diamond")
    _mark(fig, bars, snapshot["events"], "event", "event", "triangle-up")
    fig.add_trace(go.Bar(x=days, y=[b["volume"] for b in bars], name="volume",
                         marker_color=[UP if b["close"] >= b["open"] else DOWN for b in bars]), row=2, col=1)
    if any(row.get("rsi_14") is not None for row in indicators):
        fig.add_trace(go.Scatter(x=ind_days, y=[row.get("rsi_14") for row in indicators], name="RSI 14",
                                 mode="lines", line=dict(color="#17becf")), row=3, col=1)
        for level in (30, 70):
            fig.add_hline(y=level, line=dict(color="#cccccc", dash="dash", width=1), row=3, col=1)
    fig.update_xaxes(rangeslider_visible=False, rangebreaks=_closed_days(days))
    fig.update_yaxes(title_text="price", row=1, col=1)
    fig.update_yaxes(title_text="volume", row=2, col=1)
    fig.update_yaxes(title_text="RSI", range=[0, 100], row=3, col=1)
    return _layout(fig, height=640, showlegend=True, legend=dict(orientation="h", y=1.06))


def _closed_days(days: list[str]) -> list[dict[str, Any]]:
    """Weekends and the weekdays without a bar (holidays) left out of the time axis, so candles stay contiguous."""
    if not days:
        return []
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    have = set(days)
    holidays = [(first + dt.timedelta(d)).isoformat() for d in range((last - first).days)
                if (first + dt.timedelta(d)).weekday() < 5 and (first + dt.timedelta(d)).isoformat() not in have]
    return [dict(bounds=["sat", "mon"]), *([dict(values=holidays)] if holidays else [])]


def _draw_chart_patterns(fig: go.Figure, patterns: list[dict[str, Any]], first_day: str) -> None:
    """Each pattern as a line through its key points, its breakout level and target as short dashed segments."""
    for pattern in patterns:
        points = pattern.get("key_points") or []
        colour = PATTERN_COLOURS.get(pattern["direction"], FLAT)
        label = f"{pattern['pattern']} ({pattern['session']})"
        if points:
            fig.add_trace(go.Scatter(x=[p["session"] for p in points], y=[p["price"] for p in points],
                                     mode="lines+markers", name=label, legendgroup=label,
                                     line=dict(color=colour, width=2), marker=dict(size=6),
                                     hovertemplate=f"{label}<br>%{{x}} %{{y:.2f}}<extra></extra>"), row=1, col=1)
        start = max(pattern["start_session"], first_day)
        for level, what in ((pattern["breakout_level"], "breakout"), (pattern.get("target"), "target")):
            if level is not None:
                fig.add_trace(go.Scatter(x=[start, pattern["session"]], y=[level, level], mode="lines",
                                         name=f"{label} {what}", legendgroup=label, showlegend=False,
                                         line=dict(color=colour, width=1, dash="dash" if what == "breakout" else "dot"),
                                         hovertemplate=f"{label} {what} %{{y:.2f}}<extra></extra>"), row=1, col=1)


def _mark(fig: go.Figure, bars: list[dict[str, Any]], rows: list[dict[str, Any]], name: str, kind: str,
          symbol: str) -> None:
    """One marker per detection above (bullish) or below (bearish) its session's bar, named in the hover."""
    by_day = {bar["session"]: bar for bar in bars}
    shown = [row for row in rows if row["session"] in by_day]
    if not shown:
        return
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
    fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=f"{kind}s", text=texts,
                             marker=dict(color=colours, symbol=symbols, size=10, line=dict(width=1, color="#333")),
                             hovertemplate="%{x}<br>%{text}<extra></extra>"), row=1, col=1)


def discovery_counts(rows: list[dict[str, Any]]) -> go.Figure:
    """How many discoveries each pattern made, split by direction."""
    counts = Counter((row["pattern"], row["direction"]) for row in rows)
    patterns = sorted({p for p, _ in counts}, key=lambda p: -sum(n for (q, _), n in counts.items() if q == p))
    fig = go.Figure([go.Bar(x=patterns, y=[counts.get((p, direction), 0) for p in patterns], name=direction,
                            marker_color=PATTERN_COLOURS.get(direction, FLAT))
                     for direction in sorted({d for _, d in counts})])
    return _layout(fig, barmode="stack", showlegend=True, yaxis_title="discoveries")


def muni_probabilities(rows: list[dict[str, Any]]) -> go.Figure:
    """Each scored issuer's 3-year distress probability, riskiest at the top; documents and made-up issuers apart."""
    scored = sorted((row for row in rows if row["probability"] is not None), key=lambda row: row["probability"])
    fig = go.Figure(go.Bar(
        y=[row["issuer_name"] or row["issuer"] for row in scored], x=[row["probability"] * 100 for row in scored],
        orientation="h", marker_color=["#d62728" if row["source"] == "document" else "#9ecae1" for row in scored],
        customdata=[[row["source"], row["bucket"]] for row in scored],
        hovertemplate="%{y}<br>%{x:.2f}% (%{customdata[1]})<br>source: %{customdata[0]}<extra></extra>"))
    return _layout(fig, height=max(320, 18 * len(scored)), xaxis_title="3-year distress probability %",
                   margin=dict(l=260, r=20, t=30, b=40))
