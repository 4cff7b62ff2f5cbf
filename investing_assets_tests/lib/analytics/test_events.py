from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import talib

from investing_assets.lib.analytics.events import EVENT_NAMES, EVENTS, technical_events
from investing_assets.lib.analytics.indicators import compute_indicators, required_bars
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource

DAYS = calendar.sessions_between(dt.date(2012, 1, 3), dt.date(2014, 12, 31))


def _bars(close: np.ndarray, symbol: str = "X", volume: np.ndarray | None = None,
          opens: np.ndarray | None = None) -> pl.DataFrame:  # fmt: skip
    n = close.shape[0]
    open_ = np.concatenate([[close[0]], close[:-1]]) if opens is None else opens
    return pl.DataFrame(
        {
            "symbol": symbol,
            "session": DAYS[:n],
            "open": open_,
            "high": np.maximum(open_, close) + 0.5,
            "low": np.minimum(open_, close) - 0.5,
            "close": close,
            "adj_close": close,
            "volume": np.full(n, 1_000_000) if volume is None else volume,
        }
    )


def _events(bars: pl.DataFrame) -> pl.DataFrame:
    return technical_events(bars, compute_indicators(bars))


def _sessions(events: pl.DataFrame, name: str) -> list[dt.date]:
    return events.filter(pl.col("event") == name)["session"].to_list()


def _sma(x: np.ndarray, n: int) -> np.ndarray:
    out = np.full(x.shape[0], np.nan)
    out[n - 1 :] = np.convolve(x, np.ones(n) / n, mode="valid")
    return out


def test_golden_cross_on_a_hand_built_path() -> None:
    close = np.concatenate([np.linspace(120, 80, 200), np.linspace(80.5, 140, 120)])
    events = _events(_bars(close))
    assert events.schema == pl.Schema(EVENTS)
    fast, slow = _sma(close, 50), _sma(close, 200)
    above = fast > slow
    known = np.isfinite(slow)
    expected = [DAYS[t] for t in range(1, close.shape[0]) if above[t] and not above[t - 1] and known[t - 1]]
    assert len(expected) == 1 and 230 < DAYS.index(expected[0]) < 320
    assert _sessions(events, "golden_cross") == expected
    assert _sessions(events, "death_cross") == []
    cross = events.filter(pl.col("event") == "golden_cross").row(0, named=True)
    assert cross["direction"] == "bullish"
    assert cross["value"] == pytest.approx(fast[DAYS.index(expected[0])])


def test_death_cross_is_the_mirror() -> None:
    close = np.concatenate([np.linspace(80, 120, 200), np.linspace(119.5, 60, 120)])
    fast, slow = _sma(close, 50), _sma(close, 200)
    below = fast < slow
    expected = [DAYS[t] for t in range(200, close.shape[0]) if below[t] and not below[t - 1]]
    events = _events(_bars(close))
    assert _sessions(events, "death_cross") == expected and len(expected) == 1
    assert _sessions(events, "golden_cross") == []


def test_52_week_high_and_low_need_a_year_of_history_and_fire_on_the_extreme() -> None:
    close = np.full(320, 100.0)
    close[20] = 120.0  # inside the first year: no full 52-week window yet, no event (and out of it by 280)
    close[280] = 110.0
    close[300] = 90.0
    events = _events(_bars(close))
    assert _sessions(events, "high_52w") == [DAYS[280]]
    assert _sessions(events, "low_52w") == [DAYS[300]]
    assert events.filter(pl.col("event") == "high_52w")["value"].item() == pytest.approx(110.5)


def test_range_breakout_fires_once_when_the_close_leaves_the_20_day_range() -> None:
    close = np.full(80, 100.0)
    close[50:53] = [101.0, 102.0, 103.0]  # three closes above the previous 20-day high: one breakout
    close[53:] = 103.0
    close[70] = 98.0  # below the 20-day low (102.5 - ...): a breakdown
    events = _events(_bars(close))
    assert _sessions(events, "range_breakout_up") == [DAYS[50]]
    assert _sessions(events, "range_breakout_down") == [DAYS[70]]
    assert "20-day high 100.5" in events.filter(pl.col("event") == "range_breakout_up")["detail"].item()


