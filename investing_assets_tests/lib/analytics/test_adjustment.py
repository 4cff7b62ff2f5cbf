"""Adjusted prices on real histories: 4063.T's recorded 5:1 split and 55 JPY dividend (see _real_bars).

What is held: the vendor's adj_close and the stored actions give the same adjusted prices (Yahoo's own Adj Close,
to its float32 rounding); stored indicators equal TA-Lib on the adjusted OHLC of each session's window; a session is
computed the same alone or in a range; and neither the split day nor the dividend day reads as a bearish event.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import talib

from investing_assets.lib.analytics.adjustment import RAW, adjust_bars, adjusted_symbols, check_basis
from investing_assets.lib.analytics.indicators import (
    compute_indicators,
    indicators_on_windows,
    window_sessions,
    window_start,
)
from investing_assets.lib.analytics.scanner import ScanConfig, scan_day
from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import CORPORATE_ACTIONS, INDICATOR_COLUMNS
from investing_assets_tests.lib.analytics import _real_bars as rb

PRICES = ("open", "high", "low", "close")
RAW_SCAN = ScanConfig(basis=RAW)


def _case(name: str) -> tuple[pl.DataFrame, pl.DataFrame | None, dict[dt.date, dt.date]]:
    """(bars, stored actions, recorded date -> session) of one way a source can serve the same history."""
    if name == "vendor adj_close":
        bars, moved = rb.vendor_adjusted()
        return bars, None, moved
    if name == "raw + actions":
        bars, moved = rb.raw()
        return bars, rb.actions(moved), moved
    if name == "raw prices, adjusted volume + actions":
        bars, moved = rb.raw(volume="adjusted")
        return bars, rb.actions(moved), moved
    if name == "raw, no actions":
        bars, moved = rb.raw()
        return bars, None, moved
    raise AssertionError(name)


ADJUSTABLE = ["vendor adj_close", "raw + actions", "raw prices, adjusted volume + actions"]


def _expected_adjusted(name: str, bars: pl.DataFrame, moved: dict[dt.date, dt.date], as_of: dt.date) -> pl.DataFrame:
    """The adjusted window ending at `as_of`, computed here from its definition, independently of the module."""
    own = bars.filter(pl.col("session") <= as_of).sort("session")
    if name == "vendor adj_close":
        ratio = own["adj_close"] / own["close"]
        factor = ratio / ratio[-1]
        volume_factor = pl.Series(np.ones(own.height))
    else:
        split, dividend = moved[rb.SPLIT_ROW_DATE], moved[rb.DIVIDEND_ROW_DATE]
        before_dividend = own.filter(pl.col("session") < dividend)["close"]
        dividend_factor = 1 - rb.DIVIDEND / before_dividend[-1] if as_of >= dividend else 1.0
        factor = own.select(
            pl.when(pl.col("session") < split).then(1 / rb.SPLIT_RATIO if as_of >= split else 1.0).otherwise(1.0)
            * pl.when(pl.col("session") < dividend).then(dividend_factor).otherwise(1.0)).to_series()
        raw_volume = name == "raw + actions" and as_of >= split
        volume_factor = own.select(pl.when((pl.col("session") < split) & raw_volume).then(rb.SPLIT_RATIO)
                                   .otherwise(1.0)).to_series()
    return own.with_columns([(pl.col(c) * factor).alias(c) for c in PRICES]).with_columns(
        volume=(pl.col("volume") * volume_factor))


def test_basis_names_are_checked() -> None:
    assert check_basis("adjusted") == "adjusted" and check_basis("raw") == "raw"
    with pytest.raises(ValueError, match=r"price basis 'split'.*adjusted, raw"):
        check_basis("split")


def test_vendor_adj_close_is_the_adjustment_and_the_raw_bars_stay_raw() -> None:
    bars, actions, _ = _case("vendor adj_close")
    before = bars.clone()
    adjusted = adjust_bars(bars, actions, as_of=rb.SESSION_END)
    ratio = (bars["adj_close"] / bars["close"]) / (bars["adj_close"][-1] / bars["close"][-1])
    for column in PRICES:
        np.testing.assert_allclose(adjusted[column].to_numpy(), (bars[column] * ratio).to_numpy(), rtol=1e-12)
    assert adjusted["volume"].equals(bars["volume"])  # adj_close says nothing about volume
    assert bars.equals(before)
    assert adjust_bars(bars, actions, as_of=rb.SESSION_END, basis=RAW).equals(bars.sort("symbol", "session"))


def test_stored_actions_on_raw_bars_give_yahoos_own_adjusted_close_and_volume() -> None:
    raw, actions, moved = _case("raw + actions")
    vendor, _, _ = _case("vendor adj_close")
    adjusted = adjust_bars(raw, actions, as_of=rb.SESSION_END).tail(22)
    yahoo = vendor.tail(22)
    assert raw.filter(pl.col("session") < moved[rb.SPLIT_ROW_DATE])["close"][-1] == 20710.0  # the raw gap is there
    # Yahoo's Adj Close is float32: equal to its last digit
    np.testing.assert_allclose(adjusted["close"].to_numpy(), yahoo["adj_close"].to_numpy(), rtol=2e-7)
    assert adjusted["volume"].to_list() == yahoo["volume"].to_list()  # 901,100 x 5 = 4,505,500 on 2023-03-28
    assert adjusted_symbols(raw, actions) == [rb.SYMBOL]
    # anchored at the session: the day before the split, nothing has happened yet
    eve = calendar.sessions_ending(moved[rb.SPLIT_ROW_DATE], 2)[0]
    assert adjust_bars(raw, actions, as_of=eve).equals(raw.filter(pl.col("session") <= eve))


def test_adjusted_volume_beside_raw_prices_is_left_as_served() -> None:
    bars, actions, _ = _case("raw prices, adjusted volume + actions")
    vendor, _, _ = _case("vendor adj_close")
    adjusted = adjust_bars(bars, actions, as_of=rb.SESSION_END)
    assert adjusted["volume"].tail(22).to_list() == vendor["volume"].tail(22).to_list()


@pytest.mark.parametrize("name", ADJUSTABLE)
def test_stored_indicators_equal_talib_on_the_adjusted_ohlc_of_each_window(name: str) -> None:
    bars, actions, moved = _case(name)
    sessions = [moved[rb.SPLIT_ROW_DATE], moved[rb.DIVIDEND_ROW_DATE], rb.SESSION_END]
    stored = indicators_on_windows(bars, sessions, actions)
    assert stored["session"].to_list() == sessions
    for row in stored.iter_rows(named=True):
        session = row["session"]
        first, obv_first = window_start(session), calendar.sessions_ending(session, window_sessions())[0]
        expected = _expected_adjusted(name, bars, moved, session)
        adjusted = expected.filter(pl.col("session") >= first)
        c, h, lo, v = (adjusted[k].cast(pl.Float64).to_numpy().copy() for k in ("close", "high", "low", "volume"))
        obv_window = expected.filter(pl.col("session") >= obv_first)
        macd, signal, hist = talib.MACD(c, 12, 26, 9)
        upper, middle, lower = talib.BBANDS(c, 20, 2.0, 2.0, 0)
        k, d = talib.STOCH(h, lo, c, 14, 3, 0, 3, 0)
        want = {"sma_20": talib.SMA(c, 20), "sma_50": talib.SMA(c, 50), "sma_200": talib.SMA(c, 200),
                "ema_12": talib.EMA(c, 12), "ema_26": talib.EMA(c, 26), "rsi_14": talib.RSI(c, 14), "macd": macd,
                "macd_signal": signal, "macd_hist": hist, "bb_upper": upper, "bb_middle": middle, "bb_lower": lower,
                "atr_14": talib.ATR(h, lo, c, 14), "adx_14": talib.ADX(h, lo, c, 14),
                "obv": talib.OBV(*(obv_window[k].cast(pl.Float64).to_numpy().copy() for k in ("close", "volume"))),
                "stoch_k": k, "stoch_d": d}
        for column in INDICATOR_COLUMNS:
            assert row[column] == pytest.approx(want[column][-1], rel=1e-9, abs=1e-9), (name, session, column)
        # the scanner's and the chart's path (adjust the window, then TA-Lib over it) gives the same numbers
        for start, columns in ((first, [c for c in INDICATOR_COLUMNS if c != "obv"]), (obv_first, ["obv"])):
            charted = compute_indicators(adjust_bars(bars.filter(pl.col("session").is_between(start, session)),
                                                     actions, as_of=session)).row(-1, named=True)
            assert {c: charted[c] for c in columns} == {c: row[c] for c in columns}


def test_raw_indicators_differ_across_the_split() -> None:
    """The figures above are not the raw ones: on raw bars the split is a 5x cliff in every average."""
    bars, actions, moved = _case("raw + actions")
    split = moved[rb.SPLIT_ROW_DATE]
    adjusted = indicators_on_windows(bars, [split], actions).row(0, named=True)
    raw = indicators_on_windows(bars, [split], actions, basis=RAW).row(0, named=True)
    assert raw["sma_20"] > 3 * adjusted["sma_20"]
    assert raw["rsi_14"] < 30 < adjusted["rsi_14"]


def test_a_session_is_the_same_alone_in_a_range_and_from_a_longer_read() -> None:
    bars, actions, moved = _case("raw + actions")
    split = moved[rb.SPLIT_ROW_DATE]
    around = calendar.sessions_between(calendar.sessions_ending(split, 4)[0], moved[rb.DIVIDEND_ROW_DATE])
    alone = indicators_on_windows(bars.filter(pl.col("session") >= window_start(split)), [split], actions)
    in_range = indicators_on_windows(bars, around, actions).filter(pl.col("session") == split)
    assert alone.equals(in_range)


CASES = [*ADJUSTABLE, "raw, no actions"]


@pytest.mark.parametrize("name", CASES)
def test_neither_the_split_day_nor_the_dividend_day_is_a_bearish_event(name: str) -> None:
    bars, actions, moved = _case(name)
    for recorded_day in (rb.SPLIT_ROW_DATE, rb.DIVIDEND_ROW_DATE):
        day = moved[recorded_day]
        result = scan_day(bars, None, day, actions=actions)
        assert result.eligibility.filter(pl.col("symbol") == rb.SYMBOL)["eligible"].item(), (name, day)
        bearish = result.events.filter(pl.col("direction") == "bearish")
        assert bearish.height == 0, (name, day, bearish.select("event", "detail").rows())
        assert result.discoveries.filter(pl.col("direction") == "bearish").height == 0, (name, day)
        assert result.chart_patterns.filter(pl.col("direction") == "bearish").height == 0, (name, day)


def test_the_detectors_on_unadjusted_bars_do_call_the_split_bearish() -> None:
    """The control for the test above: the same events on the raw bars, unscreened, read the split as a 52-week
    low on the session after it (the dividend's ex-date), so an adjustment that stopped working would fail it."""
    from investing_assets.lib.analytics.events import technical_events

    bars, _, moved = _case("raw prices, adjusted volume + actions")
    events = technical_events(bars.with_columns(detectable=pl.lit(True)), compute_indicators(bars))
    after = events.filter(pl.col("session") == moved[rb.DIVIDEND_ROW_DATE])
    assert ("low_52w", "bearish") in after.select("event", "direction").rows()


def test_with_actions_the_symbol_is_not_silenced_around_its_split() -> None:
    """Without actions, raw prices beside split-adjusted volume fall back to the screen's guard, which cannot
    confirm the split and switches detection off for a year; with them the split day is scanned like any other,
    and every way of serving the history finds the same events."""
    found = {}
    for name in [*ADJUSTABLE, "raw prices, adjusted volume, no actions"]:
        bars, actions, moved = _case(name.replace(", no actions", " + actions"))
        if name.endswith("no actions"):
            actions = None
        result = scan_day(bars, None, moved[rb.SPLIT_ROW_DATE], actions=actions)
        found[name] = (sorted(result.events.select("event", "direction").rows()),
                       sorted(result.issues.select("issue", "action").rows()))
    assert found["vendor adj_close"][0], found  # the split day has events of its own (a 52-week high)
    for name in ADJUSTABLE:
        assert found[name] == (found["vendor adj_close"][0], []), name
    assert found["raw prices, adjusted volume, no actions"] == ([], [("split", "excluded_window")])


def _special_dividend(row: int, kept: float = 0.75) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, dt.date]:
    """(raw bars, their action, the real bars, ex-date): the real history (vendor-adjusted, then stripped of its
    adj_close) with a special dividend of 25% of the previous close paid on `row`, i.e. every earlier price
    raised by 1 / `kept`; adjusting for it must give the real bars back."""
    real, _ = rb.vendor_adjusted()
    real = adjust_bars(real, None, as_of=rb.SESSION_END).with_columns(adj_close=pl.lit(None, pl.Float64))
    ex = real["session"][row]
    raw = real.with_columns([pl.when(pl.col("session") < ex).then(pl.col(c) / kept).otherwise(pl.col(c)).alias(c)
                             for c in PRICES])
    amount = raw["close"][row - 1] * (1 - kept)
    action = pl.DataFrame([{"symbol": rb.SYMBOL, "session": ex, "kind": "dividend", "ratio": None,
                            "amount": amount}], schema=CORPORATE_ACTIONS)
    return raw, action, real, ex


@pytest.mark.parametrize("row", [300, 330, 360])
def test_a_special_dividend_is_no_breakdown(row: int) -> None:
    raw, action, real, ex = _special_dividend(row)
    back = adjust_bars(raw, action, as_of=ex)
    np.testing.assert_allclose(back["close"].to_numpy(), real.filter(pl.col("session") <= ex)["close"].to_numpy(),
                               rtol=1e-12)
    adjusted = scan_day(raw, None, ex, actions=action)
    assert adjusted.events.filter(pl.col("direction") == "bearish").height == 0
    assert adjusted.discoveries.filter(pl.col("direction") == "bearish").height == 0
    # the control: on raw prices the 25% ex-date drop is read exactly as the issue reported it
    unadjusted = scan_day(raw, None, ex, RAW_SCAN)
    assert {"range_breakout_down", "macd_cross_down", "low_52w"} <= set(
        unadjusted.events.filter(pl.col("direction") == "bearish")["event"])
