"""Yahoo connector on recorded data: node-yahoo-finance2's v8 chart cassettes (replayed through a real
requests.Session for the chart fetcher) and yfinance's own Ticker.history() dumps (fed to the yfinance
fetcher through a stand-in Ticker). Numbers asserted are read off the recorded files in ../shared/data/fixtures/.
"""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import polars as pl
import pytest
from yfinance import exceptions as yfe

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.schemas import CORPORATE_ACTIONS, DAILY_BARS, QUOTES, UNIVERSE
from investing_assets.lib.sources.http import PayloadError, RetryPolicy, SourceError
from investing_assets.lib.sources.yahoo import (
    ChartApiFetcher,
    YahooSource,
    YfinanceFetcher,
    parse_chart,
    parse_chart_actions,
    parse_history_actions,
    parse_history_frame,
    parse_info,
)
from investing_assets_tests.lib.sources._replay import (
    YAHOO_NODE,
    YFINANCE_DATA,
    Recorded,
    ReplayAdapter,
    ScriptedAdapter,
    json_response,
    load_node,
    no_network,  # noqa: F401  (fixture)
    node_body,
    recorded,
    session_with,
    url_key,
)

pytestmark = pytest.mark.usefixtures("no_network")

FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002)
AAPL_CHART = YAHOO_NODE / "chart-AAPL-2020-01-01-to-2020-01-03.json"
BTC_CHART = YAHOO_NODE / "chart-BTC-USD-2020-01-01-to-2020-01-03.json"
GOLD_CHART = YAHOO_NODE / "chart-GC=F-2020-01-01-to-2020-01-03.json"
WEEKEND_1M = YAHOO_NODE / "chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json"
QUOTE_AAPL_BABA = YAHOO_NODE / "quote-AAPL-BABA.json"
SPLIT_BAD = YFINANCE_DATA / "4063-T-1d-bad-stock-split.csv"
SPLIT_FIXED = YFINANCE_DATA / "4063-T-1d-bad-stock-split-fixed.csv"
EA_15M = YFINANCE_DATA / "EA-15m-no-bad-divs.csv"


def history_frame(path) -> pd.DataFrame:
    """A Ticker.history() dump read back the way yfinance returns it: tz-aware DatetimeIndex."""
    df = pd.read_csv(recorded(path), index_col=0)
    df.index = pd.to_datetime(df.index)
    return df


def chart_key(url: str) -> tuple:
    # The cassettes were recorded by node-yahoo-finance2 with its own extra params (useYfid, lang, ...);
    # what decides the data is the ticker path, interval and the period bounds.
    return url_key(url, params=("interval", "period1", "period2"))


def chart_source(*cassettes, lookback_days: int = 10) -> tuple[YahooSource, ReplayAdapter]:
    adapter = ReplayAdapter([load_node(c) for c in cassettes], key=chart_key)
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    return YahooSource(fetcher=fetcher, lookback_days=lookback_days), adapter


# --------------------------------------------------------------------------- v8 chart JSON


def test_parse_chart_aapl_2020_01_02():
    bars = parse_chart(node_body(AAPL_CHART))
    assert dict(bars.schema) == DAILY_BARS
    assert bars.to_dicts() == [{
        "symbol": "AAPL", "session": dt.date(2020, 1, 2), "open": 74.05999755859375, "high": 75.1500015258789,
        "low": 73.79750061035156, "close": 75.0875015258789, "adj_close": 72.71607208251953,
        "volume": 135480400}]


def test_parse_chart_sessions_are_exchange_local_dates():
    # BTC bars are stamped 00:00 UTC; gold futures 00:00 New York (05:00 UTC): both are their own day.
    btc = parse_chart(node_body(BTC_CHART))
    assert btc["session"].to_list() == [dt.date(2020, 1, 1), dt.date(2020, 1, 2), dt.date(2020, 1, 3)]
    assert btc["close"].to_list() == [7200.17431640625, 6985.47021484375, 7344.88427734375]
    assert btc["volume"].to_list() == [18565664997, 20802083465, 28111481032]
    gold = parse_chart(node_body(GOLD_CHART), symbol="GC=F")
    assert gold.select("session", "close", "volume").row(0) == (dt.date(2020, 1, 2), 1524.5, 214)


