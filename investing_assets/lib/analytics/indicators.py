"""Technical indicators for every symbol of a DAILY_BARS frame, computed with TA-Lib.

Implementation choice: sort once by (symbol, session), take contiguous numpy arrays and loop TA-Lib
over each symbol's slice into preallocated outputs. polars-talib ``.over("symbol")`` gave identical
values at about the same speed on sorted rows but was ~1.3x slower on shuffled rows (its sort), so the
plain loop stays: bit-identical to TA-Lib per symbol by construction (500 x 2,520 bench: ~1.1x baseline).
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import talib
from talib import abstract

from investing_assets.lib.analytics.data_quality import symbol_bounds
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


def lookback_sessions() -> int:
    """Prior sessions a day needs so every indicator on it is non-null and independent of the seed.

    = max over indicators of TA-Lib's own lookback (abstract API with our parameters; SMA 200 needs
    199, ADX 14 needs 27, MACD 12/26/9 needs 33) plus, for the recursive ones, the sessions until the
    Wilder/EMA seed weighs less than 1e-8 (~249 for period 14), floored at a trading year (250).
    OBV is a running total from a symbol's first bar: it never "warms"; only its changes are comparable.
    """
    recursive = {"ema_12", "ema_26", "rsi_14", "macd", "atr_14", "adx_14"}
    # Wilder smoothing with period 14 is the slowest decay among the recursive indicators
    # (EMA 26 has alpha 2/27 > 1/14). ADX smooths twice; measured on random walks its value at this
    # lookback matches full history to ~1e-9 relative.
    convergence = math.ceil(math.log(_SEED_WEIGHT_TOLERANCE) / math.log(1.0 - 1.0 / 14.0))
    need = _MIN_LOOKBACK
    for name, func_name in _FUNCS.items():
        func = abstract.Function(func_name)
        func.set_parameters(_PARAMS[name])
        need = max(need, func.lookback + (convergence if name in recursive else 0))
    return int(need)


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=INDICATORS)


def _sorted_view(bars: pl.DataFrame) -> pl.DataFrame:
    """The bars needed here, sorted by (symbol, session); skips the sort when already in order."""
    frame = bars.select(
        pl.col("symbol").cast(DAILY_BARS["symbol"]),
        pl.col("session").cast(DAILY_BARS["session"]),
        pl.col("high").cast(pl.Float64),
        pl.col("low").cast(pl.Float64),
        pl.col("close").cast(pl.Float64),
        pl.col("volume").cast(pl.Float64),
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
    ordered by session); symbols never bleed into each other.
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
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        _talib_into(out, slice(start, stop), close, high, low, volume)

    result = frame.select("symbol", "session").with_columns(
        pl.Series(name, values, dtype=pl.Float64) for name, values in out.items()
    )
    # TA-Lib marks warm-up (and undefined) values with NaN; polars must see null.
    return result.with_columns(pl.col(INDICATOR_COLUMNS).fill_nan(None))
