"""Yahoo connector on recorded data: node-yahoo-finance2's v8 chart cassettes (replayed through a real
requests.Session for the chart fetcher) and yfinance's own Ticker.history() dumps (fed to the yfinance
fetcher through a stand-in Ticker). Numbers asserted are read off the recorded files in ../shared/data/fixtures/.
"""

from __future__ import annotations

import copy
import datetime as dt
import json

import pandas as pd
import polars as pl
import pytest
from yfinance import exceptions as yfe

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.schemas import CORPORATE_ACTIONS, QUOTES, UNIVERSE, VENDOR_BARS
from investing_assets.lib.sources.http import (
    NO_DATA,
    NO_DATA_IN_RANGE,
    UNKNOWN_OR_DELISTED,
    NoData,
    PayloadError,
    RetryPolicy,
    SourceError,
    TransportError,
)
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
from investing_assets_tests.lib.sources._loopback import Drop, Loopback, Stall
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
    assert dict(bars.schema) == VENDOR_BARS
    assert bars.to_dicts() == [{
        "symbol": "AAPL", "session": dt.date(2020, 1, 2), "open": 74.05999755859375, "high": 75.1500015258789,
        "low": 73.79750061035156, "close": 75.0875015258789, "adj_close": 72.71607208251953,
        "volume": 135480400, "currency": "USD"}]


def test_parse_chart_sessions_are_exchange_local_dates():
    # BTC bars are stamped 00:00 UTC; gold futures 00:00 New York (05:00 UTC): both are their own day.
    btc = parse_chart(node_body(BTC_CHART))
    assert btc["session"].to_list() == [dt.date(2020, 1, 1), dt.date(2020, 1, 2), dt.date(2020, 1, 3)]
    assert btc["close"].to_list() == [7200.17431640625, 6985.47021484375, 7344.88427734375]
    assert btc["volume"].to_list() == [18565664997, 20802083465, 28111481032]
    gold = parse_chart(node_body(GOLD_CHART), symbol="GC=F")
    assert gold.select("session", "close", "volume").row(0) == (dt.date(2020, 1, 2), 1524.5, 214)


def test_parse_chart_refuses_another_interval():
    # Recorded with interval=1m (meta.dataGranularity "1m"): not daily bars, whatever its rows.
    with pytest.raises(PayloadError, match="AAPL.*chart interval is '1m', expected daily bars"):
        parse_chart(node_body(WEEKEND_1M))
    # The recorded daily AAPL chart with the interval a weekly request gets: one bar a week would pass as a day's.
    weekly = copy.deepcopy(node_body(AAPL_CHART))
    weekly["chart"]["result"][0]["meta"]["dataGranularity"] = "1wk"
    with pytest.raises(PayloadError, match="AAPL.*chart interval is '1wk', expected daily bars"):
        parse_chart(weekly)
    with pytest.raises(PayloadError, match="'1wk'"):
        parse_chart_actions(weekly)


def test_parse_chart_without_timestamps_is_no_data_in_range():
    # The recorded Saturday 2025-02-01 answer (meta, no timestamps, an empty quote object), as a daily chart.
    body = copy.deepcopy(node_body(WEEKEND_1M))
    body["chart"]["result"][0]["meta"]["dataGranularity"] = "1d"
    with pytest.raises(NoData, match=r"yahoo: no data for AAPL: no data in the asked range: .*no timestamps.*"
                                     r"2025-02-01\.\.2025-02-02") as info:
        parse_chart(body, asked=(dt.date(2025, 2, 1), dt.date(2025, 2, 2)))
    assert (info.value.symbol, info.value.reason, info.value.provider) == ("AAPL", NO_DATA_IN_RANGE, "yahoo")
    with pytest.raises(NoData):
        parse_chart_actions(body)


