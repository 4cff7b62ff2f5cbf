from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time

import numpy as np
import polars as pl
import pytest
from pytickersymbols import PyTickerSymbols

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import DAILY_BARS, INDEX_CONSTITUENTS, QUOTES, UNIVERSE
from investing_assets.lib.synthetic import market, reference
from investing_assets.lib.synthetic import universe as demo_universe
from investing_assets.lib.synthetic.source import DemoSource

DAY = dt.date(2025, 6, 2)
# Four years for the statistical checks: long enough to be stable, short enough to be fast.
STATS_SESSIONS = calendar.sessions_between(dt.date(2014, 1, 1), dt.date(2017, 12, 31))
SECTOR_ETFS = {"XLK", "XLF", "XLE", "XLV", "XLY", "XLP", "XLI", "XLU", "XLB", "XLRE", "XLC"}


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource()


@pytest.fixture(scope="module")
def universe(source: DemoSource) -> pl.DataFrame:
    return source.universe(DAY)


@pytest.fixture(scope="module")
def stats_bars(source: DemoSource) -> pl.DataFrame:
    return source.daily_bars(STATS_SESSIONS)


def _matrix(bars: pl.DataFrame, column: str) -> np.ndarray:
    """(sessions, symbols) array from bars sorted by (symbol, session) with a full grid."""
    n_symbols = bars["symbol"].n_unique()
    return bars[column].to_numpy().reshape(n_symbols, -1).T


def _log_returns(bars: pl.DataFrame) -> np.ndarray:
    return np.diff(np.log(_matrix(bars, "close")), axis=0)


# ----------------------------------------------------------------------------------------------- universe


def test_universe_is_the_plain_us_union_of_the_three_indices(universe: pl.DataFrame) -> None:
    assert universe.schema == pl.Schema(UNIVERSE)
    symbols = universe["symbol"].to_list()
    assert symbols == sorted(symbols) and len(set(symbols)) == len(symbols)
    assert 480 <= len(symbols) <= 530
    assert all(re.fullmatch(r"^[A-Z0-9.\-]{1,10}$", s) for s in symbols)
    assert {"AAPL", "MSFT", "BRK.B", "JPM", "NVDA"} <= set(symbols)
    # Foreign NASDAQ-100 listings are dropped.
    assert not {"ASML", "PDD", "ARM", "SHOP", "TRI", "CCEP"} & set(symbols)
    assert set(universe["sector"]) <= set(demo_universe.SECTOR_ETFS)
    assert universe.filter(pl.col("symbol") == "XOM")["sector"].item() == "Energy"
    assert universe.filter(pl.col("symbol") == "EQIX")["sector"].item() == "Real Estate"
    assert universe["industry"].null_count() == 0 and universe["name"].null_count() == 0
    assert (universe["shares_outstanding"] > 0).all()


def test_universe_is_the_same_every_session(source: DemoSource, universe: pl.DataFrame) -> None:
    assert source.universe(calendar.CALENDAR_START).equals(universe)


