"""Technical indicators for every symbol of a DAILY_BARS frame, computed with TA-Lib.

Two entry points. `indicators_on_windows` is what is stored (technicals.indicators) and what `investing ta`
prints: each (symbol, session) value is TA-Lib called on that symbol's bars from `window_start(session)` (the
session `lookback_sessions()` before the first session of its month) through the session, so a session's values
depend on nothing but that window: not on where a run started, how many sessions it covered, or what was loaded
before. Recursive indicators (EMA, RSI, MACD, ATR, ADX) therefore always start from the same seed, and at least
`lookback_sessions()` bars before it, where the seed weighs less than 1e-8. Because a month's sessions share one
window start and TA-Lib is causal, one pass over the month's last window gives every session of the month its
own window's value bit for bit (a range costs a pass per symbol and month, not per session). OBV is the running
total over the fixed last `window_sessions()` sessions (TA-Lib's OBV, starting at that window's first bar), i.e.
net signed volume of a trading year and some, comparable across sessions and symbols. Where the window holds
fewer bars than an indicator needs (`required_bars`: TA-Lib's lookback, plus the seed's decay for the recursive
ones, and the whole window for OBV), the value is null, never a warm-up number.

`compute_indicators` runs TA-Lib once over each symbol's whole frame; the scanner and the chart reports call it
on a window they fixed themselves (on bars already adjusted by lib.analytics.adjustment). Its warm-up is null
too: a row whose symbol has fewer bars up to it than `required_bars()` gets no value, so a short history never
shows a seed-dependent RSI or ADX.

Prices. `indicators_on_windows` reads raw bars and adjusts each window back from its own session
(lib.analytics.adjustment: adj_close where the source gives it, else the stored corporate actions), so a split or
a dividend inside the window is no price gap, and the stored values are in the session's own price units. A
month whose window holds a split or dividend after its first session is passed over in pieces, one per stretch
between the steps, so no session's window is scaled by a step after it.

Implementation choice: sort once by (symbol, session), take contiguous numpy arrays and loop TA-Lib
over each symbol's slice into preallocated outputs. polars-talib ``.over("symbol")`` gave identical
values at about the same speed on sorted rows but was ~1.3x slower on shuffled rows (its sort), so the
plain loop stays: bit-identical to TA-Lib per symbol by construction.
"""

from __future__ import annotations

import datetime as dt
import inspect
import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import polars as pl
import talib
from talib import abstract

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjustment_steps, relative_factors
from investing_assets.lib.analytics.data_quality import symbol_bounds
from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import DAILY_BARS, INDICATOR_COLUMNS, INDICATORS

# TA-Lib parameters (keyword names as TA-Lib spells them), shared by the loop and lookback_sessions().
_PARAMS: dict[str, dict[str, float | int]] = {
    "sma_20": {"timeperiod": 20},
    "sma_50": {"timeperiod": 50},
    "sma_200": {"timeperiod": 200},
    "ema_12": {"timeperiod": 12},
    "ema_26": {"timeperiod": 26},
    "rsi_14": {"timeperiod": 14},
    "macd": {"fastperiod": 12, "slowperiod": 26, "signalperiod": 9},
    "bbands": {"timeperiod": 20, "nbdevup": 2.0, "nbdevdn": 2.0, "matype": 0},
    "atr_14": {"timeperiod": 14},
    "adx_14": {"timeperiod": 14},
    "obv": {},
    "stoch": {"fastk_period": 14, "slowk_period": 3, "slowk_matype": 0, "slowd_period": 3, "slowd_matype": 0},
}
_FUNCS = {
    "sma_20": "SMA",
    "sma_50": "SMA",
    "sma_200": "SMA",
    "ema_12": "EMA",
    "ema_26": "EMA",
    "rsi_14": "RSI",
    "macd": "MACD",
    "bbands": "BBANDS",
    "atr_14": "ATR",
    "adx_14": "ADX",
    "obv": "OBV",
    "stoch": "STOCH",
}

