"""PNG charts for the scanner: a technical chart per symbol, the sector correlation heatmap, the day's top
discoveries. matplotlib with the Agg backend (no display, safe in workers); candles are drawn with bars
and vlines because mplfinance is not a dependency.

Sessions are plotted at integer positions (no gaps for weekends and holidays) with dates as tick labels.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import polars as pl  # noqa: E402

UP, DOWN, NEUTRAL = "#2e7d32", "#c62828", "#757575"
DIRECTION_COLOURS = {"bullish": UP, "bearish": DOWN, "neutral": NEUTRAL}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def save_png(png: bytes, path: Path) -> Path:
    """Write a chart where people can open it; the folder is made as needed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return path


def _png(fig: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
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


def _patterns(ax: plt.Axes, patterns: pl.DataFrame, position: dict[dt.date, int]) -> None:
    """Key points joined by a line, the breakout level dashed from the formation's start to a little
    past its detection, the name at the detection."""
    for row in patterns.iter_rows(named=True):
        points = [(position[p["session"]], p["price"]) for p in row["key_points"] if p["session"] in position]
        end = position.get(row["end_session"])
        if not points or end is None:
            continue
        colour = DIRECTION_COLOURS.get(row["direction"], NEUTRAL)
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, "-o", color=colour, linewidth=1.2, markersize=4, alpha=0.9)
        ax.hlines(row["breakout_level"], xs[0], end + 5, colors=colour, linestyles="--", linewidth=1.0)
        ax.annotate(
            row["pattern"].replace("_", " "), (end, row["breakout_level"]), fontsize=7, color=colour,
            xytext=(3, 6 if row["direction"] == "bullish" else -10), textcoords="offset points",
        )  # fmt: skip


def _events(ax: plt.Axes, events: pl.DataFrame, bars: pl.DataFrame, position: dict[dt.date, int]) -> None:
    high = dict(zip(bars["session"].to_list(), bars["high"].to_list(), strict=True))
    low = dict(zip(bars["session"].to_list(), bars["low"].to_list(), strict=True))
    for row in events.iter_rows(named=True):
        x = position.get(row["session"])
        if x is None:
            continue
        if row["direction"] == "bullish":
            ax.plot(x, low[row["session"]] * 0.985, "^", color=UP, markersize=5)
        elif row["direction"] == "bearish":
            ax.plot(x, high[row["session"]] * 1.015, "v", color=DOWN, markersize=5)


def technical_chart(
    bars: pl.DataFrame,
    indicators: pl.DataFrame,
    patterns: pl.DataFrame,
    events: pl.DataFrame | None = None,
    *,
    title: str | None = None,
    sessions: int | None = 250,
) -> bytes:
    """PNG: candles with SMA 50/200 and Bollinger bands, detected patterns (key points, dashed breakout
    level) and event markers; a volume panel; an RSI 14 panel with 70/30 lines. One symbol; the last
    `sessions` bars (None: all)."""
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
        3, 1, figsize=(12, 8), sharex=True, gridspec_kw={"height_ratios": [4, 1, 1.2]}
    )
    price.fill_between(x, ind["bb_lower"].to_numpy(), ind["bb_upper"].to_numpy(), color="#90caf9", alpha=0.25,
                       label="Bollinger 20/2")  # fmt: skip
    _candles(price, bars)
    price.plot(x, ind["sma_50"].to_numpy(), color="#1565c0", linewidth=1.0, label="SMA 50")
    price.plot(x, ind["sma_200"].to_numpy(), color="#ef6c00", linewidth=1.0, label="SMA 200")
    if patterns.height:
        _patterns(price, patterns.filter(pl.col("symbol") == symbol), position)
    if events is not None and events.height:
        _events(price, events.filter(pl.col("symbol") == symbol), bars, position)
    price.set_title(title or f"{symbol} daily", fontsize=11)
    price.legend(loc="upper left", fontsize=7)
    price.grid(alpha=0.2)

    up = (bars["close"] >= bars["open"]).to_numpy()
    volume.bar(x, bars["volume"].to_numpy(), color=np.where(up, UP, DOWN), width=0.7, alpha=0.7)
    volume.set_ylabel("volume", fontsize=8)
    volume.grid(alpha=0.2)

    rsi.plot(x, ind["rsi_14"].to_numpy(), color="#6a1b9a", linewidth=1.0)
    for level in (70, 30):
        rsi.axhline(level, color=NEUTRAL, linestyle=":", linewidth=0.8)
    rsi.set_ylim(0, 100)
    rsi.set_ylabel("RSI 14", fontsize=8)
    rsi.grid(alpha=0.2)
    _date_ticks(rsi, days)
    fig.tight_layout()
    return _png(fig)


def correlation_heatmap(
    matrix: np.ndarray, labels: Sequence[str], *, title: str = "Sector correlations"
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
    fig.tight_layout()
    return _png(fig)


def scan_chart(summary: Sequence[dict], *, title: str = "Top discoveries") -> bytes:
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
    fig.tight_layout()
    return _png(fig)


def sector_valuation_chart(sectors: pl.DataFrame, *, title: str) -> bytes:
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
    fig.tight_layout()
    return _png(fig)