def test_unusual_volume_is_a_z_score_of_three_against_the_previous_20_sessions() -> None:
    volume = 1_000_000 + 10_000 * (np.arange(60) % 7)
    volume[40] = 1_200_000  # about 3.3 sd above: fires
    volume[50] = 1_080_000  # about 2 sd: does not
    close = np.full(60, 50.0)
    close[40] = 49.0
    events = _events(_bars(close, volume=volume))
    spikes = events.filter(pl.col("event") == "unusual_volume")
    assert spikes["session"].to_list() == [DAYS[40]]
    window = volume[20:40].astype(float)
    assert spikes["value"].item() == pytest.approx((volume[40] - window.mean()) / window.std(ddof=1))
    assert spikes["direction"].item() == "bearish"  # the close fell that day


def test_rsi_and_macd_events_are_the_crossings_of_ta_lib_values() -> None:
    rng = np.random.default_rng(4)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, 700)))
    events = _events(_bars(close))
    need = required_bars()  # the warm-up is null, so nothing crosses there
    rsi = talib.RSI(close, 14)
    rsi[: need["rsi_14"] - 1] = np.nan
    prev = np.concatenate([[np.nan], rsi[:-1]])
    assert _sessions(events, "rsi_overbought") == [DAYS[t] for t in np.flatnonzero((rsi > 70) & (prev <= 70))]
    assert _sessions(events, "rsi_oversold") == [DAYS[t] for t in np.flatnonzero((rsi < 30) & (prev >= 30))]
    macd, signal, _ = talib.MACD(close, 12, 26, 9)
    gap = macd - signal
    gap[: need["macd"] - 1] = np.nan
    prev_gap = np.concatenate([[np.nan], gap[:-1]])
    ups = np.flatnonzero((gap > 0) & (prev_gap <= 0))
    assert ups.size > 3
    assert _sessions(events, "macd_cross_up") == [DAYS[t] for t in ups]
    assert _sessions(events, "macd_cross_down") == [
        DAYS[t] for t in np.flatnonzero((gap < 0) & (prev_gap >= 0))
    ]


def test_an_unadjusted_split_reports_nothing_on_its_session_a_crash_does() -> None:
    close = np.concatenate([np.full(300, 100.0) + np.sin(np.arange(300) / 5), np.full(20, 50.0)])
    opens = np.concatenate([[close[0]], close[:-1]])
    opens[300] = 50.0  # the gap is overnight, as a split's is
    volume = np.where(np.arange(320) >= 300, 2_000_000, 1_000_000) + 10_000 * (np.arange(320) % 7)
    split = _events(_bars(close, "SPLIT", volume=volume, opens=opens))
    assert split.filter(pl.col("session") == DAYS[300]).height == 0
    crash_close = np.where(np.arange(320) >= 300, 62.0, close)
    crash_open = opens.copy()
    crash_open[300] = 62.0
    crash = _events(_bars(crash_close, "CRASH", volume=volume, opens=crash_open))
    assert {"low_52w", "range_breakout_down", "unusual_volume"} <= set(_sessions_map(crash)[DAYS[300]])


def _sessions_map(events: pl.DataFrame) -> dict[dt.date, list[str]]:
    out: dict[dt.date, list[str]] = {}
    for session, event in events.select("session", "event").iter_rows():
        out.setdefault(session, []).append(event)
    return out


def test_events_on_a_truncated_history_are_the_same() -> None:
    source = DemoSource()
    bars = source.daily_bars(calendar.sessions_between(dt.date(2015, 1, 2), dt.date(2017, 6, 30)),
                             ["AAPL", "XOM", "JPM", "KO"])  # fmt: skip
    full = _events(bars)
    assert full.height > 50 and set(full["event"]) <= set(EVENT_NAMES)
    for cut in (dt.date(2016, 3, 1), dt.date(2016, 11, 15), dt.date(2017, 5, 1)):
        assert _events(bars.filter(pl.col("session") <= cut)).equals(full.filter(pl.col("session") <= cut))


def test_no_bars_no_events() -> None:
    empty = _bars(np.full(5, 10.0)).clear()
    assert technical_events(empty, compute_indicators(empty)).schema == pl.Schema(EVENTS)