# Recursive indicators (EMA, MACD, RSI, ATR, ADX) never forget their seed; TA-Lib's lookback only
# says when the first value appears (its "unstable period" defaults to 0). A seed's weight decays
# like (1 - alpha)^n; Wilder smoothing (alpha = 1/14, RSI/ATR/ADX) is the slowest, so wait until it
# is below this tolerance.
_SEED_WEIGHT_TOLERANCE = 1e-8
# A trading year; "fully warmed" never asks for less than this.
_MIN_LOOKBACK = 250
# The most sessions an NYSE month has (23 weekdays, no holiday).
_MONTH_SESSIONS = 23


_RECURSIVE = frozenset({"ema_12", "ema_26", "rsi_14", "macd", "atr_14", "adx_14"})
# Output columns of each TA-Lib function, in INDICATOR_COLUMNS order.
_OUTPUTS = {
    "sma_20": ("sma_20",), "sma_50": ("sma_50",), "sma_200": ("sma_200",), "ema_12": ("ema_12",),
    "ema_26": ("ema_26",), "rsi_14": ("rsi_14",), "macd": ("macd", "macd_signal", "macd_hist"),
    "bbands": ("bb_upper", "bb_middle", "bb_lower"), "atr_14": ("atr_14",), "adx_14": ("adx_14",),
    "obv": ("obv",), "stoch": ("stoch_k", "stoch_d"),
}
# The arrays each function reads (c)lose, (h)igh, (l)ow, (v)olume; default: close only.
_INPUTS = {"atr_14": "hlc", "adx_14": "hlc", "stoch": "hlc", "obv": "cv"}


def _convergence() -> int:
    """Sessions until a Wilder (period 14) seed weighs less than the tolerance: the slowest recursive decay."""
    return math.ceil(math.log(_SEED_WEIGHT_TOLERANCE) / math.log(1.0 - 1.0 / 14.0))


@cache
def _talib_lookback(name: str) -> int:
    func = abstract.Function(_FUNCS[name])
    func.set_parameters(_PARAMS[name])
    return int(func.lookback)


def window_sessions() -> int:
    """Sessions in the fixed window a stored session's OBV sums (the session included): also the fewest a window
    from `window_start` holds (a month's first session)."""
    return lookback_sessions() + 1


def required_bars() -> dict[str, int]:
    """Output column -> bars its window must hold for a value that does not depend on a warm-up."""
    need = {}
    for name, columns in _OUTPUTS.items():
        bars = _talib_lookback(name) + 1 + (_convergence() if name in _RECURSIVE else 0)
        if name == "obv":  # a running total is only comparable over the whole window
            bars = window_sessions()
        need.update(dict.fromkeys(columns, bars))
    return need


def lookback_sessions() -> int:
    """Prior sessions a day needs so every indicator on it is non-null and independent of the seed.

    = max over indicators of TA-Lib's own lookback (abstract API with our parameters; SMA 200 needs
    199, ADX 14 needs 27, MACD 12/26/9 needs 33) plus, for the recursive ones, the sessions until the
    Wilder/EMA seed weighs less than 1e-8 (~249 for period 14), floored at a trading year (250).
    OBV has no warm-up; it is anchored at the window's first bar (see the module docstring).
    """
    # Wilder smoothing with period 14 is the slowest decay among the recursive indicators
    # (EMA 26 has alpha 2/27 > 1/14). ADX smooths twice; measured on random walks its value at this
    # lookback matches full history to ~1e-9 relative.
    need = _MIN_LOOKBACK
    for name in _FUNCS:
        need = max(need, _talib_lookback(name) + (_convergence() if name in _RECURSIVE else 0))
    return int(need)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=INDICATORS)


