"""The demo's ETF holdings: synthetic lists of demo stocks that are what the demo ETF quotes are made of."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.instruments import INSTRUMENTS
from investing_assets.lib.core.schemas import ETF_HOLDINGS, ETF_HOLDINGS_BY_SESSION
from investing_assets.lib.synthetic.source import DemoSource

SESSION = dt.date(2026, 11, 20)
SECTOR_ETFS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]


@pytest.fixture(scope="module")
def source() -> DemoSource:
    return DemoSource()


@pytest.fixture(scope="module")
def holdings(source: DemoSource) -> pl.DataFrame:
    return source.etf_holdings(SESSION)


def test_every_quoted_etf_made_of_demo_stocks_has_a_list_whose_weights_sum_to_one(holdings):
    assert dict(holdings.schema) == ETF_HOLDINGS
    sums = dict(holdings.group_by("etf").agg(pl.col("weight").sum()).iter_rows())
    assert sorted(sums) == sorted(set(INSTRUMENTS["etf"]) - {"IWM", "TLT"})
    assert all(total == pytest.approx(1.0, abs=1e-12) for total in sums.values())
    assert holdings["weight"].min() > 0 and holdings["symbol"].null_count() == 0
    assert holdings["shares"].null_count() == holdings["market_value"].null_count() == holdings.height
    assert holdings["as_of"].unique().to_list() == [SESSION]


def test_index_trackers_hold_their_index_at_its_weights(source, holdings):
    constituents = source.index_constituents(SESSION)
    for etf, code in (("SPY", "SPX"), ("QQQ", "NDX"), ("DIA", "DJI")):
        held = holdings.filter(pl.col("etf") == etf).select("symbol", "weight").sort("symbol")
        index = constituents.filter(pl.col("index_code") == code).select("symbol", "weight").sort("symbol")
        assert held.equals(index), etf


def test_a_sector_spdr_holds_its_sectors_sp500_members(source, holdings):
    sectors = dict(source.universe(SESSION).select("symbol", "sector").iter_rows())
    spx = set(source.index_constituents(SESSION).filter(pl.col("index_code") == "SPX")["symbol"])
    xlk = holdings.filter(pl.col("etf") == "XLK")
    assert set(xlk["symbol"]) == {s for s in spx if sectors[s] == "Information Technology"}
    assert set(holdings.filter(pl.col("etf").is_in(SECTOR_ETFS))["symbol"]) == spx  # every member once


def test_the_holdings_move_the_etf_as_its_quotes_do(source):
    """A day's XLK return is its previous session's holdings' weighted return (cap-weighted: weights at the
    previous close times each member's return), up to the quotes' rounding to cents."""
    before, day = calendar.sessions_ending(SESSION, 2)
    weights = source.etf_holdings(before, ["XLK"]).select("symbol", "weight")
    bars = source.daily_bars([before, day], weights["symbol"].to_list())
    returns = bars.pivot(on="session", index="symbol", values="close").select(
        "symbol", change=pl.col(str(day)) / pl.col(str(before)))
    implied = weights.join(returns, on="symbol").select((pl.col("weight") * pl.col("change")).sum()).item()
    quotes = source.quotes("etf", [before, day], ["XLK"])["close"].to_list()
    assert implied == pytest.approx(quotes[1] / quotes[0], rel=1e-4)


def test_lists_follow_the_session_and_repeat_exactly(source, holdings):
    assert source.etf_holdings(SESSION).equals(holdings)
    earlier = source.etf_holdings(dt.date(2026, 6, 1), ["SPY"])
    assert earlier["weight"].to_list() != holdings.filter(pl.col("etf") == "SPY")["weight"].to_list()
    assert earlier.height == holdings.filter(pl.col("etf") == "SPY").height


def test_an_etf_the_demo_holds_no_list_of_is_refused_naming_those_it_does(source):
    with pytest.raises(ValueError, match=r"demo: no holdings of IWM: the demo holds lists of DIA, QQQ, SPY, XLB, .*"
                                         r"; the demo's IWM and TLT are not made of demo stocks"):
        source.etf_holdings(SESSION, ["SPY", "IWM"])
    with pytest.raises(ValueError, match=r"demo: no holdings of ARKK: the demo holds lists of DIA, .* XLY$"):
        source.etf_holdings(SESSION, ["ARKK"])
    with pytest.raises(ValueError, match="not an NYSE session"):
        source.etf_holdings(dt.date(2026, 11, 21))


def test_a_range_holds_each_sessions_own_lists_in_session_order(source):
    days = [SESSION, dt.date(2016, 3, 1), dt.date(2026, 6, 1), SESSION]  # any order, a repeat, years apart
    for etfs in (None, ["XLK", "DIA"]):
        ranged = source.etf_holdings_range(days, etfs)
        assert dict(ranged.schema) == ETF_HOLDINGS_BY_SESSION
        expected = pl.concat([source.etf_holdings(day, etfs).with_columns(session=pl.lit(day))
                              for day in sorted(set(days))])
        assert ranged.equals(expected), etfs
    assert source.etf_holdings_range([]).height == 0
    with pytest.raises(ValueError, match="demo: no holdings of IWM"):
        source.etf_holdings_range([SESSION], ["IWM"])
    with pytest.raises(ValueError, match="2026-11-21 .not an NYSE session"):
        source.etf_holdings_range([SESSION, dt.date(2026, 11, 21)])


def test_a_subclass_that_changes_the_lists_gets_its_change_in_a_range_too():
    class Halved(DemoSource):
        def etf_holdings(self, session, etfs=None):
            return super().etf_holdings(session, etfs).with_columns(weight=pl.col("weight") / 2)

    days = [dt.date(2026, 11, 19), SESSION]
    ranged = Halved().etf_holdings_range(days, ["DIA"])
    plain = DemoSource().etf_holdings_range(days, ["DIA"])
    assert ranged.equals(plain.with_columns(weight=pl.col("weight") / 2))
