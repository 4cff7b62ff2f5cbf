"""PNG charts for the scanner: a technical chart per symbol, the sector correlation heatmap, the day's top
discoveries. matplotlib with the Agg backend (no display, safe in workers); candles are drawn with bars
and vlines because mplfinance is not a dependency.

Sessions are plotted at integer positions (no gaps for weekends and holidays) with dates as tick labels.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

UP, DOWN, NEUTRAL = "#2e7d32", "#c62828", "#757575"
DIRECTION_COLOURS = {"bullish": UP, "bearish": DOWN, "neutral": NEUTRAL}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_png(png: bytes, path: Path) -> Path:
    """Write a chart where people can open it; the folder is made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


# Fixed PNG text chunks: the same figure gives the same bytes in every process (Agg is deterministic).
PNG_METADATA = {"Software": "investing-assets"}


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, metadata=PNG_METADATA)
    plt.close(fig)
    return buffer.getvalue()


def _one_symbol(frame: pl.DataFrame, what: str) -> str:
    symbols = frame["symbol"].unique().to_list()
    if len(symbols) != 1:
        raise ValueError(f"{what} must hold exactly one symbol, got {sorted(symbols)[:5]}")
    return symbols[0]


def _date_ticks(ax: plt.Axes, sessions: list[dt.date], count: int = 8) -> None:
    step = max(1, len(sessions) // count)
    ticks = list(range(0, len(sessions), step))
    ax.set_xticks(ticks)
    ax.set_xticklabels([sessions[k].isoformat() for k in ticks], rotation=30, ha="right", fontsize=7)


def _candles(ax: plt.Axes, bars: pl.DataFrame) -> None:
    x = np.arange(bars.height)
    o, h, lo, c = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    colour = np.where(c >= o, UP, DOWN)
    ax.vlines(x, lo, h, colors=colour, linewidth=0.6)
    body = np.maximum(np.abs(c - o), (h - lo).max() * 1e-3)  # a doji still shows as a line
    ax.bar(x, body, bottom=np.minimum(o, c), width=0.7, color=colour, edgecolor=colour, linewidth=0.3)


@dataclass(frozen=True)
class DrawnChart:
    """A technical chart and what is on it, so faces can be compared without pixel diffs.

    `series`: label -> points drawn (non-null values in the shown window); `markers`: label -> markers
    drawn; `legend`: every legend label, all panels."""

    png: bytes
    sessions: tuple[dt.date, ...]
    series: dict[str, int]
    markers: dict[str, int]
    legend: tuple[str, ...]
    data_note: str | None = None  # drawn above the title, e.g. "synthetic: ..." for the demo's data


BOLLINGER_FILL, SMA_50_COLOUR, SMA_200_COLOUR, RSI_COLOUR = "#90caf9", "#1565c0", "#ef6c00", "#6a1b9a"
EVENT_MARKERS = {"bullish": ("^", UP), "bearish": ("v", DOWN), "neutral": ("D", NEUTRAL)}
EVENT_STEP = 0.015  # markers sit this fraction of the price away from the bar, stacked when a session has several


def _patterns(ax: plt.Axes, patterns: pl.DataFrame, position: dict[dt.date, int]) -> dict[str, int]:
    """Key points joined by a line, the breakout level dashed from the formation's start to a little
    past its detection, the name at the detection. Returns the count drawn per direction."""
    drawn = dict.fromkeys(DIRECTION_COLOURS, 0)
    last = max(position.values(), default=0)
    for row in patterns.iter_rows(named=True):
        points = [(position[p["session"]], p["price"]) for p in row["key_points"] if p["session"] in position]
        end = position.get(row["end_session"])
        if not points or end is None:
            continue
        direction = row["direction"] if row["direction"] in DIRECTION_COLOURS else "neutral"
        colour = DIRECTION_COLOURS[direction]
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, "-o", color=colour, linewidth=1.2, markersize=4, alpha=0.9)
        ax.hlines(row["breakout_level"], xs[0], min(end + 5, last), colors=colour, linestyles="--", linewidth=1.0)
        ax.annotate(
            row["pattern"].replace("_", " "), (end, row["breakout_level"]), fontsize=7, color=colour,
            xytext=(3, 6 if direction == "bullish" else -10), textcoords="offset points",
        )  # fmt: skip
        drawn[direction] += 1
    return drawn


