"""Bars are stored with the currency they are priced in, read back with it, and kept out of aggregates that add
dollar prices up. The Yahoo bars are the recorded AAPL chart (../shared/data/fixtures/yahoo_finance2_node) and a
stated change of it: re-labelled VOD.L, a London listing priced in pence (GBp)."""

import copy
import datetime as dt
import json

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.validation import validate_priced_bars
from investing_assets.lib.services import estimates, history, industry, market
from investing_assets.lib.sources.yahoo import CHART_URL, ChartApiFetcher, YahooSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import read_bars
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.lib.sources._replay import (
    YAHOO_NODE,
    Recorded,
    ReplayAdapter,
    node_body,
    session_with,
    url_key,
)

AAPL_CHART = YAHOO_NODE / "chart-AAPL-2020-01-01-to-2020-01-03.json"
QUOTES = YAHOO_NODE / "quote-AAPL-BABA.json"
JAN_2 = dt.date(2020, 1, 2)


def london(body: dict) -> dict:
    body = copy.deepcopy(body)
    body["chart"]["result"][0]["meta"].update({"symbol": "VOD.L", "currency": "GBp", "exchangeName": "LSE",
                                               "exchangeTimezoneName": "Europe/London", "gmtoffset": 0})
    body["chart"]["result"][0]["timestamp"] = [1577952000]  # 2020-01-02 08:00 London
    return body


class Profiles:
    """The recorded v7 quote of AAPL, and the same re-labelled VOD.L (Vodafone Group Plc, in GBp)."""

    def __init__(self) -> None:
        aapl = node_body(QUOTES)["quoteResponse"]["result"][0]
        self.by = {"AAPL": aapl, "VOD.L": {**aapl, "symbol": "VOD.L", "longName": "Vodafone Group Plc",
                                           "currency": "GBp", "sector": "Communication Services"}}

    def info(self, ticker: str) -> dict:
        return self.by[ticker]


@pytest.fixture
def yahoo() -> YahooSource:
    body = node_body(AAPL_CHART)
    recordings = [("GET", f"{CHART_URL}{ticker}", Recorded(200, json.dumps(b).encode()))
                  for ticker, b in (("AAPL", body), ("VOD.L", london(body)))]
    adapter = ReplayAdapter(recordings, key=lambda url: url_key(url, params=()))
    return YahooSource(["AAPL", "VOD.L"], fetcher=ChartApiFetcher(session=session_with(adapter)), profiles=Profiles())


def test_a_london_listing_is_stored_and_read_in_pence(warehouse, yahoo):
    market.write_universe(yahoo, warehouse, [JAN_2])
    market.write_daily_bars(yahoo, warehouse, [JAN_2])
    close = node_body(AAPL_CHART)["chart"]["result"][0]["indicators"]["quote"][0]["close"][0]
    assert warehouse.read_frame(f"SELECT symbol, close, currency FROM {names.DAILY_BARS} ORDER BY symbol").rows() == [
        ("AAPL", close, "USD"), ("VOD.L", close, "GBp")]
    assert read_bars(warehouse, JAN_2, JAN_2).select("symbol", "currency").rows() == [("AAPL", "USD"), ("VOD.L", "GBp")]


def test_a_symbols_history_keeps_its_currency(warehouse, yahoo):
    history.write_symbol_history(yahoo, warehouse, "VOD.L", JAN_2, JAN_2)
    assert warehouse.read_frame(f"SELECT symbol, session, currency FROM {names.SYMBOL_HISTORY}").rows() == [
        ("VOD.L", JAN_2, "GBp")]