def test_parse_chart_no_timestamps_is_an_empty_frame():
    # Recorded for Saturday 2025-02-01: meta, but no timestamps and an empty quote object.
    bars = parse_chart(node_body(WEEKEND_1M))
    assert bars.is_empty() and dict(bars.schema) == DAILY_BARS


def test_parse_chart_missing_field_names_the_symbol():
    body = copy.deepcopy(node_body(AAPL_CHART))
    del body["chart"]["result"][0]["indicators"]["quote"][0]["close"]
    with pytest.raises(PayloadError, match=r"AAPL.*indicators\.quote\[0\]\.close") as info:
        parse_chart(body)
    assert info.value.symbol == "AAPL"

    body = copy.deepcopy(node_body(AAPL_CHART))
    del body["chart"]["result"][0]["indicators"]["adjclose"]
    with pytest.raises(PayloadError, match="AAPL.*adjclose"):
        parse_chart(body)


def test_parse_chart_error_object_and_wrong_symbol():
    # Yahoo's error shape (as served with a 404 for an unknown ticker).
    error = {"chart": {"result": None, "error": {"code": "Not Found",
                                                 "description": "No data found, symbol may be delisted"}}}
    with pytest.raises(PayloadError, match="ZZZZ.*Not Found: No data found"):
        parse_chart(error, symbol="ZZZZ")
    with pytest.raises(PayloadError, match="MSFT.*answered for 'AAPL'"):
        parse_chart(node_body(AAPL_CHART), symbol="MSFT")


def test_parse_chart_refuses_unapplied_split_event():
    # Recorded BTC payload changed in memory: a 2:1 split event on 2020-01-02 with the close halved that
    # day but earlier prices left as they were, i.e. history Yahoo forgot to adjust.
    body = copy.deepcopy(node_body(BTC_CHART))
    result = body["chart"]["result"][0]
    result["indicators"]["quote"][0]["close"][1] = 7200.17431640625 / 2
    result["events"] = {"splits": {"1577923200": {"date": 1577923200, "numerator": 2, "denominator": 1}}}
    with pytest.raises(PayloadError, match="BTC-USD.*ratio 2 on 2020-01-02 is not applied"):
        parse_chart(body)


def test_chart_fetcher_replays_recorded_aapl():
    source, adapter = chart_source(AAPL_CHART)
    bars = source.daily_bars([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], ["AAPL"])
    assert bars.select("symbol", "session", "close").rows() == [("AAPL", dt.date(2020, 1, 2), 75.0875015258789)]
    (request,) = adapter.requests
    assert request.url.startswith("https://query2.finance.yahoo.com/v8/finance/chart/AAPL?")
    assert "period1=1577836800" in request.url and "period2=1578009600" in request.url
    assert "interval=1d" in request.url and "events=div%7Csplit" in request.url


def test_chart_fetcher_crypto_quote_change_against_previous_day():
    source, adapter = chart_source(BTC_CHART, lookback_days=1)
    quotes = source.quotes("crypto", [dt.date(2020, 1, 2)], symbols=["BTC-USD"])
    assert dict(quotes.schema) == QUOTES
    row = quotes.row(0, named=True)
    assert (row["asset_class"], row["symbol"], row["name"]) == ("crypto", "BTC-USD", "Bitcoin USD")
    assert row["close"] == 6985.47021484375
    assert row["change_pct"] == pytest.approx((6985.47021484375 / 7200.17431640625 - 1) * 100)  # -2.98%


def test_chart_fetcher_commodity_keeps_unknown_change_null():
    # GC=F's recorded window holds only 2020-01-02, so there is no previous close to compare with.
    source, adapter = chart_source(GOLD_CHART, lookback_days=1)
    quotes = source.quotes("commodity", [dt.date(2020, 1, 2)], symbols=["GC=F"])
    assert quotes.select("symbol", "name", "close", "change_pct").rows() == [("GC=F", "Gold", 1524.5, None)]
    assert "/v8/finance/chart/GC=F?" in adapter.requests[0].url


