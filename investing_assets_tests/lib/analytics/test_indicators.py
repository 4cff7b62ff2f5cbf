from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
import talib

from investing_assets.lib.analytics.indicators import compute_indicators, lookback_sessions
from investing_assets.lib.core.schemas import DAILY_BARS, INDICATOR_COLUMNS, INDICATORS

START = dt.date(2015, 1, 2)


def _bars(lengths: dict[str, int], seed: int = 0, flat: bool = False) -> pl.DataFrame:
    """Random-walk DAILY_BARS, rows in (symbol, session) order; adj_close deliberately != close."""
    rng = np.random.default_rng(seed)
    parts = []
    for symbol, n in lengths.items():
        if flat:
            close = np.full(n, 42.0)
            high = low = open_ = close
        else:
            close = rng.uniform(10, 300) * np.exp(np.cumsum(rng.normal(0, 0.02, n)))
            open_ = close * np.exp(rng.normal(0, 0.005, n))
            high = np.maximum(open_, close) * (1 + np.abs(rng.normal(0, 0.01, n)))
            low = np.minimum(open_, close) * (1 - np.abs(rng.normal(0, 0.01, n)))
        parts.append(
            pl.DataFrame(
                {
                    "symbol": [symbol] * n,
                    "session": pl.date_range(START, START + dt.timedelta(days=n - 1), eager=True),
                    "open": open_,
                    "high": high,
                    "low": low,
                    "close": close,
                    "adj_close": close * 0.5,
                    "volume": rng.integers(1_000, 1_000_000, n),
                },
                schema=DAILY_BARS,
            )
        )
    return pl.concat(parts)


def _talib_direct(c: np.ndarray, h: np.ndarray, lo: np.ndarray, v: np.ndarray) -> dict[str, np.ndarray]:
    macd, macd_signal, macd_hist = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    upper, middle, lower = talib.BBANDS(c, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0)
    k, d = talib.STOCH(
        h, lo, c, fastk_period=14, slowk_period=3, slowk_matype=0, slowd_period=3, slowd_matype=0
    )
    return {
        "sma_20": talib.SMA(c, 20),
        "sma_50": talib.SMA(c, 50),
        "sma_200": talib.SMA(c, 200),
        "ema_12": talib.EMA(c, 12),
        "ema_26": talib.EMA(c, 26),
        "rsi_14": talib.RSI(c, 14),
        "macd": macd,
        "macd_signal": macd_signal,
        "macd_hist": macd_hist,
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "atr_14": talib.ATR(h, lo, c, 14),
        "adx_14": talib.ADX(h, lo, c, 14),
        "obv": talib.OBV(c, v),
        "stoch_k": k,
        "stoch_d": d,
    }


def _expected(bars: pl.DataFrame, symbol: str) -> dict[str, np.ndarray]:
    """TA-Lib on the symbol's own arrays, NaN until it has required_bars() bars (the warm-up is never shown)."""
    from investing_assets.lib.analytics.indicators import required_bars

    own = bars.filter(pl.col("symbol") == symbol).sort("session")
    arrays = [own[c].cast(pl.Float64).to_numpy().copy() for c in ("close", "high", "low", "volume")]
    want = _talib_direct(*arrays)
    for name, bars_needed in required_bars().items():
        want[name][: bars_needed - 1] = np.nan
    return want


def _assert_no_nan(out: pl.DataFrame) -> None:
    nan_counts = out.select(pl.col(INDICATOR_COLUMNS).is_nan().sum()).row(0, named=True)
    assert all(v == 0 for v in nan_counts.values()), nan_counts


def _assert_matches_talib(bars: pl.DataFrame, out: pl.DataFrame) -> None:
    """Every symbol's output equals TA-Lib on its own arrays, bit for bit; TA-Lib NaN <-> null."""
    _assert_no_nan(out)
    for symbol in bars["symbol"].unique().to_list():
        got = out.filter(pl.col("symbol") == symbol)
        for name, want in _expected(bars, symbol).items():
            col = got[name]
            assert col.is_null().to_numpy().tolist() == np.isnan(want).tolist(), (symbol, name)
            np.testing.assert_array_equal(col.to_numpy(), want, err_msg=f"{symbol} {name}")


@pytest.fixture(scope="module")
def mixed() -> pl.DataFrame:
    # Different lengths, names that sort adjacently ("A" < "AA" < "AB"), shuffled rows.
    return _bars({"AB": 420, "A": 263, "AA": 333, "ZZZ": 1_000}, seed=1)


def test_matches_talib_per_symbol_exactly_on_shuffled_rows(mixed: pl.DataFrame) -> None:
    shuffled = mixed.sample(fraction=1.0, shuffle=True, seed=3)
    out = compute_indicators(shuffled)
    _assert_matches_talib(mixed, out)


