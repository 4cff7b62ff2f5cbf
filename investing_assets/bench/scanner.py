"""Bench: the market scanner's speed targets, and the chart-pattern detector's precision and recall.

Speed, on the demo market (500 symbols, 2,520 sessions from 2010): every detector over the whole history
(< 20 s), one day's scan of all 500 symbols (< 10 s), a 500 x 500 correlation matrix over 60 sessions
(< 1 s). Quality, on the demo's planted formations (recall >= 0.8 for formations of >= 3 ATR and
precision >= 0.8 over every detection on the planted symbols, per family) and on noise: the same symbols with planting off, and independent GARCH random walks (<= 0.2
false detections per symbol-year, per family). A second seed is a holdout: every threshold was chosen on
the default seed. The candlestick trigger rate, raw and confirmed, is printed for information.

Run: python -m investing_assets.bench.scanner
"""

from __future__ import annotations

import time
from collections.abc import Callable

import polars as pl

from investing_assets.bench import Figure
from investing_assets.lib.analytics.candles import candlestick_events, confirmed_candles, trigger_rate
from investing_assets.lib.analytics.chart_patterns import detect_chart_patterns
from investing_assets.lib.analytics.correlations import rolling_correlations
from investing_assets.lib.analytics.events import technical_events
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.analytics.pattern_evaluation import (
    NOISE_TARGET,
    PRECISION_TARGET,
    RECALL_TARGET,
    planted_quality,
    random_walk_quality,
)
from investing_assets.lib.analytics.scanner import scan_day
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource

N_SYMBOLS = 500
N_SESSIONS = 2_520
HOLDOUT_SEED = 7


def _timed(fn: Callable[[], object], repeats: int = 1) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - started)
    return best, out


def _speed(source: DemoSource) -> list[Figure]:
    sessions = calendar.all_sessions()[:N_SESSIONS]
    symbols = source.universe(sessions[-1])["symbol"].to_list()[:N_SYMBOLS]
    bars = source.daily_bars(sessions, symbols)
    shape = f"{N_SYMBOLS} symbols x {N_SESSIONS:,} sessions"
    ind_time, indicators = _timed(lambda: compute_indicators(bars))

    def everything() -> dict[str, object]:
        candles = candlestick_events(bars)
        return {
            "candles": candles,
            "confirmed": confirmed_candles(candles, bars, indicators),
            "charts": detect_chart_patterns(bars),
            "events": technical_events(bars, indicators),
        }

    all_time, found = _timed(everything)
    parts = {k: v.height for k, v in found.items()}
    raw, kept = trigger_rate(found["candles"], bars), trigger_rate(found["confirmed"], bars)
    scan_time, result = _timed(lambda: scan_day(bars, indicators, sessions[-1]), repeats=3)
    corr_bars = bars.filter(pl.col("session") >= sessions[-70])
    sectors = source.universe(sessions[-1]).select("symbol", "sector")
    corr_time, corr = _timed(lambda: rolling_correlations(corr_bars, sectors, sessions[-1], 60), repeats=3)
    return [
        Figure("indicators (input to events and candles, not counted below)", ind_time, "s", "informational", True,
               shape),
        Figure("all candles, chart patterns and events", all_time, "s", "< 20 s", all_time < 20,
               f"{shape}; rows: " + ", ".join(f"{k} {v:,}" for k, v in parts.items())),
        Figure("candle trigger rate, raw", raw, "of bars", "informational (~0.8 expected)", True),
        Figure("candle trigger rate, confirmed", kept, "of bars", "informational", True,
               "reversals after a trend, continuations with it, volume >= 1.2x its 20-day average"),
        Figure("one day's scan", scan_time, "s", "< 10 s", scan_time < 10,
               f"{result.scanned} symbols eligible, {result.discoveries.height} discoveries; best of 3"),
        Figure("500 x 500 correlation over 60 sessions", corr_time, "s", "< 1 s", corr_time < 1,
               f"{len(corr.symbols)} symbols kept; best of 3"),
    ]  # fmt: skip


def quality(seed: int, label: str, per_family: bool) -> list[Figure]:
    """Recall on every planted formation of the seed's history, false rates on its unplanted twin."""
    source = DemoSource(seed)
    result = planted_quality(
        source.planted_patterns(), source.daily_bars, DemoSource(seed, plant_patterns=False).daily_bars
    )
    figures = []
    for row in (r for r in result.recall if per_family or r.family == "all"):
        recall = row.recall_large or 0.0
        figures.append(
            Figure(f"{label} recall >= 3 ATR, {row.family}", recall, "", f">= {RECALL_TARGET}",
                   row.meets_recall_target,
                   f"{row.recalled_large}/{row.planted_large} found; all amplitudes {row.recall or 0:.2f}")
        )  # fmt: skip
        figures.append(
            Figure(f"{label} precision, {row.family}", row.precision or 0.0, "", f">= {PRECISION_TARGET}",
                   row.meets_precision_target,
                   f"every detection on the planted symbols; in planted windows only "
                   f"{row.precision_in_windows or 0:.2f}")
        )  # fmt: skip
    for rate in result.noise if per_family else ():
        figures.append(Figure(f"{label} false detections on noise, {rate.family}", rate.per_symbol_year,
                              "per symbol-year", f"<= {NOISE_TARGET}", rate.meets_target,
                              f"{rate.detections} in {result.symbols} unplanted symbols x {result.sessions:,} "
                              "sessions"))  # fmt: skip
    if not per_family:
        worst = result.worst_noise
        figures.append(Figure(f"{label} false detections on noise, worst family ({worst.family})",
                              worst.per_symbol_year, "per symbol-year", f"<= {NOISE_TARGET}",
                              worst.meets_target))  # fmt: skip
    return figures


def random_walks() -> list[Figure]:
    result = random_walk_quality()
    worst = result.worst_noise
    return [
        Figure(f"random walks: false detections, worst family ({worst.family})", worst.per_symbol_year,
               "per symbol-year", f"<= {NOISE_TARGET}", worst.meets_target,
               f"{result.walks} GARCH walks x {result.sessions:,} sessions; all families together "
               f"{result.all_families:.2f}"),
    ]  # fmt: skip


def bench() -> list[Figure]:
    source = DemoSource()
    return [
        *_speed(source),
        *quality(source.seed, "planted demo", per_family=True),
        *quality(HOLDOUT_SEED, f"holdout seed {HOLDOUT_SEED}", per_family=False),
        *random_walks(),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