def test_chart_fetcher_retries_503_then_succeeds_and_404_fails_at_once():
    ok = load_node(AAPL_CHART)[2]
    adapter = ScriptedAdapter([Recorded(503, b"busy"), Recorded(503, b"busy"), ok])
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    assert fetcher.fetch("AAPL", dt.date(2020, 1, 1), dt.date(2020, 1, 2)).height == 1
    assert len(adapter.requests) == 3

    adapter = ScriptedAdapter([Recorded(503, b"busy")])
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    with pytest.raises(SourceError, match=r"yahoo GET .*chart/AAPL.*gave up.*status 503, 3 attempts"):
        fetcher.fetch("AAPL", dt.date(2020, 1, 1), dt.date(2020, 1, 2))

    not_found = json_response({"chart": {"result": None, "error": {
        "code": "Not Found", "description": "No data found, symbol may be delisted"}}}, status=404)
    adapter = ScriptedAdapter([not_found])
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    with pytest.raises(SourceError, match="HTTP 404.*symbol may be delisted") as info:
        fetcher.fetch("ZZZZ", dt.date(2020, 1, 1), dt.date(2020, 1, 2))
    assert info.value.attempts == 1 and len(adapter.requests) == 1


# --------------------------------------------------------------------------- yfinance frames


def test_parse_history_frame_repaired_split_history():
    bars = parse_history_frame("4063.T", history_frame(SPLIT_FIXED))
    assert dict(bars.schema) == DAILY_BARS and bars.height == 22
    # Stamps are 00:00+09:00 (15:00 UTC the day before): the session is the Tokyo date.
    assert bars["session"][0] == dt.date(2023, 3, 15) and bars["session"][-1] == dt.date(2023, 4, 14)
    row = bars.filter(pl.col("session") == dt.date(2023, 3, 28)).row(0, named=True)
    assert (row["open"], row["close"], row["adj_close"], row["volume"]) == (4200.0, 4142.0, 4087.837109375, 4505500)


def test_parse_history_frame_refuses_unapplied_split():
    # yfinance's recorded bad case: a 5:1 split on 2023-03-30, prices before it still pre-split.
    with pytest.raises(PayloadError, match=r"4063\.T.*ratio 5 on 2023-03-30.*20710 on 2023-03-28.*repair=True"):
        parse_history_frame("4063.T", history_frame(SPLIT_BAD))


def test_parse_history_frame_refuses_intraday_rows():
    with pytest.raises(PayloadError, match="EA.*more than one bar on 2026-05-26.*interval=1d"):
        parse_history_frame("EA", history_frame(EA_15M))


def test_parse_history_frame_needs_adj_close():
    df = history_frame(SPLIT_FIXED).drop(columns=["Adj Close"])
    with pytest.raises(PayloadError, match=r"4063\.T.*Adj Close.*auto_adjust=False"):
        parse_history_frame("4063.T", df)


def test_parse_history_frame_multiindex_from_download():
    df = history_frame(SPLIT_FIXED)
    df.columns = pd.MultiIndex.from_product([df.columns, ["4063.T"]], names=["Price", "Ticker"])
    assert parse_history_frame("4063.T", df).height == 22


class FakeTicker:
    """Stands in for yfinance.Ticker: replays a recorded history() frame or raises yfinance's errors."""

    def __init__(self, script, info=None):
        self.script = list(script)
        self.calls: list[dict] = []
        self._info = info

    def __call__(self, ticker):  # the factory: one Ticker per call, like yfinance
        self.ticker = ticker
        return self

    def history(self, **kwargs):
        self.calls.append(kwargs)
        step = self.script[min(len(self.calls), len(self.script)) - 1]
        if isinstance(step, BaseException):
            raise step
        return step.copy()

    @property
    def info(self):
        return self._info


def test_yfinance_fetcher_passes_the_right_arguments_and_filters_sessions():
    fake = FakeTicker([history_frame(SPLIT_FIXED)])
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    bars = source.daily_bars([dt.date(2023, 3, 31), dt.date(2023, 3, 30), dt.date(2023, 4, 1)], ["4063.T"])
    assert bars.select("session", "close").rows() == [(dt.date(2023, 3, 30), 4161.0), (dt.date(2023, 3, 31), 4275.0)]
    assert fake.ticker == "4063.T"
    (call,) = fake.calls
    # end is exclusive in yfinance, so one day past the last session; Adj Close kept separate.
    assert call == {"start": "2023-03-30", "end": "2023-04-02", "interval": "1d", "auto_adjust": False,
                    "actions": True, "repair": True}


class TickerLog(FakeTicker):
    """A FakeTicker that remembers every ticker it was built for."""

    def __call__(self, ticker):
        self.tickers = [*getattr(self, "tickers", []), ticker]
        return super().__call__(ticker)