def test_output_schema_order_and_row_count(mixed: pl.DataFrame) -> None:
    out = compute_indicators(mixed.sample(fraction=1.0, shuffle=True, seed=4))
    assert out.schema == pl.Schema(INDICATORS)
    assert out.height == mixed.height
    assert out.select("symbol", "session").equals(mixed.sort("symbol", "session").select("symbol", "session"))


def test_sorted_and_shuffled_inputs_give_identical_frames(mixed: pl.DataFrame) -> None:
    in_order = compute_indicators(mixed)  # no-sort path
    by_session = compute_indicators(mixed.sort("session", "symbol"))  # sort path
    shuffled = compute_indicators(mixed.sample(fraction=1.0, shuffle=True, seed=5))
    assert in_order.equals(by_session)
    assert in_order.equals(shuffled)


def test_symbol_alone_equals_symbol_among_others(mixed: pl.DataFrame) -> None:
    alone = compute_indicators(mixed.filter(pl.col("symbol") == "AA"))
    among = compute_indicators(mixed).filter(pl.col("symbol") == "AA")
    assert alone.equals(among)


def test_warmup_is_null_not_nan(mixed: pl.DataFrame) -> None:
    from investing_assets.lib.analytics.indicators import required_bars

    out = compute_indicators(mixed)
    _assert_no_nan(out)
    for symbol, part in out.group_by("symbol", maintain_order=True):
        sma_200 = part.sort("session")["sma_200"]
        assert sma_200.head(199).is_null().all(), symbol
        assert sma_200.slice(199).is_not_null().all(), symbol
        # Nothing at all is missing once every indicator has its full lookback (OBV: the whole window).
        assert (
            part.sort("session")
            .slice(max(required_bars().values()) - 1)
            .select(pl.col(INDICATOR_COLUMNS).null_count().sum())
            .sum_horizontal()
            .item()
            == 0
        )


def test_short_symbol_is_all_null_where_lookback_exceeds_its_history() -> None:
    bars = _bars({"LONG": 300, "SHORT": 20}, seed=2)
    out = compute_indicators(bars)
    short = out.filter(pl.col("symbol") == "SHORT")
    assert short.height == 20
    # TA-Lib lookbacks: SMA 50 -> 49, SMA 200 -> 199, EMA 26 -> 25, ADX 14 -> 27, MACD 12/26/9 -> 33.
    for name in ("sma_50", "sma_200", "ema_26", "adx_14", "macd", "macd_signal", "macd_hist"):
        assert short[name].is_null().all(), name
    assert short["sma_20"].is_not_null().sum() == 1  # lookback 19
    assert out.filter(pl.col("symbol") == "LONG")["sma_200"].is_not_null().sum() == 300 - 199
    _assert_matches_talib(bars, out)


def test_single_row_symbol() -> None:
    bars = pl.concat([_bars({"BIG": 250}, seed=3), _bars({"ONE": 1}, seed=4)])
    out = compute_indicators(bars)
    one = out.filter(pl.col("symbol") == "ONE")
    assert one.height == 1
    row = one.row(0, named=True)
    # Everything needs history, OBV too (a running total is only comparable over a full window).
    assert all(row[c] is None for c in INDICATOR_COLUMNS)
    _assert_matches_talib(bars, out)


def test_only_a_single_row() -> None:
    out = compute_indicators(_bars({"ONE": 1}))
    assert out.height == 1 and out.schema == pl.Schema(INDICATORS)


def test_empty_frame_gives_empty_indicators_frame() -> None:
    out = compute_indicators(pl.DataFrame(schema=DAILY_BARS))
    assert out.height == 0
    assert out.schema == pl.Schema(INDICATORS)


def test_flat_prices_do_not_crash_or_produce_nan() -> None:
    bars = pl.concat([_bars({"FLAT": 300}, flat=True), _bars({"MOVE": 300}, seed=6)])
    out = compute_indicators(bars)
    _assert_no_nan(out)
    _assert_matches_talib(bars, out)
    flat = out.filter(pl.col("symbol") == "FLAT").tail(1).row(0, named=True)
    assert flat["sma_200"] == 42.0 and flat["bb_upper"] == flat["bb_lower"] == 42.0
    assert flat["atr_14"] == 0.0


def test_null_prices_never_leak_nan() -> None:
    bars = _bars({"GAP": 120, "OK": 120}, seed=7).with_columns(
        pl.when((pl.col("symbol") == "GAP") & (pl.col("session") == START + dt.timedelta(days=60)))
        .then(None)
        .otherwise(pl.col("close"))
        .alias("close")
    )
    out = compute_indicators(bars)
    assert out.height == bars.height
    _assert_no_nan(out)
    # The gap stays inside its symbol.
    _assert_matches_talib(bars.filter(pl.col("symbol") == "OK"), out.filter(pl.col("symbol") == "OK"))