def _sorted_view(bars: pl.DataFrame) -> pl.DataFrame:
    """The bars needed here, sorted by (symbol, session); skips the sort when already in order. open and adj_close
    ride along when present (the adjustment reads them)."""
    extra = [pl.col(c).cast(pl.Float64) for c in ("open", "adj_close") if c in bars.columns]
    frame = bars.select(
        pl.col("symbol").cast(DAILY_BARS["symbol"]),
        pl.col("session").cast(DAILY_BARS["session"]),
        pl.col("high").cast(pl.Float64),
        pl.col("low").cast(pl.Float64),
        pl.col("close").cast(pl.Float64),
        pl.col("volume").cast(pl.Float64),
        *extra,
    )
    in_order = frame.select(
        (
            (pl.col("symbol") > pl.col("symbol").shift(1))
            | (
                (pl.col("symbol") == pl.col("symbol").shift(1))
                & (pl.col("session") >= pl.col("session").shift(1))
            )
        )
        .slice(1)
        .all()
    ).item()
    has_nulls = frame["symbol"].null_count() > 0 or frame["session"].null_count() > 0
    if in_order and not has_nulls:  # nulls make the comparison null, which `all` ignores
        return frame
    if has_nulls:
        return frame.sort("symbol", "session", nulls_last=True)
    # Sorting on one Int64 key (rank of the symbol among the few distinct ones, then day number)
    # is ~2x faster than polars' (String, Date) multi-column sort on shuffled rows.
    symbols = frame["symbol"].unique().sort()
    rank = frame["symbol"].replace_strict(symbols, pl.int_range(symbols.len(), dtype=pl.Int64, eager=True))
    days = frame["session"].cast(pl.Int32).cast(pl.Int64) + (1 << 31)  # in [0, 2**32)
    return frame.sort(rank * (1 << 32) + days, maintain_order=True)