def test_every_dataset_asks_yahoo_in_its_spelling_and_files_under_ours():
    """BRK.B goes out as BRK-B for bars and corporate actions, SPX as ^GSPC for quotes, and the rows come back under
    our names (the recorded 4063.T frame stands in for each answer: a stated change of one, its ticker)."""
    frame = history_frame(SPLIT_FIXED)
    days = [dt.date(2023, 3, 30), dt.date(2023, 3, 31)]
    fake = TickerLog([frame])
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST), lookback_days=1)
    bars = source.daily_bars(days, ["BRK.B", "AAPL"])
    actions = source.corporate_actions(days, ["BF.B"])
    quotes = source.quotes("index", days, ["SPX"])
    assert fake.tickers == ["BRK-B", "AAPL", "BF-B", "^GSPC"]
    assert bars.get_column("symbol").unique().sort().to_list() == ["AAPL", "BRK.B"]
    assert dict(actions.schema) == CORPORATE_ACTIONS
    assert quotes.select("symbol", "name").unique().rows() == [("SPX", "S&P 500")]


def test_yfinance_fetcher_retries_rate_limits():
    fake = FakeTicker([yfe.YFRateLimitError(), yfe.YFRateLimitError(), history_frame(SPLIT_FIXED)])
    fetcher = YfinanceFetcher(ticker_factory=fake, policy=FAST)
    assert fetcher.fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14)).height == 22
    assert len(fake.calls) == 3

    fake = FakeTicker([yfe.YFRateLimitError()])
    with pytest.raises(SourceError, match=r"yahoo yfinance Ticker\('4063\.T'\).*Too Many Requests.*3 attempts"):
        YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14))
    assert len(fake.calls) == 3


def test_yfinance_fetcher_missing_prices_is_empty_and_missing_ticker_fails_at_once():
    fake = FakeTicker([yfe.YFPricesMissingError("4063.T", "(1d 2023-04-15 -> 2023-04-17)")])
    assert YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch(
        "4063.T", dt.date(2023, 4, 15), dt.date(2023, 4, 16)).is_empty()

    fake = FakeTicker([yfe.YFTzMissingError("ZZZZ")])
    with pytest.raises(SourceError, match="ZZZZ.*possibly delisted; no timezone found"):
        YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("ZZZZ", dt.date(2023, 4, 3), dt.date(2023, 4, 4))
    assert len(fake.calls) == 1


def test_yfinance_fetcher_surfaces_an_unrepaired_split():
    fake = FakeTicker([history_frame(SPLIT_BAD)])
    with pytest.raises(PayloadError, match="4063.T.*not applied"):
        YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14))


# --------------------------------------------------------------------------- universe, refusals


def test_parse_info_from_recorded_quote():
    aapl, baba = node_body(QUOTE_AAPL_BABA)["quoteResponse"]["result"]
    row = parse_info("AAPL", aapl).row(0, named=True)
    # The v7 quote carries name and share count but no sector/industry: those stay null.
    assert row == {"symbol": "AAPL", "name": "Apple Inc.", "sector": None, "industry": None,
                   "shares_outstanding": 15022100480}
    with pytest.raises(PayloadError, match="ZZZZ.*no longName"):
        parse_info("ZZZZ", {"trailingPegRatio": None})


def test_universe_of_configured_symbols_uses_the_profile_fetcher():
    aapl = node_body(QUOTE_AAPL_BABA)["quoteResponse"]["result"][0]
    fetcher = YfinanceFetcher(ticker_factory=FakeTicker([], info=aapl), policy=FAST)
    source = YahooSource(["AAPL"], fetcher=fetcher, profiles=fetcher)
    assert Dataset.UNIVERSE in source.datasets
    universe = source.universe(dt.date(2025, 2, 14))
    assert dict(universe.schema) == UNIVERSE and universe["name"].to_list() == ["Apple Inc."]


def test_without_symbols_and_profiles_yahoo_declares_no_universe():
    fetcher = YfinanceFetcher(ticker_factory=FakeTicker([]), policy=FAST)
    for source in (YahooSource(fetcher=fetcher), YahooSource(["AAPL"], fetcher=fetcher)):
        assert Dataset.UNIVERSE not in source.datasets
        with pytest.raises(ValueError, match="no universe without symbols and a profile fetcher"):
            source.universe(dt.date(2025, 1, 2))
    with pytest.raises(ValueError, match="no symbols"):
        YahooSource(fetcher=fetcher).daily_bars([dt.date(2025, 1, 2)])


