"""Bench: the stored indicators (indicators_on_windows: every session on its own window, from `window_start`) for
a year of sessions of 200 symbols, vs a plain TA-Lib loop over the same windows of pre-split numpy arrays, one
window per session. indicators_on_windows passes once per symbol and month (a month's sessions share a window
start), so a range costs a fraction of the per-session loop; a daily run is one window either way.

Run: python -m investing_assets.bench.indicators
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import polars as pl
import talib

from investing_assets.bench import Figure
from investing_assets.lib.analytics.indicators import (
    indicators_on_windows,
    longest_lookback,
    required_bars,
    window_sessions,
    window_start,
)
from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import INDICATOR_COLUMNS

N_SYMBOLS = 200
N_TARGETS = 252
LAST_SESSION = calendar.last_session_on_or_before(dt.date(2026, 11, 20))
N_SESSIONS = N_TARGETS + longest_lookback()
TARGET_RATIO = 0.25
REPEATS = 3


def make_bars(n_symbols: int = N_SYMBOLS, n_sessions: int = N_SESSIONS, seed: int = 7) -> pl.DataFrame:
    """DAILY_BARS-shaped random-walk OHLCV, rows in (symbol, session) order, built vectorised."""
    rng = np.random.default_rng(seed)
    shape = (n_symbols, n_sessions)
    start = rng.uniform(5.0, 500.0, size=(n_symbols, 1))
    close = start * np.exp(np.cumsum(rng.normal(0.0, 0.015, size=shape), axis=1))
    open_ = close * np.exp(rng.normal(0.0, 0.004, size=shape))
    high = np.maximum(open_, close) * (1.0 + np.abs(rng.normal(0.0, 0.006, size=shape)))
    low = np.minimum(open_, close) * (1.0 - np.abs(rng.normal(0.0, 0.006, size=shape)))
    volume = rng.integers(10_000, 5_000_000, size=shape, dtype=np.int64)
    symbols = pl.Series("symbol", [f"SYM{i:04d}" for i in range(n_symbols)], dtype=pl.String)
    sessions = np.array(calendar.sessions_ending(LAST_SESSION, n_sessions), dtype="datetime64[D]")
    return pl.DataFrame(
        {
            "symbol": symbols.gather(np.repeat(np.arange(n_symbols), n_sessions)),
            "session": pl.Series("session", np.tile(sessions, n_symbols)).cast(pl.Date),
            "open": open_.ravel(),
            "high": high.ravel(),
            "low": low.ravel(),
            "close": close.ravel(),
            "adj_close": close.ravel(),
            "volume": volume.ravel(),
        }
    )


def split_by_symbol(bars: pl.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """symbol -> (close, high, low, volume) contiguous float64 arrays, session-ordered (not timed)."""
    out = {}
    for (symbol,), part in bars.sort("symbol", "session").partition_by("symbol", as_dict=True).items():
        out[symbol] = tuple(
            np.ascontiguousarray(part[c].to_numpy(), dtype=np.float64)
            for c in ("close", "high", "low", "volume")
        )
    return out


def baseline(
    split: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]], targets: int = N_TARGETS,
) -> dict[str, np.ndarray]:
    """The plain loop: for each symbol and each of its last `targets` bars, the same TA-Lib calls on the bars from
    `window_start` to there (OBV: the last `window_sessions()`), keeping the last value (every symbol has every
    session here, so no null rule is needed: the window satisfies every indicator). Returns symbol -> (targets,
    columns)."""
    sessions = calendar.sessions_ending(LAST_SESSION, N_SESSIONS)
    row_of = {d: k for k, d in enumerate(sessions)}
    result = {}
    for symbol, (close, high, low, volume) in split.items():
        rows = np.empty((targets, len(INDICATOR_COLUMNS)))
        for k, end in enumerate(range(close.size - targets + 1, close.size + 1)):
            first = row_of[window_start(sessions[end - 1])]
            c, h, lo, v = (x[first:end] for x in (close, high, low, volume))
            oc, ov = close[end - window_sessions() : end], volume[end - window_sessions() : end]
            rows[k] = [
                series[-1] for series in (
                    talib.SMA(c, 20),
                    talib.SMA(c, 50),
                    talib.SMA(c, 200),
                    talib.EMA(c, 12),
                    talib.EMA(c, 26),
                    talib.RSI(c, 14),
                    *talib.MACD(c, 12, 26, 9),
                    *talib.BBANDS(c, 20, 2.0, 2.0, 0),
                    talib.ATR(h, lo, c, 14),
                    talib.ADX(h, lo, c, 14),
                    talib.OBV(oc, ov),
                    *talib.STOCH(h, lo, c, 14, 3, 0, 3, 0),
                )
            ]
        result[symbol] = rows
    return result


def _targets(bars: pl.DataFrame) -> list:
    return bars.get_column("session").unique().sort().tail(N_TARGETS).to_list()


def _best_of(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _spot_check(bars: pl.DataFrame, split: dict[str, tuple[np.ndarray, ...]]) -> bool:
    """Same numbers as the baseline on the first and last symbol, and a full window satisfies every indicator."""
    assert max(required_bars().values()) <= window_sessions()
    out = indicators_on_windows(bars, _targets(bars))
    reference = baseline({s: split[s] for s in (min(split), max(split))})
    for symbol, rows in reference.items():
        got = out.filter(pl.col("symbol") == symbol).select(INDICATOR_COLUMNS).to_numpy()
        if not np.array_equal(got, rows, equal_nan=True):
            return False
    return True


def bench() -> list[Figure]:
    bars = make_bars()
    split = split_by_symbol(bars)
    targets = _targets(bars)
    rows = f"{N_SYMBOLS} symbols x {N_TARGETS} sessions, each on its own window"

    base = _best_of(lambda: baseline(split))
    ours = _best_of(lambda: indicators_on_windows(bars, targets))
    ratio = ours / base
    exact = _spot_check(bars, split)
    return [
        Figure("indicators baseline (TA-Lib loop over each window, pre-split numpy)", base, "s", "informational",
               True, rows),
        Figure("indicators_on_windows (polars frame)", ours, "s", "informational", True, rows),
        Figure(
            "indicators_on_windows / baseline",
            ratio,
            "x",
            f"<= {TARGET_RATIO:.2f}x baseline",
            ratio <= TARGET_RATIO,
            f"best of {REPEATS}; values identical to baseline on spot-checked symbols: {exact}",
        ),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