def test_parse_chart_carries_the_currency_yahoo_prices_in():
    # The recorded AAPL chart as a London listing would come: meta.currency "GBp" is pence, kept as Yahoo spells it.
    body = copy.deepcopy(node_body(AAPL_CHART))
    body["chart"]["result"][0]["meta"]["currency"] = "GBp"
    assert parse_chart(body)["currency"].to_list() == ["GBp"]
    del body["chart"]["result"][0]["meta"]["currency"]
    assert parse_chart(body)["currency"].to_list() == [None]
    body["chart"]["result"][0]["meta"]["currency"] = "pence"
    with pytest.raises(PayloadError, match="meta.currency is 'pence'"):
        parse_chart(body)


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


def yahoo_error(code: str, description: str) -> dict:
    """The recorded AAPL chart turned into Yahoo's error answer: result null, its error object set."""
    body = copy.deepcopy(node_body(AAPL_CHART))
    body["chart"] = {"result": None, "error": {"code": code, "description": description}}
    return body


NOT_FOUND = ("Not Found", "No data found, symbol may be delisted")  # what Yahoo says (HTTP 404) of an unknown ticker
NO_RANGE = ("Bad Request", "Data doesn't exist for startDate = 1577836800, endDate = 1578009600")  # (HTTP 400)


def test_parse_chart_error_object_says_why_there_is_no_data():
    with pytest.raises(NoData, match="ZZZZ: unknown or delisted symbol: Yahoo error Not Found: No data found") as info:
        parse_chart(yahoo_error(*NOT_FOUND), symbol="ZZZZ")
    assert info.value.reason == UNKNOWN_OR_DELISTED and info.value.symbol == "ZZZZ"
    with pytest.raises(NoData, match="AAPL: no data in the asked range: .*Data doesn't exist") as info:
        parse_chart(yahoo_error(*NO_RANGE), symbol="AAPL")
    assert info.value.reason == NO_DATA_IN_RANGE
    with pytest.raises(PayloadError, match="AAPL.*Yahoo error Internal Error: boom"):  # no reason given: malformed
        parse_chart(yahoo_error("Internal Error", "boom"), symbol="AAPL")
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
    assert row["close"] == 6985.47021484375 and row["currency"] == "USD"
    assert row["change_pct"] == pytest.approx((6985.47021484375 / 7200.17431640625 - 1) * 100)  # -2.98%


def test_chart_fetcher_commodity_keeps_unknown_change_null():
    # GC=F's recorded window holds only 2020-01-02, so there is no previous close to compare with.
    source, adapter = chart_source(GOLD_CHART, lookback_days=1)
    quotes = source.quotes("commodity", [dt.date(2020, 1, 2)], symbols=["GC=F"])
    assert quotes.select("symbol", "name", "close", "change_pct").rows() == [("GC=F", "Gold", 1524.5, None)]
    assert "/v8/finance/chart/GC=F?" in adapter.requests[0].url


def test_fx_quotes_ask_for_yahoos_pair_ticker_and_carry_its_currency():
    """The recorded BTC-USD chart with its meta changed to EURUSD=X's (symbol, CURRENCY, Europe/London; the prices
    stay BTC's): a currency pair is asked as EURUSD=X and filed as EURUSD, in the quote currency Yahoo names."""
    method, url, response = load_node(BTC_CHART)
    body = json.loads(response.body)
    body["chart"]["result"][0]["meta"].update(symbol="EURUSD=X", instrumentType="CURRENCY", currency="USD",
                                              exchangeName="CCY", exchangeTimezoneName="Europe/London")
    adapter = ReplayAdapter([(method, url.replace("BTC-USD", "EURUSD=X"), json_response(body))], key=chart_key)
    source = YahooSource(fetcher=ChartApiFetcher(session=session_with(adapter), policy=FAST), lookback_days=1)
    assert Dataset.FX_QUOTES in source.datasets
    quotes = source.quotes("fx", [dt.date(2020, 1, 2)], symbols=["EURUSD"])
    assert quotes.select("asset_class", "symbol", "name", "session", "currency").rows() == [
        ("fx", "EURUSD", "Euro / US Dollar", dt.date(2020, 1, 2), "USD")]
    assert "/v8/finance/chart/EURUSD=X?" in adapter.requests[0].url


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

    adapter = ScriptedAdapter([json_response(yahoo_error(*NOT_FOUND), status=404)])
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    with pytest.raises(NoData, match="no data for ZZZZ: unknown or delisted symbol.*symbol may be delisted") as info:
        fetcher.fetch("ZZZZ", dt.date(2020, 1, 1), dt.date(2020, 1, 2))
    assert info.value.reason == UNKNOWN_OR_DELISTED and len(adapter.requests) == 1

    adapter = ScriptedAdapter([json_response(yahoo_error(*NO_RANGE), status=400)])
    fetcher = ChartApiFetcher(session=session_with(adapter), policy=FAST)
    with pytest.raises(NoData, match="no data for AAPL: no data in the asked range"):
        fetcher.fetch("AAPL", dt.date(2020, 1, 1), dt.date(2020, 1, 2))
    assert len(adapter.requests) == 1