def _events(ax: plt.Axes, events: pl.DataFrame, bars: pl.DataFrame, position: dict[dt.date, int]) -> dict[str, int]:
    """A marker per event: bullish below the bar, bearish and neutral above it; several on one session stack
    outwards so none hides another. Returns the count drawn per direction."""
    high = dict(zip(bars["session"].to_list(), bars["high"].to_list(), strict=True))
    low = dict(zip(bars["session"].to_list(), bars["low"].to_list(), strict=True))
    drawn = dict.fromkeys(EVENT_MARKERS, 0)
    stacked: dict[tuple[dt.date, bool], int] = {}
    for row in events.sort("session", "event").iter_rows(named=True):
        x = position.get(row["session"])
        if x is None:
            continue
        direction = row["direction"] if row["direction"] in EVENT_MARKERS else "neutral"
        below = direction == "bullish"
        k = stacked[(row["session"], below)] = stacked.get((row["session"], below), 0) + 1
        y = low[row["session"]] * (1 - EVENT_STEP * k) if below else high[row["session"]] * (1 + EVENT_STEP * k)
        marker, colour = EVENT_MARKERS[direction]
        ax.plot(x, y, marker, color=colour, markersize=5 if marker != "D" else 4)
        drawn[direction] += 1
    return drawn


def _price_legend(drawn_patterns: dict[str, int], drawn_events: dict[str, int]) -> list[Line2D | Patch]:
    """One entry per kind of line and marker on the price panel, always all of them (with their counts),
    so every chart reads the same way."""
    handles: list[Line2D | Patch] = [
        Patch(facecolor=UP, edgecolor=UP, label="candle: close >= open"),
        Patch(facecolor=DOWN, edgecolor=DOWN, label="candle: close < open"),
        Line2D([], [], color=SMA_50_COLOUR, linewidth=1.0, label="SMA 50"),
        Line2D([], [], color=SMA_200_COLOUR, linewidth=1.0, label="SMA 200"),
        Patch(facecolor=BOLLINGER_FILL, alpha=0.4, label="Bollinger 20/2 band"),
    ]
    for direction, count in drawn_patterns.items():
        handles.append(Line2D([], [], color=DIRECTION_COLOURS[direction], marker="o", markersize=4, linewidth=1.2,
                              label=f"{direction} pattern: key points ({count})"))
    handles.append(Line2D([], [], color=NEUTRAL, linestyle="--", linewidth=1.0,
                          label="breakout level, in its pattern's colour"))
    where = {"bullish": "below the bar", "bearish": "above the bar", "neutral": "above the bar"}
    for direction, count in drawn_events.items():
        marker, colour = EVENT_MARKERS[direction]
        handles.append(Line2D([], [], color=colour, marker=marker, linestyle="none", markersize=5,
                              label=f"{direction} event, {where[direction]} ({count})"))
    return handles


def _event_kinds(ax: plt.Axes, events: pl.DataFrame) -> None:
    """Under the legend: which events the markers stand for, with their counts."""
    counts = events.group_by("event").len().sort(["len", "event"], descending=[True, False])
    lines = [f"{row['event'].replace('_', ' ')}: {row['len']}" for row in counts.iter_rows(named=True)]
    ax.text(1.005, 0.0, "events drawn\n" + "\n".join(lines), transform=ax.transAxes, fontsize=7, va="bottom",
            ha="left")


NOTE_COLOUR = "#b71c1c"


def _note(fig: plt.Figure, data_note: str | None) -> None:
    """A line above the chart's own title saying where its data comes from (the demo: "synthetic: ...");
    separate from the title, which says what is drawn."""
    if data_note:
        fig.suptitle(data_note, fontsize=9, color=NOTE_COLOUR)


def _drawn_points(values: np.ndarray) -> int:
    return int(np.isfinite(values.astype(np.float64)).sum())