def test_lookback_sessions_warms_every_indicator() -> None:
    need = lookback_sessions()
    assert need >= 250
    bars = _bars({"X": 1_500}, seed=8)
    full = compute_indicators(bars)
    window = compute_indicators(bars.tail(need + 1))
    last_full, last_window = full.row(-1, named=True), window.row(-1, named=True)
    for name in INDICATOR_COLUMNS:
        assert last_window[name] is not None, name
        if name == "obv":  # a running total from the window's first bar: the full total less what came before
            volume = bars["volume"].cast(pl.Float64)
            assert last_window[name] == full["obv"][-1] - full["obv"][-(need + 1)] + volume[-(need + 1)]
            continue
        assert last_window[name] == pytest.approx(last_full[name], rel=1e-6, abs=1e-9), name


# ----------------------------------------------------------------- the stored computation: fixed windows


def _session_bars(lengths: dict[str, int], last: dt.date, seed: int = 3) -> pl.DataFrame:
    """_bars on real NYSE sessions ending at `last` (each symbol's last `n` of them)."""
    from investing_assets.lib.core import calendar

    frames = []
    for k, (symbol, n) in enumerate(lengths.items()):
        days = pl.Series("session", calendar.sessions_ending(last, n), dtype=pl.Date)
        frames.append(_bars({symbol: n}, seed=seed + k).with_columns(session=days))
    return pl.concat(frames)


def test_each_session_equals_talib_on_its_own_window_and_nulls_what_the_window_cannot_feed() -> None:
    from investing_assets.lib.analytics.indicators import (
        indicators_on_windows,
        required_bars,
        window_sessions,
        window_start,
    )
    from investing_assets.lib.core import calendar

    last = dt.date(2026, 11, 20)
    targets = calendar.sessions_ending(last, 20)  # October's end and November's start: two window starts
    # FULL has every window; GAP misses one session inside them; YOUNG has fewer bars than MACD needs
    bars = _session_bars({"FULL": 400, "GAP": 400, "YOUNG": 230}, last)
    bars = bars.filter(~((pl.col("symbol") == "GAP") & (pl.col("session") == calendar.sessions_ending(targets[0], 41)[0])))
    out = indicators_on_windows(bars.sample(fraction=1.0, shuffle=True, seed=5), targets)
    assert out.height == 60 and out.columns == list(INDICATORS)
    assert len({window_start(d) for d in targets}) == 2
    need = required_bars()
    for row in out.iter_rows(named=True):
        session = row["session"]
        for names, first in ((set(INDICATOR_COLUMNS) - {"obv"}, window_start(session)),
                             ({"obv"}, calendar.sessions_ending(session, window_sessions())[0])):
            own = bars.filter(pl.col("symbol") == row["symbol"], pl.col("session").is_between(first, session))
            own = own.sort("session")
            want = _talib_direct(*[own[c].cast(pl.Float64).to_numpy().copy()
                                   for c in ("close", "high", "low", "volume")])
            for name in names:
                if own.height < need[name]:
                    assert row[name] is None, (row["symbol"], name, own.height)
                else:
                    assert row[name] == want[name][-1], (row["symbol"], session, name)
    young = out.filter(pl.col("symbol") == "YOUNG")
    assert young.get_column("macd").null_count() == 20 and young.get_column("sma_200").null_count() == 0
    gap = out.filter(pl.col("symbol") == "GAP")
    assert gap.get_column("obv").null_count() == 20  # OBV needs the whole window
    assert gap.get_column("rsi_14").null_count() == 0
    assert out.filter(pl.col("symbol") == "FULL").null_count().sum_horizontal().item() == 0


def test_a_session_alone_equals_the_same_session_inside_any_longer_read() -> None:
    from investing_assets.lib.analytics.indicators import indicators_on_windows, window_start
    from investing_assets.lib.core import calendar

    last = dt.date(2026, 11, 20)
    bars = _session_bars({"A": 700, "B": 450, "C": 300}, last)
    days = calendar.sessions_ending(last, 30)
    alone = indicators_on_windows(
        bars.filter(pl.col("session") >= window_start(days[10]), pl.col("session") <= days[10]), [days[10]])
    as_first = indicators_on_windows(bars, days[10:])
    as_last = indicators_on_windows(bars, days[:11])
    every_other = indicators_on_windows(bars, days[::2])  # gathered, not sliced, out of each month's pass
    for run in (as_first, as_last, every_other):
        assert run.filter(pl.col("session") == days[10]).equals(alone)
    assert alone.height == 3
    assert alone.filter(pl.col("symbol") != "C").null_count().sum_horizontal().item() == 0
    assert alone.filter(pl.col("symbol") == "C").get_column("obv").null_count() == 1  # 281 of 283 sessions