# --------------------------------------------------------------------------- yfinance frames


def test_parse_history_frame_repaired_split_history():
    bars = parse_history_frame("4063.T", history_frame(SPLIT_FIXED))
    assert dict(bars.schema) == VENDOR_BARS and bars.height == 22
    assert bars["currency"].null_count() == 22  # no history_metadata given: the currency is not known
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
    """Stands in for yfinance.Ticker: replays a recorded history() frame or raises yfinance's errors; its
    `history_metadata` is a recorded chart's meta when given (yfinance keeps the meta of the chart it read)."""

    def __init__(self, script, info=None, metadata=None):
        self.script = list(script)
        self.calls: list[dict] = []
        self._info = info
        self.history_metadata = metadata or {}

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
        if isinstance(self._info, BaseException):
            raise self._info
        return self._info


def tokyo_meta() -> dict:
    """The recorded daily chart's meta as 4063.T's (a Tokyo listing, in yen): what history_metadata holds."""
    meta = node_body(AAPL_CHART)["chart"]["result"][0]["meta"]
    return {**meta, "symbol": "4063.T", "currency": "JPY", "exchangeTimezoneName": "Asia/Tokyo"}


def test_yfinance_fetcher_passes_the_right_arguments_and_filters_sessions():
    fake = FakeTicker([history_frame(SPLIT_FIXED)], metadata=tokyo_meta())
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
    fake = TickerLog([frame], metadata=tokyo_meta())
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


def test_yfinance_fetcher_tells_why_yahoo_has_no_data():
    """yfinance calls every empty answer "possibly delisted"; what Yahoo actually said decides the reason."""
    def fetch(error):
        fake = FakeTicker([error])
        with pytest.raises(NoData) as info:
            YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 4, 15),
                                                                    dt.date(2023, 4, 16))
        assert len(fake.calls) == 1  # never retried
        return info.value

    # A known ticker (its timezone was found) without prices in the range: a Tokyo weekend.
    empty = fetch(yfe.YFPricesMissingError("4063.T", "(1d 2023-04-15 -> 2023-04-17)"))
    assert empty.reason == NO_DATA_IN_RANGE and empty.symbol == "4063.T"
    assert "4063.T" in str(empty) and "yahoo" in str(empty) and "2023-04-15 -> 2023-04-17" in str(empty)
    # No timezone: Yahoo has no meta for the ticker at all.
    assert fetch(yfe.YFTzMissingError("ZZZZ")).reason == UNKNOWN_OR_DELISTED
    # Yahoo's own reason, which yfinance passes on.
    assert fetch(yfe.YFPricesMissingError("ZZZZ", "", yahoo_reason=NOT_FOUND[1])).reason == UNKNOWN_OR_DELISTED
    assert fetch(yfe.YFPricesMissingError("4063.T", "", yahoo_reason=NO_RANGE[1])).reason == NO_DATA_IN_RANGE


def test_yfinance_fetcher_retries_an_html_page_then_raises_one_error():
    # yfinance decodes whatever body Yahoo sends and lets the JSONDecodeError out (a consent or error page).
    page = "<!doctype html><html><head><title>Yahoo</title></head><body>Will be right back...</body></html>"
    try:
        json.loads(page)
    except json.JSONDecodeError as exc:
        decode_error = exc
    fake = FakeTicker([decode_error, history_frame(SPLIT_FIXED)])
    assert YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch(
        "4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14)).height == 22
    assert len(fake.calls) == 2

    fake = FakeTicker([decode_error])
    with pytest.raises(TransportError, match=r"yahoo yfinance Ticker\('4063\.T'\).*not JSON.*"
                                             r"\(symbol 4063\.T, 3 attempts\)") as info:
        YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14))
    assert len(fake.calls) == 3 and info.value.symbol == "4063.T"