def technical_chart(
    bars: pl.DataFrame,
    indicators: pl.DataFrame,
    patterns: pl.DataFrame,
    events: pl.DataFrame | None = None,
    *,
    title: str | None = None,
    sessions: int | None = 250,
    basis: str | None = None,
    data_note: str | None = None,
) -> DrawnChart:
    """Candles with SMA 50/200 and Bollinger bands, detected patterns (key points, dashed breakout level)
    and event markers; a volume panel; an RSI 14 panel with 70/30 bands; a legend for all of it. One
    symbol; the last `sessions` bars (None: all). Indicators are drawn as given: the caller reads enough
    history before the window for them to cover it (lib.services.reports). `basis` ("adjusted" / "raw") names
    the prices drawn, in the price panel's legend title and axis label. `data_note`: see _note."""
    symbol = _one_symbol(bars, "bars")
    bars = bars.sort("session")
    if sessions is not None:
        bars = bars.tail(sessions)
    days = bars["session"].to_list()
    position = {d: k for k, d in enumerate(days)}
    ind = (
        bars.select("session")
        .join(indicators.filter(pl.col("symbol") == symbol), on="session", how="left")
        .sort("session")
    )
    x = np.arange(bars.height)
    fig, (price, volume, rsi) = plt.subplots(
        3, 1, figsize=(12, 9), sharex=True, gridspec_kw={"height_ratios": [4, 1, 1.2]}, layout="constrained"
    )
    lines = {name: ind[column].to_numpy().astype(np.float64) for name, column in (
        ("SMA 50", "sma_50"), ("SMA 200", "sma_200"), ("Bollinger upper", "bb_upper"),
        ("Bollinger lower", "bb_lower"), ("RSI 14", "rsi_14"))}  # fmt: skip
    price.fill_between(x, lines["Bollinger lower"], lines["Bollinger upper"], color=BOLLINGER_FILL, alpha=0.25)
    _candles(price, bars)
    price.plot(x, lines["SMA 50"], color=SMA_50_COLOUR, linewidth=1.0)
    price.plot(x, lines["SMA 200"], color=SMA_200_COLOUR, linewidth=1.0)
    drawn_patterns = _patterns(price, patterns.filter(pl.col("symbol") == symbol), position)
    drawn_events = _events(price, events.filter(pl.col("symbol") == symbol), bars, position) if (
        events is not None) else dict.fromkeys(EVENT_MARKERS, 0)  # fmt: skip
    price.set_title(title or f"{symbol} daily", fontsize=11)
    _note(fig, data_note)
    price_handles = _price_legend(drawn_patterns, drawn_events)
    price.legend(handles=price_handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7,
                 title=f"price panel, {basis} prices" if basis else "price panel", title_fontsize=7)
    if basis:
        price.set_ylabel(f"price ({basis})", fontsize=8)
    if sum(drawn_events.values()):
        _event_kinds(price, events.filter((pl.col("symbol") == symbol) & pl.col("session").is_in(days)))
    price.grid(alpha=0.2)

    up = (bars["close"] >= bars["open"]).to_numpy()
    volume.bar(x, bars["volume"].to_numpy(), color=np.where(up, UP, DOWN), width=0.7, alpha=0.7)
    volume.set_ylabel("volume", fontsize=8)
    volume_handles = [Patch(facecolor=UP, alpha=0.7, label="volume, up session"),
                      Patch(facecolor=DOWN, alpha=0.7, label="volume, down session")]
    volume.legend(handles=volume_handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7)
    volume.grid(alpha=0.2)

    rsi.plot(x, lines["RSI 14"], color=RSI_COLOUR, linewidth=1.0)
    rsi.axhline(70, color=DOWN, linestyle=":", linewidth=0.8)
    rsi.axhline(30, color=UP, linestyle=":", linewidth=0.8)
    rsi_handles = [Line2D([], [], color=RSI_COLOUR, linewidth=1.0, label="RSI 14"),
                   Line2D([], [], color=DOWN, linestyle=":", linewidth=0.8, label="overbought 70"),
                   Line2D([], [], color=UP, linestyle=":", linewidth=0.8, label="oversold 30")]
    rsi.legend(handles=rsi_handles, loc="upper left", bbox_to_anchor=(1.005, 1.0), fontsize=7)
    rsi.set_ylim(0, 100)
    rsi.set_ylabel("RSI 14", fontsize=8)
    rsi.grid(alpha=0.2)
    _date_ticks(rsi, days)
    series = {"candles": bars.height, "volume": bars.height, **{k: _drawn_points(v) for k, v in lines.items()}}
    markers = {**{f"{d} pattern": n for d, n in drawn_patterns.items()},
               **{f"{d} event": n for d, n in drawn_events.items()}}
    legend = tuple(h.get_label() for h in (*price_handles, *volume_handles, *rsi_handles))
    if basis:
        legend = (f"{basis} prices", *legend)
    return DrawnChart(_png(fig), tuple(days), series, markers, legend, data_note)