def test_yahoo_stubs_nothing_it_does_not_serve():
    """Index membership, estimates and news are not Yahoo datasets: not declared, no method pretending otherwise
    (the chart fetcher has no profile method either)."""
    source = YahooSource(["AAPL"], fetcher=YfinanceFetcher(ticker_factory=FakeTicker([]), policy=FAST))
    assert not source.datasets & {Dataset.CONSTITUENTS, Dataset.ESTIMATES, Dataset.NEWS}
    for method in ("index_constituents", "analyst_estimates", "news", "index_quotes"):
        assert not hasattr(source, method), method
    assert not hasattr(ChartApiFetcher(), "info")


def test_user_symbols_are_validated_but_internal_tickers_are_not():
    with pytest.raises(ValueError, match="refusing symbol '\\^GSPC'"):
        YahooSource(["^GSPC"])
    source, adapter = chart_source(AAPL_CHART)
    with pytest.raises(ValueError, match="refusing symbol"):
        source.daily_bars([dt.date(2020, 1, 2)], ["AAPL?x=1"])
    assert adapter.requests == []
    with pytest.raises(ValueError, match="no crypto instrument \\['DOGE-USD'\\]"):
        source.quotes("crypto", [dt.date(2020, 1, 2)], symbols=["DOGE-USD"])


# ------------------------------------------------------------------------------------------ corporate actions


def test_parse_history_actions_reads_yfinances_dividend_and_split_columns():
    actions = parse_history_actions("4063.T", history_frame(SPLIT_FIXED))
    assert dict(actions.schema) == CORPORATE_ACTIONS
    assert actions.rows() == [("4063.T", dt.date(2023, 3, 30), "dividend", None, 55.0),
                              ("4063.T", dt.date(2023, 3, 30), "split", 5.0, None)]


def test_yfinance_fetcher_serves_the_actions_of_the_asked_sessions():
    fake = FakeTicker([history_frame(SPLIT_FIXED)])
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    assert source.corporate_actions([dt.date(2023, 3, 31)], ["4063.T"]).height == 0
    actions = source.corporate_actions([dt.date(2023, 3, 29), dt.date(2023, 3, 30)], ["4063.T"])
    assert actions.select("session", "kind").rows() == [(dt.date(2023, 3, 30), "dividend"),
                                                        (dt.date(2023, 3, 30), "split")]
    assert fake.calls[-1]["actions"] is True


def _aapl_with_2020_events() -> dict:
    """The recorded AAPL chart with the `events` object Yahoo adds for events=div|split: AAPL's own 2020 dividend
    (0.77 on 2020-02-07) and 4:1 split (2020-08-31), stamped at the 09:30 New York open as Yahoo stamps them."""
    body = copy.deepcopy(node_body(AAPL_CHART))
    body["chart"]["result"][0]["events"] = {
        "dividends": {"1581085800": {"amount": 0.77, "date": 1581085800}},
        "splits": {"1598880600": {"date": 1598880600, "numerator": 4, "denominator": 1, "splitRatio": "4:1"}},
    }
    return body


def test_parse_chart_actions_reads_the_events_on_exchange_local_dates():
    actions = parse_chart_actions(_aapl_with_2020_events(), symbol="AAPL")
    assert actions.rows() == [("AAPL", dt.date(2020, 2, 7), "dividend", None, 0.77),
                              ("AAPL", dt.date(2020, 8, 31), "split", 4.0, None)]
    assert parse_chart_actions(node_body(AAPL_CHART)).height == 0  # the recorded answer has no events


def test_parse_chart_actions_refuses_a_split_without_a_ratio():
    body = _aapl_with_2020_events()
    body["chart"]["result"][0]["events"]["splits"]["1598880600"]["denominator"] = 0
    with pytest.raises(PayloadError, match=r"AAPL.*split on 2020-08-31 has ratio 4/0"):
        parse_chart_actions(body, symbol="AAPL")


def test_chart_fetcher_actions_come_from_the_same_recorded_request():
    source, adapter = chart_source(AAPL_CHART)
    assert source.corporate_actions([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], ["AAPL"]).height == 0
    (request,) = adapter.requests
    assert "events=div%7Csplit" in request.url