def test_yfinance_http_errors_are_ours_and_yahoo_has_no_key_to_check():
    from curl_cffi.requests import Response
    from curl_cffi.requests import exceptions as cce

    def http_error(status: int, url: str) -> cce.HTTPError:
        """What yfinance's raise_for_status raises for a quoteSummary answer of `status` (curl_cffi backend)."""
        response = Response()
        response.status_code, response.url = status, url
        return cce.HTTPError(f"HTTP Error {status}: ", 0, response)

    url = "https://query2.finance.yahoo.com/v10/finance/quoteSummary/ZZZZ?modules=financialData&crumb=abc123"
    fake = FakeTicker([], info=http_error(404, url))
    with pytest.raises(NoData, match="no data for ZZZZ: unknown or delisted symbol") as info:
        YfinanceFetcher(ticker_factory=fake, policy=FAST).info("ZZZZ")
    assert "abc123" not in str(info.value)

    fake = FakeTicker([], info=http_error(401, url))
    with pytest.raises(SourceError, match="HTTP 401.*Yahoo has no API key to check") as info:
        YfinanceFetcher(ticker_factory=fake, policy=FAST).info("ZZZZ")
    assert "check the API key" not in str(info.value)

    fake = FakeTicker([], info=http_error(503, url))
    with pytest.raises(TransportError, match="3 attempts"):
        YfinanceFetcher(ticker_factory=fake, policy=FAST).info("ZZZZ")