def correlation_heatmap(
    matrix: np.ndarray, labels: Sequence[str], *, title: str = "Sector correlations", data_note: str | None = None
) -> bytes:
    """PNG heatmap on a fixed -1..1 scale (so two days compare), values printed when there is room."""
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.shape != (len(labels), len(labels)):
        raise ValueError(f"matrix is {matrix.shape} but there are {len(labels)} labels")
    size = max(5.0, 0.55 * len(labels) + 2.5)
    fig, ax = plt.subplots(figsize=(size + 1.5, size))
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    ax.set_xticks(range(len(labels)))
    ax.set_yticks(range(len(labels)))
    ax.set_xticklabels(labels, rotation=45, ha="right", fontsize=8)
    ax.set_yticklabels(labels, fontsize=8)
    if len(labels) <= 20:
        for i in range(len(labels)):
            for j in range(len(labels)):
                if np.isfinite(matrix[i, j]):
                    ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if abs(matrix[i, j]) > 0.6 else "black")  # fmt: skip
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    ax.set_title(title, fontsize=11)
    _note(fig, data_note)
    fig.tight_layout()
    return _png(fig)


def scan_chart(summary: Sequence[dict], *, title: str = "Top discoveries", data_note: str | None = None) -> bytes:
    """PNG: horizontal bars of the top discoveries' confidence, coloured by direction, best on top."""
    rows = list(summary)
    height = max(3.0, 0.35 * len(rows) + 1.5)
    fig, ax = plt.subplots(figsize=(9, height))
    if not rows:
        ax.text(0.5, 0.5, "no discoveries", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
    else:
        labels = [f"{r['symbol']}  {str(r['pattern']).replace('_', ' ')} ({r['kind']})" for r in rows]
        values = [float(r["confidence"]) for r in rows]
        colours = [DIRECTION_COLOURS.get(r["direction"], NEUTRAL) for r in rows]
        y = np.arange(len(rows))[::-1]
        ax.barh(y, values, color=colours)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.set_xlim(0, 1)
        ax.set_xlabel("confidence")
        for yy, value in zip(y, values, strict=True):
            ax.text(value + 0.01, yy, f"{value:.2f}", va="center", fontsize=7)
        ax.grid(axis="x", alpha=0.2)
    ax.set_title(title, fontsize=11)
    _note(fig, data_note)
    fig.tight_layout()
    return _png(fig)


def sector_valuation_chart(sectors: pl.DataFrame, *, title: str, data_note: str | None = None) -> bytes:
    """PNG: each sector's forward P/E as a bar (cheapest on top), coloured by its 21-session return."""
    rows = sectors.filter(pl.col("forward_pe").is_not_null()).sort("forward_pe", descending=True)
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.4 * rows.height + 1.5)))
    if rows.height == 0:
        ax.text(0.5, 0.5, "no forward earnings stored", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return _png(fig)
    returns = rows.get_column("return_21d").to_list()
    colours = [NEUTRAL if r is None else UP if r >= 0 else DOWN for r in returns]
    bars = ax.barh(rows.get_column("name").to_list(), rows.get_column("forward_pe").to_numpy(), color=colours)
    for bar, pe, ret in zip(bars, rows.get_column("forward_pe").to_list(), returns, strict=True):
        moved = "n/a" if ret is None else f"{ret:+.1f}%"
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {pe:.1f}x  ({moved} 21d)",
                va="center", fontsize=8)
    ax.set_xlabel("forward P/E (cap / the coming fiscal year's consensus earnings)")
    ax.set_xlim(0, float(rows.get_column("forward_pe").max()) * 1.35)
    ax.set_title(title, fontsize=11)
    _note(fig, data_note)
    fig.tight_layout()
    return _png(fig)