def _float_arrays(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(close, high, low, volume) as contiguous float64 arrays, in the frame's row order."""
    # to_numpy is zero-copy for null-free Float64; nulls become NaN, which TA-Lib propagates.
    close, high, low, volume = (
        np.ascontiguousarray(frame[c].to_numpy(), dtype=np.float64)
        for c in ("close", "high", "low", "volume")
    )
    return close, high, low, volume


def _talib_into(
    out: dict[str, np.ndarray],
    rows: slice,
    close: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    volume: np.ndarray,
) -> None:
    """Every indicator of one symbol's contiguous `rows`, written into the preallocated `out` arrays."""
    c, h, lo, v = close[rows], high[rows], low[rows], volume[rows]
    p = _PARAMS
    out["sma_20"][rows] = talib.SMA(c, **p["sma_20"])
    out["sma_50"][rows] = talib.SMA(c, **p["sma_50"])
    out["sma_200"][rows] = talib.SMA(c, **p["sma_200"])
    out["ema_12"][rows] = talib.EMA(c, **p["ema_12"])
    out["ema_26"][rows] = talib.EMA(c, **p["ema_26"])
    out["rsi_14"][rows] = talib.RSI(c, **p["rsi_14"])
    out["macd"][rows], out["macd_signal"][rows], out["macd_hist"][rows] = talib.MACD(c, **p["macd"])
    out["bb_upper"][rows], out["bb_middle"][rows], out["bb_lower"][rows] = talib.BBANDS(c, **p["bbands"])
    out["atr_14"][rows] = talib.ATR(h, lo, c, **p["atr_14"])
    out["adx_14"][rows] = talib.ADX(h, lo, c, **p["adx_14"])
    out["obv"][rows] = talib.OBV(c, v)
    out["stoch_k"][rows], out["stoch_d"][rows] = talib.STOCH(h, lo, c, **p["stoch"])


def compute_indicators(bars: pl.DataFrame) -> pl.DataFrame:
    """INDICATORS frame (one row per input bar, sorted by symbol, session) with warm-up rows null.

    Every value equals TA-Lib called on that symbol's own close/high/low/volume arrays (float64,
    ordered by session); symbols never bleed into each other. A row is null where the symbol has fewer than
    `required_bars()` bars up to it (the same rule as the stored values). The bars are used as given: adjust
    them first (lib.analytics.adjustment.adjust_bars).
    """
    missing = [c for c in ("symbol", "session", "high", "low", "close", "volume") if c not in bars.columns]
    if missing:
        raise ValueError(f"bars are missing column(s) {missing}; has {bars.columns}")
    if bars.height == 0:
        return _empty()

    frame = _sorted_view(bars)
    close, high, low, volume = _float_arrays(frame)
    out = {c: np.empty(frame.height, dtype=np.float64) for c in INDICATOR_COLUMNS}
    starts, stops = symbol_bounds(frame)
    need = required_bars()
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        _talib_into(out, slice(start, stop), close, high, low, volume)
        for column, bars_needed in need.items():  # warm-up: null until the symbol has the full lookback
            out[column][start : min(stop, start + bars_needed - 1)] = np.nan

    result = frame.select("symbol", "session").with_columns(
        pl.Series(name, values, dtype=pl.Float64) for name, values in out.items()
    )
    # TA-Lib marks warm-up (and undefined) values with NaN; polars must see null.
    return result.with_columns(pl.col(INDICATOR_COLUMNS).fill_nan(None))


def window_start(session: dt.date) -> dt.date:
    """First session of the window `session`'s stored indicators are computed on: `lookback_sessions()` sessions
    before the first session of its month. Every session of a month shares it, so one TA-Lib pass over a month's
    longest window gives each of its sessions exactly what a pass ending at that session would."""
    month = calendar.sessions_between(session.replace(day=1), session)
    first = month[0] if month else session
    return calendar.sessions_ending(first, lookback_sessions() + 1)[0]


def longest_lookback() -> int:
    """Most sessions a window reaches before its session: the lookback plus the rest of a month (an NYSE month
    has at most 23 sessions); what the asset's partition mapping declares."""
    return lookback_sessions() + _MONTH_SESSIONS - 1



def indicators_on_windows(bars: pl.DataFrame, sessions: Sequence[dt.date], actions: pl.DataFrame | None = None,
                          basis: str = ADJUSTED) -> pl.DataFrame:
    """INDICATORS for the (symbol, session) bars of `sessions`: TA-Lib on that symbol's bars from
    `window_start(session)` through the session (OBV: the last `window_sessions()` sessions), adjusted back from
    the session (`basis`, `actions`: see lib.analytics.adjustment), null where they are fewer than
    `required_bars()`.

    `bars` (raw, as stored) must hold those windows (more is ignored); rows come out sorted by symbol, session.
    """
    missing = [c for c in ("symbol", "session", "high", "low", "close", "volume") if c not in bars.columns]
    if missing:
        raise ValueError(f"bars are missing column(s) {missing}; has {bars.columns}")
    wanted = sorted(set(sessions))
    if bars.height == 0 or not wanted:
        return _empty()
    frame = _sorted_view(bars)
    arrays = {k: np.ascontiguousarray(frame[c].to_numpy(), dtype=np.float64)
              for k, c in (("c", "close"), ("h", "high"), ("l", "low"), ("v", "volume"))}
    # One sortable key per row, (symbol rank, day): a window's first row is a searchsorted away.
    symbol = frame["symbol"]
    rank = np.cumsum((symbol != symbol.shift(1)).fill_null(True).to_numpy()) - 1
    day = frame["session"].cast(pl.Int32).to_numpy().astype(np.int64)
    key = rank * (1 << 32) + day + (1 << 31)
    targets = np.flatnonzero(frame["session"].is_in(wanted).to_numpy())
    target_days = frame["session"].gather(targets)

    def first_rows(first_day: dict[dt.date, dt.date]) -> np.ndarray:
        starts = target_days.replace_strict(first_day, return_dtype=pl.Date).cast(pl.Int32).to_numpy()
        return np.searchsorted(key, rank[targets] * (1 << 32) + starts + (1 << 31))

    lows = first_rows({d: window_start(d) for d in wanted})
    obv_lows = first_rows({d: calendar.sessions_ending(d, window_sessions())[0] for d in wanted})
    steps = adjustment_steps(frame if "open" in frame.columns else frame.with_columns(open=pl.col("close")),
                             actions, basis)
    out = _window_values(arrays, targets, lows, obv_lows, steps)
    result = frame.select("symbol", "session")[targets].with_columns(
        pl.Series(name, values, dtype=pl.Float64) for name, values in out.items()
    )
    return result.with_columns(pl.col(INDICATOR_COLUMNS).fill_nan(None))


def _adjusted_window(series: list[np.ndarray], low: int, row: int,
                     steps: tuple[np.ndarray, np.ndarray]) -> list[np.ndarray]:
    """(close, high, low, volume) of rows [low, row], adjusted back from `row` (as adjust_bars does)."""
    window = [values[low : row + 1] for values in series]
    price_step, volume_step = steps
    if (price_step[low + 1 : row + 1] != 1.0).any():
        factors = relative_factors(price_step, low, row)
        window[:3] = [values * factors for values in window[:3]]
    if (volume_step[low + 1 : row + 1] != 1.0).any():
        window[3] = np.rint(window[3] * relative_factors(volume_step, low, row))
    return window


def _window_groups(targets: np.ndarray, lows: np.ndarray, steps: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Where each group of target rows starts: targets sharing a window start (a symbol's month) with no price or
    volume step between them. Within a group the window of the last target, adjusted back from it, holds every
    earlier target's own window bit for bit (the steps after those targets are exactly 1.0), so one TA-Lib pass
    serves them all; TA-Lib's functions are causal (a value reads nothing after its row)."""
    stepped = np.cumsum((steps[0] != 1.0) | (steps[1] != 1.0))
    breaks = np.ones(targets.size, dtype=bool)
    breaks[1:] = (lows[1:] != lows[:-1]) | (stepped[targets[1:]] != stepped[targets[:-1]])
    return np.flatnonzero(breaks)


def _window_values(arrays: dict[str, np.ndarray], targets: np.ndarray, lows: np.ndarray, obv_lows: np.ndarray,
                   steps: tuple[np.ndarray, np.ndarray]) -> dict[str, np.ndarray]:
    """Each target row's TA-Lib values over rows [low, target], adjusted back from the target (OBV over
    [obv_low, target]); NaN where the window is too short."""
    need = required_bars()
    order = ("c", "h", "l", "v")
    out = {c: np.full(targets.size, np.nan) for c in INDICATOR_COLUMNS}
    if targets.size == 0:
        return out
    # (TA-Lib function, positions of its input arrays, parameters, output arrays, bars it needs); the functions
    # unwrapped from talib's polars/pandas argument check, which costs more than a 300-bar SMA
    specs = [(inspect.unwrap(getattr(talib, _FUNCS[name])), [order.index(i) for i in _INPUTS.get(name, "c")],
              _PARAMS[name], [out[c] for c in columns], need[columns[0]])
             for name, columns in _OUTPUTS.items() if name != "obv"]
    series = [arrays[i] for i in order]
    whole = bool(np.isfinite(series[0]).all() and np.isfinite(series[3]).all()
                 and (series[3] == np.rint(series[3])).all())
    starts = _window_groups(targets, lows, steps)
    for first, stop in zip(starts.tolist(), [*starts[1:].tolist(), targets.size], strict=True):
        low, last = int(lows[first]), int(targets[stop - 1])
        window = _adjusted_window(series, low, last, steps)
        at = targets[first:stop] - low  # each target's row inside the window
        if at[-1] - at[0] == stop - first - 1:  # consecutive sessions (a range): a slice, not a gather
            at = slice(int(at[0]), int(at[-1]) + 1)
        shortest, longest = int(targets[first]) + 1 - low, last + 1 - low  # bars in the targets' own windows
        for func, inputs, params, outputs, bars_needed in specs:
            if longest < bars_needed:
                continue
            values = func(*[window[i] for i in inputs], **params)
            for target, result in zip(outputs, values if len(outputs) > 1 else (values,), strict=True):
                target[first:stop] = result[at]
                if shortest < bars_needed:
                    target[first:stop][targets[first:stop] + 1 - low < bars_needed] = np.nan
        out["obv"][first:stop] = _rolling_obv(window[0], window[3], targets[first:stop] - low,
                                              obv_lows[first:stop] - low, need["obv"], whole)
    return out


def _rolling_obv(close: np.ndarray, volume: np.ndarray, at: np.ndarray, starts: np.ndarray,
                 bars_needed: int, whole: bool) -> np.ndarray:
    """TA-Lib's OBV over rows [start, at] of one window, for each (start, at): the first bar's volume plus the
    signed volumes after it. With finite prices and whole-number volumes (`whole`) float64 sums are exact in any
    order, so a running total's difference equals TA-Lib's own loop; otherwise TA-Lib runs on each window."""
    obv = np.full(at.size, np.nan)
    enough = at + 1 - starts >= bars_needed
    if not enough.any():
        return obv
    if not whole or np.abs(volume).max() * volume.size >= 2.0**53:
        for k in np.flatnonzero(enough).tolist():
            obv[k] = talib.OBV(close[starts[k] : at[k] + 1], volume[starts[k] : at[k] + 1])[-1]
        return obv
    sign = (close[1:] > close[:-1]).astype(np.float64) - (close[1:] < close[:-1])
    total = np.concatenate(([0.0], np.cumsum(sign * volume[1:])))
    obv[enough] = volume[starts[enough]] + (total[at[enough]] - total[starts[enough]])
    return obv