def test_yfinance_fetcher_checks_the_interval_and_carries_the_currency():
    meta = node_body(AAPL_CHART)["chart"]["result"][0]["meta"]  # the meta of a recorded daily chart
    fake = FakeTicker([history_frame(SPLIT_FIXED)], metadata={**meta, "currency": "JPY"})
    bars = YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14))
    assert set(bars["currency"]) == {"JPY"}

    fake = FakeTicker([history_frame(SPLIT_FIXED)], metadata={**meta, "dataGranularity": "1wk"})
    with pytest.raises(PayloadError, match=r"4063\.T.*interval is '1wk', expected daily bars"):
        YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch("4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14))
    # yfinance's repair refetches 1h bars on the same Ticker and leaves their meta: the daily frame still passes.
    fake = FakeTicker([history_frame(SPLIT_FIXED)], metadata={**meta, "dataGranularity": "1h"})
    assert YfinanceFetcher(ticker_factory=fake, policy=FAST).fetch(
        "4063.T", dt.date(2023, 3, 15), dt.date(2023, 4, 14)).height == 22


def test_bars_carry_their_currency_and_bars_without_one_are_refused():
    fake = FakeTicker([history_frame(SPLIT_FIXED)], metadata=tokyo_meta())
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    bars = source.daily_bars([dt.date(2023, 3, 30)], ["4063.T"])
    assert bars.select("symbol", "close", "currency").rows() == [("4063.T", 4161.0, "JPY")]
    fake = FakeTicker([history_frame(SPLIT_FIXED)])  # no history_metadata: nobody says what the prices are in
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    with pytest.raises(PayloadError, match=r"yahoo: malformed payload for 4063\.T: the chart states no currency"):
        source.daily_bars([dt.date(2023, 3, 30)], ["4063.T"])
    source, _ = chart_source(AAPL_CHART)  # the recorded chart says USD
    bars = source.daily_bars([dt.date(2020, 1, 1), dt.date(2020, 1, 2)], ["AAPL"])
    assert bars.height == 1 and dict(bars.schema) == VENDOR_BARS and bars["currency"].to_list() == ["USD"]


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
    with pytest.raises(NoData, match="no data for ZZZZ.*no longName") as info:
        parse_info("ZZZZ", {"trailingPegRatio": None})
    assert info.value.reason == NO_DATA


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


# ------------------------------------------------------------------------------------------ over real HTTP


def loopback_fetcher(server: Loopback, policy: RetryPolicy = FAST) -> ChartApiFetcher:
    return ChartApiFetcher(policy=policy, base_url=f"{server.url}/v8/finance/chart/")


JAN_2 = (dt.date(2020, 1, 1), dt.date(2020, 1, 2))


def test_chart_fetcher_retries_a_connection_dropped_mid_body_then_names_what_failed():
    aapl = load_node(AAPL_CHART)[2]
    with Loopback([Drop(aapl, keep=len(aapl.body) // 2), aapl]) as server:
        assert loopback_fetcher(server).fetch("AAPL", *JAN_2)["close"].to_list() == [75.0875015258789]
        assert len(server.requests) == 2
    with Loopback([Drop(aapl, keep=len(aapl.body) // 2)]) as server:
        with pytest.raises(TransportError, match=r"yahoo GET http://127\.0\.0\.1:\d+/v8/finance/chart/AAPL\?.*"
                                                 r"gave up: ChunkedEncodingError.*\(symbol AAPL, 3 attempts\)") as info:
            loopback_fetcher(server).fetch("AAPL", *JAN_2)
        assert len(server.requests) == 3 and info.value.__cause__ is None


def test_chart_fetcher_retries_truncated_and_html_bodies():
    aapl = load_node(AAPL_CHART)[2]
    cut = Recorded(200, aapl.body[:1000], aapl.headers)  # the recorded body cut short, served as if whole
    page = Recorded(200, b"<!doctype html><html><body><h1>Will be right back...</h1></body></html>",
                    {"Content-Type": "text/html; charset=utf-8"})
    for bad, says in ((cut, r"not JSON \(application/json;charset=utf-8, 1000 bytes"), (page, r"not JSON \(text/html")):
        with Loopback([bad, aapl]) as server:
            assert loopback_fetcher(server).fetch("AAPL", *JAN_2).height == 1
        with Loopback([bad]) as server:
            with pytest.raises(TransportError, match=f"{says}.*symbol AAPL, status 200, 3 attempts"):
                loopback_fetcher(server).fetch("AAPL", *JAN_2)


def test_chart_fetcher_times_out_then_raises_one_error():
    aapl = load_node(AAPL_CHART)[2]
    policy = RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.002, read_timeout=0.05)
    with Loopback([Stall(aapl, seconds=0.5)]) as server:
        with pytest.raises(TransportError, match=r"ReadTimeout.*symbol AAPL, 2 attempts"):
            loopback_fetcher(server, policy).fetch("AAPL", *JAN_2)


def test_chart_fetcher_honours_retry_after_up_to_the_ceiling():
    aapl = load_node(AAPL_CHART)[2]
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=10, sleep=slept.append)
    busy = Recorded(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "7"}, "Too Many Requests")
    with Loopback([busy, aapl]) as server:
        assert loopback_fetcher(server, policy).fetch("AAPL", *JAN_2).height == 1
    assert slept == [7.0]  # what Yahoo asked, not the 1 ms backoff

    slept.clear()
    longer = Recorded(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "60"})
    with Loopback([longer, aapl]) as server:
        with pytest.raises(TransportError, match=r"retry after 60 s, longer than the 10 s ceiling.*1 attempt\)"):
            loopback_fetcher(server, policy).fetch("AAPL", *JAN_2)
        assert len(server.requests) == 1 and slept == []


def test_chart_fetcher_401_does_not_blame_an_api_key_yahoo_does_not_have():
    refused = Recorded(401, b'{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}',
                       {"Content-Type": "application/json"}, "Unauthorized")
    with Loopback([refused]) as server:
        with pytest.raises(SourceError, match="HTTP 401 Unauthorized \\(Yahoo has no API key to check.*Invalid Crumb"
                           ) as info:
            loopback_fetcher(server).fetch("AAPL", *JAN_2)
        assert "check the API key" not in str(info.value) and len(server.requests) == 1
