from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import talib

from investing_assets.lib.analytics.candles import (
    CANDLE_EVENTS,
    CONFIRMED,
    FUNCTIONS,
    PATTERNS,
    candlestick_events,
    confirmed_candles,
    trigger_rate,
)
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource

DAYS = calendar.sessions_between(dt.date(2018, 1, 2), dt.date(2018, 12, 31))


@pytest.fixture(scope="module")
def demo_bars() -> pl.DataFrame:
    days = calendar.sessions_between(dt.date(2017, 1, 3), dt.date(2018, 12, 31))
    return DemoSource().daily_bars(
        days, ["AAPL", "MSFT", "XOM", "JPM", "KO", "PFE", "CAT", "NEE", "AMZN", "T"]
    )


def test_all_61_ta_lib_patterns_are_classified() -> None:
    assert len(FUNCTIONS) == 61 and set(PATTERNS) == set(FUNCTIONS)
    assert len({name for name, _ in PATTERNS.values()}) == 61
    assert {kind for _, kind in PATTERNS.values()} == {"reversal", "continuation", "indecision"}


def test_events_are_exactly_ta_lib_output(demo_bars: pl.DataFrame) -> None:
    events = candlestick_events(demo_bars)
    assert events.schema == pl.Schema(CANDLE_EVENTS)
    assert events.equals(events.sort("symbol", "session", "pattern"))
    one = demo_bars.filter(pl.col("symbol") == "XOM")
    o, h, lo, c = (one[k].to_numpy() for k in ("open", "high", "low", "close"))
    for function, name in (("CDLENGULFING", "engulfing"), ("CDLHAMMER", "hammer"), ("CDLDOJI", "doji")):
        raw = getattr(talib, function)(o, h, lo, c)
        got = events.filter(pl.col("symbol") == "XOM", pl.col("pattern") == name)
        assert got["session"].to_list() == [one["session"][int(k)] for k in np.flatnonzero(raw)], name
        assert got["strength"].to_list() == raw[raw != 0].tolist(), name
    assert set(events.filter(pl.col("pattern") == "doji")["direction"]) == {"neutral"}
    assert set(events.filter(pl.col("pattern") == "engulfing")["direction"]) == {"bullish", "bearish"}


def test_most_bars_trigger_something_few_are_confirmed(demo_bars: pl.DataFrame) -> None:
    events = candlestick_events(demo_bars)
    confirmed = confirmed_candles(events, demo_bars, compute_indicators(demo_bars))
    assert confirmed.schema == pl.Schema(CONFIRMED)
    raw, kept = trigger_rate(events, demo_bars), trigger_rate(confirmed, demo_bars)
    assert 0.6 < raw < 0.95
    assert 0.005 < kept < 0.1
    assert "neutral" not in set(confirmed["direction"])
    assert confirmed["reason"].null_count() == 0


def _engulfing_after(trend: np.ndarray, volume_on_signal: int) -> pl.DataFrame:
    """A trend, a small black candle, then a white candle whose body engulfs it (bullish engulfing)."""
    close = np.concatenate([trend, [101.6]])
    open_ = np.concatenate([[trend[0] + 0.5], trend[:-1], [100.5]])
    open_[-2] = 101.3  # the black candle: 101.3 -> 100.8
    n = close.shape[0]
    volume = np.full(n, 1_000_000) + 5_000 * (np.arange(n) % 5)
    volume[-1] = volume_on_signal
    return pl.DataFrame(
        {
            "symbol": "C", "session": DAYS[:n], "open": open_, "high": np.maximum(open_, close) + 0.3,
            "low": np.minimum(open_, close) - 0.3, "close": close, "adj_close": close, "volume": volume,
        }
    )  # fmt: skip


@pytest.mark.parametrize(
    ("trend", "volume", "confirmed"),
    [
        (np.linspace(130.0, 100.8, 61), 2_000_000, True),  # after a downtrend, on volume
        (np.linspace(130.0, 100.8, 61), 1_000_000, False),  # no volume
        (np.linspace(70.0, 100.8, 61), 2_000_000, False),  # after an uptrend: nothing to reverse
    ],
)
def test_a_bullish_reversal_needs_a_downtrend_and_volume(
    trend: np.ndarray, volume: int, confirmed: bool
) -> None:
    bars = _engulfing_after(trend, volume)
    events = candlestick_events(bars)
    last = bars["session"][-1]
    assert ("engulfing", "bullish") in events.filter(pl.col("session") == last).select(
        "pattern", "direction"
    ).rows()
    kept = confirmed_candles(events, bars, compute_indicators(bars)).filter(
        pl.col("session") == last, pl.col("pattern") == "engulfing"
    )
    assert kept.height == int(confirmed)
    if confirmed:
        assert kept["reason"].item().startswith("bullish reversal after a downtrend")
        assert "volume 2.0x" in kept["reason"].item()


def test_candles_on_a_truncated_history_are_the_same(demo_bars: pl.DataFrame) -> None:
    full = candlestick_events(demo_bars)
    for cut in (dt.date(2017, 8, 1), dt.date(2018, 6, 29)):
        assert candlestick_events(demo_bars.filter(pl.col("session") <= cut)).equals(
            full.filter(pl.col("session") <= cut)
        )


def test_empty_and_short_inputs() -> None:
    bars = _engulfing_after(np.linspace(130.0, 100.8, 61), 2_000_000)
    assert candlestick_events(bars.clear()).schema == pl.Schema(CANDLE_EVENTS)
    assert candlestick_events(bars.head(3)).schema == pl.Schema(CANDLE_EVENTS)  # shorter than any lookback
    assert confirmed_candles(candlestick_events(bars.clear()), bars, compute_indicators(bars)).height == 0