def test_bars_without_a_currency_column_are_the_dollar_sources_and_a_null_currency_is_refused():
    bars = DemoSource().daily_bars(calendar.sessions_ending(dt.date(2026, 11, 20), 1), ["AAPL"])
    assert "currency" not in bars.columns
    assert validate_priced_bars(bars).get_column("currency").to_list() == ["USD"]
    with pytest.raises(BadMarketData, match="bar without a three-letter currency: AAPL on 2026-11-20"):
        validate_priced_bars(bars.with_columns(currency=pl.lit(None, pl.String)))
    with pytest.raises(BadMarketData, match="bar without a three-letter currency"):
        validate_priced_bars(bars.with_columns(currency=pl.lit("pence")))


def test_a_writer_that_names_no_currency_is_refused_by_the_table(warehouse):
    bars = DemoSource().daily_bars(calendar.sessions_ending(dt.date(2026, 11, 20), 1), ["AAPL"])
    with pytest.raises(Exception, match='null value in column "currency"'):  # no default to fall back on: no dollars
        warehouse.replace_rows(names.DAILY_BARS, bars.with_columns(source=pl.lit("demo")),
                               {"session": bars.get_column("session").unique().to_list()})


DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 2)


def test_industry_aggregates_leave_a_symbol_in_another_currency_out_and_say_so(warehouse):
    source = DemoSource()
    sessions = calendar.sessions_ending(DAYS[-1], industry.RETURN_SESSIONS + 2)
    market.write_universe(source, warehouse, sessions)
    market.write_daily_bars(source, warehouse, sessions)
    market.write_index_constituents(source, warehouse, DAYS)
    estimates.write_analyst_estimates(source, warehouse, DAYS)
    before = industry.write_industry_aggregates(warehouse, DAYS)
    sector_of = dict(warehouse.read_frame("SELECT DISTINCT symbol, sector FROM market.universe").rows())
    moved = sorted(sector_of)[0]
    # a stated change of the stored bars: one symbol's prices re-labelled as pence
    with warehouse.connect() as conn:
        conn.execute(f"UPDATE {names.DAILY_BARS} SET currency = 'GBp' WHERE symbol = %s", [moved])
    after = industry.write_industry_aggregates(warehouse, DAYS)
    assert f"1 symbol(s) priced in another currency than USD left out of the industry aggregates and index " \
           f"valuations: {moved} (GBp)" in after.notes
    assert not any("currency" in note for note in before.notes)

    def members(run, sector):
        frame = run.latest(run.aggregates)
        return frame.filter((pl.col("level") == "sector") & (pl.col("name") == sector)).get_column("members").item()

    assert members(after, sector_of[moved]) == members(before, sector_of[moved]) - 1
    stored = warehouse.read_frame("SELECT sum(members) FROM fundamentals.industry_aggregates "
                                  "WHERE level = 'sector' AND session = %s", [DAYS[-1]]).item()
    assert stored == warehouse.count("market.universe", {"session": [DAYS[-1]]}) - 1


def test_the_summary_names_a_movers_currency_when_it_is_not_dollars(warehouse):
    from investing_assets.lib.services.summary import Summary
    from investing_assets.lib.storage.queries.market import read_bars_with_previous

    source = DemoSource()
    market.write_universe(source, warehouse, DAYS)
    market.write_daily_bars(source, warehouse, DAYS)
    moved = warehouse.read_frame("SELECT min(symbol) FROM market.daily_bars").item()
    with warehouse.connect() as conn:  # a stated change of the stored bars: one symbol's prices re-labelled as pence
        conn.execute(f"UPDATE {names.DAILY_BARS} SET currency = 'GBp' WHERE symbol = %s", [moved])
    changes = market.session_changes(read_bars_with_previous(warehouse, DAYS[-1]), DAYS[-1])
    assert changes.filter(pl.col("currency") != "USD").get_column("symbol").to_list() == [moved]
    lines = Summary(DAYS[-1], {}, changes.sort("symbol").head(2), pl.DataFrame(), None).render().splitlines()
    movers = [line for line in lines if line.startswith("  ")][:2]
    assert movers[0].split()[0] == moved and movers[0].endswith("% GBp")
    assert movers[1].endswith("%")