def test_mega_caps_have_more_shares(universe: pl.DataFrame) -> None:
    mega = universe.filter(pl.col("symbol").is_in(["AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "JPM"]))
    assert mega["shares_outstanding"].median() > 5 * universe["shares_outstanding"].median()


# ----------------------------------------------------------------------------------------------- indices


def test_index_constituents_counts_and_weights(source: DemoSource, universe: pl.DataFrame) -> None:
    constituents = source.index_constituents(DAY)
    assert constituents.schema == pl.Schema(INDEX_CONSTITUENTS)
    counts = dict(constituents.group_by("index_code").len().iter_rows())
    assert 490 <= counts["SPX"] <= 510
    assert 85 <= counts["NDX"] <= 105
    dow = {s["symbol"] for s in PyTickerSymbols().get_stocks_by_index("DOW JONES")}
    assert counts["DJI"] == len(dow) == 30
    assert set(constituents["symbol"]) <= set(universe["symbol"])
    sums = constituents.group_by("index_code").agg(pl.col("weight").sum())["weight"].to_numpy()
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    assert (constituents["weight"] > 0).all()

    closes = source.daily_bars([DAY]).select("symbol", "close").join(universe, on="symbol")
    spx = constituents.filter(pl.col("index_code") == "SPX").join(closes, on="symbol")
    cap = spx["close"] * spx["shares_outstanding"]
    np.testing.assert_allclose(spx["weight"], cap / cap.sum(), rtol=1e-12)
    dji = constituents.filter(pl.col("index_code") == "DJI").join(closes, on="symbol")
    np.testing.assert_allclose(dji["weight"], dji["close"] / dji["close"].sum(), rtol=1e-12)


def test_index_weights_move_with_prices_but_membership_does_not(source: DemoSource) -> None:
    early = source.index_constituents(dt.date(2012, 3, 1))
    late = source.index_constituents(DAY)
    assert early.select("index_code", "symbol").equals(late.select("index_code", "symbol"))
    assert not np.allclose(early["weight"], late["weight"])


def test_index_levels_reproduce_from_constituents(source: DemoSource, universe: pl.DataFrame) -> None:
    days = [calendar.CALENDAR_START, dt.date(2016, 8, 1), reference.REFERENCE_SESSION, DAY]
    bars = source.daily_bars(days).join(universe.select("symbol", "shares_outstanding"), on="symbol")
    members = source.index_constituents(DAY)
    quotes = source.quotes("index", days)
    assert quotes.schema == pl.Schema(QUOTES)
    anchor = days.index(reference.REFERENCE_SESSION)  # the divisors make the real levels on that day
    for code, base in reference.INDEX_LEVELS.items():
        rows = bars.join(members.filter(pl.col("index_code") == code).select("symbol"), on="symbol")
        qty = pl.lit(1.0) if code == "DJI" else pl.col("shares_outstanding").cast(pl.Float64)
        sums = (
            rows.group_by("session")
            .agg(
                *(((pl.col(c) * qty).sum()).alias(c) for c in ("open", "high", "low", "close")),
                pl.col("volume").sum(),
            )
            .sort("session")
        )
        divisor = sums["close"][anchor] / base
        level = quotes.filter(pl.col("symbol") == code).sort("session")
        for column in ("open", "close"):
            np.testing.assert_allclose(level[column], sums[column] / divisor, atol=0.0051, err_msg=code)
        assert (level["volume"] == sums["volume"]).all()
        assert (level["high"] <= sums["high"] / divisor + 0.01).all()
        assert (level["low"] >= sums["low"] / divisor - 0.01).all()
        assert level.select((pl.col("high") >= pl.max_horizontal("open", "close")).all()).item()
        assert level.select((pl.col("low") <= pl.min_horizontal("open", "close")).all()).item()
    assert set(quotes["name"]) == {"S&P 500", "NASDAQ-100", "Dow Jones Industrial Average"}
    assert (quotes["asset_class"] == "index").all()


def test_spx_level_is_realistic_in_2026(source: DemoSource) -> None:
    close = source.quotes("index", [dt.date(2026, 1, 2)]).filter(pl.col("symbol") == "SPX")["close"].item()
    assert 2500 < close < 12000


def test_change_pct_is_close_over_previous_session_close(source: DemoSource) -> None:
    days = calendar.sessions_ending(DAY, 30)
    for asset_class in ("index", "etf", "commodity", "crypto", "fx"):
        def method(sessions, asset_class=asset_class):
            return source.quotes(asset_class, sessions)

        quotes = method(days)
        expected = quotes.with_columns(
            expected=(pl.col("close") / pl.col("close").shift().over("symbol") - 1) * 100
        ).drop_nulls("expected")
        np.testing.assert_allclose(expected["change_pct"], expected["expected"], rtol=1e-9)
        # A single later session still knows its previous close.
        single = method([DAY]).join(method([days[-2]]).select("symbol", prev="close"), on="symbol")
        np.testing.assert_allclose(
            single["change_pct"], (single["close"] / single["prev"] - 1) * 100, rtol=1e-9
        )
    first = source.quotes("index", [calendar.CALENDAR_START])
    assert first["change_pct"].null_count() == first.height


# ------------------------------------------------------------------------------------------- determinism


def test_same_bar_whatever_the_order_range_or_subset(source: DemoSource) -> None:
    days = calendar.sessions_ending(DAY, 40)
    full = source.daily_bars(days)
    assert full.schema == pl.Schema(DAILY_BARS)
    assert full.equals(full.sort("symbol", "session"))
    shuffled = source.daily_bars(list(reversed(days)) + days[:5])  # order and duplicates do not matter
    assert shuffled.equals(full)
    wider = source.daily_bars(calendar.sessions_ending(DAY, 300))
    assert wider.filter(pl.col("session").is_in(days)).equals(full)
    single = source.daily_bars([days[17]], ["MSFT", "AAPL"])
    assert single.equals(full.filter(pl.col("session") == days[17], pl.col("symbol").is_in(["AAPL", "MSFT"])))
    subset = ["ZTS", "BRK.B", "AAPL"]
    assert source.daily_bars(days, subset).equals(full.filter(pl.col("symbol").is_in(subset)))
    assert source.daily_bars(days, "AAPL").equals(full.filter(pl.col("symbol") == "AAPL"))
    # A new instance (same seed) gives the same data; another seed does not.
    assert DemoSource().daily_bars(days).equals(full)
    assert not DemoSource(seed=7).daily_bars(days, ["AAPL"]).equals(full.filter(pl.col("symbol") == "AAPL"))


def test_a_fresh_interpreter_gives_identical_data(source: DemoSource, tmp_path) -> None:
    days = [dt.date(2011, 5, 3), dt.date(2019, 9, 16), DAY]
    out = tmp_path / "bars.ipc"
    script = (
        "import datetime as dt, polars as pl, sys\n"
        "from investing_assets.lib.synthetic.source import DemoSource\n"
        "s = DemoSource()\n"
        f"days = [dt.date.fromisoformat(d) for d in {[d.isoformat() for d in days]!r}]\n"
        "pl.concat([s.daily_bars(days).with_columns(kind=pl.lit('bars')).select('symbol', 'session', 'close', 'volume', 'kind'),\n"
        "           s.quotes('crypto', days).with_columns(kind=pl.lit('crypto')).select('symbol', 'session', 'close', 'volume', 'kind')])"
        ".write_ipc(sys.argv[1])\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # a different str hash salt must not matter
    subprocess.run([sys.executable, "-c", script, str(out)], check=True, env=env, timeout=120)
    here = pl.concat(
        [
            source.daily_bars(days)
            .with_columns(kind=pl.lit("bars"))
            .select("symbol", "session", "close", "volume", "kind"),
            source.quotes("crypto", days)
            .with_columns(kind=pl.lit("crypto"))
            .select("symbol", "session", "close", "volume", "kind"),
        ]
    )
    assert pl.read_ipc(out).equals(here)


def test_a_longer_calendar_only_appends_sessions() -> None:
    """The calendar grows every day; existing bars must not change when it does."""
    full = market.simulated_market(20161104)
    count = full.close.shape[0] - 150
    shorter = market.build_market(20161104, count)
    for name in ("open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(shorter, name), getattr(full, name)[:count], err_msg=name)
    for asset_class, quotes in shorter.quotes.items():
        np.testing.assert_array_equal(
            quotes.close, full.quotes[asset_class].close[:count], err_msg=asset_class
        )
        np.testing.assert_array_equal(
            quotes.volume, full.quotes[asset_class].volume[:count], err_msg=asset_class
        )


def test_a_symbols_bars_do_not_depend_on_the_rest_of_the_universe() -> None:
    full = market.simulated_market(20161104)
    every_third = full.stocks[1::3]  # still covers every sector and index
    count = calendar.session_index(DAY) + 1
    part = market.build_market(20161104, count, every_third)
    columns = [full.column[s.symbol] for s in every_third]
    for name in ("open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(part, name), getattr(full, name)[:count, columns], err_msg=name)


# --------------------------------------------------------------------------------------------- bar shape


def test_bars_are_valid_ohlc_over_a_year(source: DemoSource) -> None:
    days = calendar.sessions_between(dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    bars = source.daily_bars(days)
    assert bars.height == bars["symbol"].n_unique() * len(days)
    assert bars.null_count().sum_horizontal().item() == 0
    checks = bars.select(
        positive=pl.min_horizontal("open", "high", "low", "close").min() > 0,
        low_ok=(pl.col("low") <= pl.min_horizontal("open", "close")).all(),
        high_ok=(pl.col("high") >= pl.max_horizontal("open", "close")).all(),
        volume_ok=(pl.col("volume") > 0).all(),
        adj_ok=(pl.col("adj_close") == pl.col("close")).all(),
    )
    assert checks.row(0) == (True, True, True, True, True)
    # Opens gap from the previous close: close to it, but not equal to it.
    gaps = bars.with_columns(prev=pl.col("close").shift().over("symbol")).drop_nulls("prev")
    gap = (gaps["open"] / gaps["prev"] - 1).abs()
    assert gap.median() < 0.02
    assert (gaps["open"] != gaps["prev"]).mean() > 0.9


def test_starting_prices_are_plausible(source: DemoSource) -> None:
    """Prices are anchored on the reference session and backfilled without splits, so the first session
    holds what 15 years of the model's drift give back: positive, mostly dollars to hundreds."""
    first = source.daily_bars([calendar.CALENDAR_START])["close"]
    assert first.min() > 1 and first.max() < 10 * max(reference.reference_closes().values())
    assert 10 < first.median() < 200


def test_annualized_vol_is_in_range_and_drift_positive(stats_bars: pl.DataFrame) -> None:
    returns = _log_returns(stats_bars)
    vol = returns.std(axis=0) * np.sqrt(252)
    assert vol.min() >= 0.12 and vol.max() <= 0.70, (vol.min(), vol.max())
    assert 0.18 < np.median(vol) < 0.40
    full = market.simulated_market(20161104).close
    total = np.log(full[-1] / full[0])
    assert np.median(total) > 0


def test_fat_tails(stats_bars: pl.DataFrame) -> None:
    r = _log_returns(stats_bars)
    r = r - r.mean(axis=0)
    kurtosis = (r**4).mean(axis=0) / (r**2).mean(axis=0) ** 2
    assert (kurtosis > 3).mean() >= 0.9
    assert np.median(kurtosis) > 4


def test_volatility_clusters(stats_bars: pl.DataFrame) -> None:
    a = np.abs(_log_returns(stats_bars))
    a = a - a.mean(axis=0)
    autocorr = (a[1:] * a[:-1]).mean(axis=0) / (a * a).mean(axis=0)
    assert np.median(autocorr) > 0.03
    assert (autocorr > 0).mean() >= 0.8


def test_volume_scales_with_size_and_with_the_move(stats_bars: pl.DataFrame, universe: pl.DataFrame) -> None:
    volume = _matrix(stats_bars, "volume").astype(float)
    shares = universe.filter(pl.col("symbol").is_in(stats_bars["symbol"].unique()))[
        "shares_outstanding"
    ].to_numpy()
    size_corr = np.corrcoef(np.log(np.median(volume, axis=0)), np.log(shares))[0, 1]
    assert size_corr > 0.8
    moves = np.abs(_log_returns(stats_bars))
    turnover = volume[1:] / shares
    per_name = [np.corrcoef(moves[:, i], turnover[:, i])[0, 1] for i in range(moves.shape[1])]
    assert np.mean(np.array(per_name) > 0.2) > 0.95


# ------------------------------------------------------------------------------------------------ quotes


def test_index_etfs_track_their_index(source: DemoSource) -> None:
    days = calendar.sessions_ending(DAY, 250)
    indices = source.quotes("index", days).pivot(on="symbol", index="session", values="close").sort("session")
    etfs = source.quotes("etf", days)
    closes = etfs.pivot(on="symbol", index="session", values="close").sort("session")
    for etf, code, ratio in (("SPY", "SPX", 10), ("QQQ", "NDX", 41), ("DIA", "DJI", 100)):
        np.testing.assert_allclose(closes[etf], indices[code] / ratio, rtol=1e-3, err_msg=etf)
    assert set(etfs["symbol"]) == {"SPY", "QQQ", "DIA", "IWM", "TLT"} | SECTOR_ETFS
    assert (etfs["asset_class"] == "etf").all()
    assert etfs["name"].null_count() == 0


def test_sector_etfs_follow_their_sector_and_iwm_tlt_follow_the_market(
    source: DemoSource, stats_bars: pl.DataFrame, universe: pl.DataFrame
) -> None:
    closes = (
        source.quotes("etf", STATS_SESSIONS).pivot(on="symbol", index="session", values="close").sort("session")
    )
    spx = source.quotes("index", STATS_SESSIONS).filter(pl.col("symbol") == "SPX")["close"].to_numpy()
    spx_r = np.diff(np.log(spx))
    members = set(source.index_constituents(DAY).filter(pl.col("index_code") == "SPX")["symbol"])
    caps = stats_bars.join(universe, on="symbol").filter(pl.col("symbol").is_in(members))
    for sector, etf in demo_universe.SECTOR_ETFS.items():
        basket = (
            caps.filter(pl.col("sector") == sector)
            .group_by("session")
            .agg((pl.col("close") * pl.col("shares_outstanding")).sum())
            .sort("session")["close"]
            .to_numpy()
        )
        np.testing.assert_allclose(closes[etf] / closes[etf][0], basket / basket[0], rtol=2e-3, err_msg=etf)
    iwm_r, tlt_r = (np.diff(np.log(closes[s].to_numpy())) for s in ("IWM", "TLT"))
    assert np.cov(iwm_r, spx_r)[0, 1] / spx_r.var() > 1.0
    assert np.corrcoef(tlt_r, spx_r)[0, 1] < -0.1
    assert tlt_r.std() * np.sqrt(252) < 0.2


def test_commodity_and_crypto_vols_and_levels(source: DemoSource) -> None:
    days = calendar.sessions_between(dt.date(2012, 1, 1), dt.date(2021, 12, 31))
    spx = np.diff(np.log(source.quotes("index", days).filter(pl.col("symbol") == "SPX")["close"].to_numpy()))

    def vol_and_corr(frame: pl.DataFrame, symbol: str) -> tuple[float, float]:
        r = np.diff(np.log(frame.filter(pl.col("symbol") == symbol)["close"].to_numpy()))
        return r.std() * np.sqrt(252), np.corrcoef(r, spx)[0, 1]

    commodities = source.quotes("commodity", days)
    assert set(commodities["symbol"]) == {"GC=F", "SI=F", "CL=F", "NG=F", "HG=F"}
    for symbol, low, high in (("GC=F", 0.10, 0.21), ("CL=F", 0.25, 0.45), ("NG=F", 0.40, 0.70)):
        vol, _ = vol_and_corr(commodities, symbol)
        assert low < vol < high, (symbol, vol)
    latest = dict(source.quotes("commodity", [DAY]).select("symbol", "close").iter_rows())
    assert 500 < latest["GC=F"] < 6000 and 15 < latest["CL=F"] < 250 and 0.5 < latest["NG=F"] < 25

    crypto = source.quotes("crypto", days)
    assert set(crypto["symbol"]) == {"BTC-USD", "ETH-USD", "SOL-USD"}
    for symbol in ("BTC-USD", "ETH-USD", "SOL-USD"):
        vol, corr = vol_and_corr(crypto, symbol)
        assert 0.45 < vol < 1.0 and 0.0 < corr < 0.5, (symbol, vol, corr)
    pinned = dict(source.quotes("crypto", [dt.date(2024, 1, 2)]).select("symbol", "close").iter_rows())
    assert pinned == {"BTC-USD": 44_900.0, "ETH-USD": 2_350.0, "SOL-USD": 100.0}


def test_currency_pairs_are_quoted_to_the_pip_in_their_quote_currency(source: DemoSource) -> None:
    days = calendar.sessions_between(dt.date(2012, 1, 1), dt.date(2021, 12, 31))
    fx = source.quotes("fx", days)
    assert set(fx["symbol"]) == {"EURUSD", "GBPUSD", "USDJPY"} and fx["volume"].null_count() == fx.height
    assert dict(fx.select("symbol", "currency").unique().iter_rows()) == {
        "EURUSD": "USD", "GBPUSD": "USD", "USDJPY": "JPY"}
    for symbol in ("EURUSD", "GBPUSD", "USDJPY"):
        r = np.diff(np.log(fx.filter(pl.col("symbol") == symbol)["close"].to_numpy()))
        assert 0.04 < r.std() * np.sqrt(252) < 0.15, symbol
    pinned = source.quotes("fx", [dt.date(2024, 1, 2)]).select("symbol", "close").rows()
    assert pinned == [("EURUSD", 1.094), ("GBPUSD", 1.262), ("USDJPY", 141.98)]
    # Pips, not cents: EUR/USD moves in its fifth decimal.
    eur = fx.filter(pl.col("symbol") == "EURUSD")["close"]
    assert (eur * 100).round(6).ne((eur * 100).round(0)).mean() > 0.9
    assert 0.75 < eur.min() and eur.max() < 1.6  # mean-reverting: it wanders as the real rate did, no further


def test_all_quotes_are_valid_bars(source: DemoSource) -> None:
    days = calendar.sessions_between(dt.date(2010, 1, 1), dt.date(2027, 1, 1))
    for asset_class in ("index", "etf", "commodity", "crypto", "fx"):
        q = source.quotes(asset_class, days)
        assert q.schema == pl.Schema(QUOTES)
        checks = q.select(
            positive=(pl.min_horizontal("open", "high", "low", "close") > 0).all(),
            low_ok=(pl.col("low") <= pl.min_horizontal("open", "close")).all(),
            high_ok=(pl.col("high") >= pl.max_horizontal("open", "close")).all(),
            volume_ok=(pl.col("volume") > 0).all() if asset_class != "fx" else pl.col("volume").is_null().all(),
        )
        assert checks.row(0) == (True, True, True, True), asset_class
        assert q.equals(q.sort("symbol", "session"))


# ------------------------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (dt.date(2024, 12, 25), "not an NYSE session"),  # holiday
        (dt.date(2024, 6, 1), "not an NYSE session"),  # Saturday
        (dt.date(2009, 12, 31), "before the demo history"),
    ],
)
def test_non_sessions_raise(source: DemoSource, day: dt.date, message: str) -> None:
    for call in (
        lambda: source.daily_bars([DAY, day]),
        lambda: source.universe(day),
        lambda: source.index_constituents(day),
        lambda: source.quotes("index", [day]),
        lambda: source.quotes("crypto", [day]),
    ):
        with pytest.raises(ValueError, match=message) as error:
            call()
        assert day.isoformat() in str(error.value)


def test_unknown_symbols_are_named(source: DemoSource) -> None:
    with pytest.raises(ValueError, match=r"\['NOPE', 'ZZZZ'\]"):
        source.daily_bars([DAY], ["AAPL", "ZZZZ", "NOPE"])
    with pytest.raises(ValueError, match=r"no crypto instrument \['DOGE-USD'\]"):
        source.quotes("crypto", [DAY], ["BTC-USD", "DOGE-USD"])
    with pytest.raises(ValueError, match="no asset class 'bonds'"):
        source.quotes("bonds", [DAY])


def test_quotes_narrowed_to_symbols_are_the_same_rows(source: DemoSource) -> None:
    every = source.quotes("crypto", [DAY])
    assert source.quotes("crypto", [DAY], ["SOL-USD", "BTC-USD"]).equals(
        every.filter(pl.col("symbol").is_in(["BTC-USD", "SOL-USD"])))


def test_empty_requests_give_empty_frames(source: DemoSource) -> None:
    assert source.daily_bars([]).schema == pl.Schema(DAILY_BARS) and source.daily_bars([]).height == 0
    assert source.quotes("etf", []).schema == pl.Schema(QUOTES)


def test_slicing_is_fast_once_built(source: DemoSource) -> None:
    days = calendar.sessions_ending(DAY, 60)
    source.daily_bars(days[:1])
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        source.daily_bars(days)
        best = min(best, time.perf_counter() - start)
    assert best < 0.5
