"""Acceptance matrix of the Yahoo and FMP connectors: every case is a real recorded body from ../shared/data/fixtures
(yahoo_finance2_node, fmp_openbb_cassettes) or a stated change of one, served over real HTTP on the loopback
(_loopback.py), through the source's public methods (bars, quotes per asset class, fx, constituents, estimates,
news, universe).

Each case asserts one exact outcome: the values parsed, exactly as the body has them, or the named error type whose
message names the provider, endpoint and symbol and never the API key. The change each case makes to a recording
is said in its docstring. Cases run skipped, naming the file, when ../shared/data/fixtures is not beside the
checkout.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pandas as pd
import polars as pl
import pytest
import requests

from investing_assets.lib.services.sources import MarketSources, parse_routes
from investing_assets.lib.sources.fmp import FmpSource
from investing_assets.lib.sources.http import (
    NO_DATA,
    NO_DATA_IN_RANGE,
    UNKNOWN_OR_DELISTED,
    NoData,
    PayloadError,
    QuotaExhausted,
    RetryPolicy,
    SourceError,
    TransportError,
)
from investing_assets.lib.sources.protocol import DatasetNotServed
from investing_assets.lib.sources.yahoo import ChartApiFetcher, YahooSource, YfinanceFetcher, parse_info
from investing_assets_tests.lib.sources._loopback import Drop, Loopback
from investing_assets_tests.lib.sources._replay import (
    FMP_CASSETTES,
    YAHOO_NODE,
    Recorded,
    load_vcr,
    no_network,  # noqa: F401  (fixture)
    node_body,
    vcr_body,
)

pytestmark = pytest.mark.usefixtures("no_network")

KEY = "matrixSECRETkey42"
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=30)

AAPL_CHART = YAHOO_NODE / "chart-AAPL-2020-01-01-to-2020-01-03.json"
AAPL_1M = YAHOO_NODE / "chart-AAPL-2025-02-01-to-2025-02-02-includePrePost-false-interval-1m.json"
BTC_CHART = YAHOO_NODE / "chart-BTC-USD-2020-01-01-to-2020-01-03.json"
GOLD_CHART = YAHOO_NODE / "chart-GC=F-2020-01-01-to-2020-01-03.json"
QUOTE_AAPL_BABA = YAHOO_NODE / "quote-AAPL-BABA.json"
QUOTE_GOLD = YAHOO_NODE / "quote-GC=F.json"

FMP_EOD = FMP_CASSETTES / "test_fmp_equity_historical_fetcher_urllib3_v2.yaml"
FMP_CRYPTO = FMP_CASSETTES / "test_fmp_crypto_historical_fetcher_urllib3_v2.yaml"
FMP_ESTIMATES = FMP_CASSETTES / "test_fmp_analyst_estimates_fetcher_urllib3_v2.yaml"
FMP_NEWS = FMP_CASSETTES / "test_fmp_company_news_fetcher_urllib3_v2.yaml"
FMP_DJI = FMP_CASSETTES / "test_fmp_index_constituents_fetcher_urllib3_v2.yaml"
FMP_DIA = FMP_CASSETTES / "test_fmp_etf_holdings_fetcher_urllib3_v2.yaml"
FMP_QUOTE_V3 = FMP_CASSETTES / "test_fmp_equity_quote_fetcher.yaml"

JAN_2_2020 = dt.date(2020, 1, 2)
JAN_2023 = [dt.date(2023, 1, d) for d in (3, 4, 5, 6, 9, 10)]  # the NYSE sessions of the recorded AAPL EOD rows

HTML_PAGE = b"<!doctype html><html><head><title>Service Unavailable</title></head><body>Back soon</body></html>"
LIMIT_REACH = {"Error Message": "Limit Reach . Please upgrade your plan or visit our documentation for more details "
                                "at https://site.financialmodelingprep.com/"}
INVALID_KEY = {"Error Message": "Invalid API KEY. Feel free to create a Free API Key or visit "
                                "https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid for "
                                "more information."}

CASES: dict[str, Callable[[], None]] = {}


def case(name: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    def register(fn: Callable[[], None]) -> Callable[[], None]:
        assert name not in CASES, name
        CASES[name] = fn
        return fn
    return register


# --------------------------------------------------------------------------- building the bodies


def as_json(payload: Any, status: int = 200, reason: str = "", **headers: str) -> Recorded:
    return Recorded(status, json.dumps(payload).encode(), {"Content-Type": "application/json", **headers}, reason)


def text(body: bytes, status: int, content_type: str = "text/html; charset=utf-8", reason: str = "",
         **headers: str) -> Recorded:
    return Recorded(status, body, {"Content-Type": content_type, **headers}, reason)


def chart(path=AAPL_CHART, *, meta: dict | None = None, drop: tuple[str, ...] = (),
          timestamps: list | None = None, events: dict | None = None) -> dict:
    """The recorded chart body with `meta` fields replaced, result keys dropped, other timestamps or events."""
    body = copy.deepcopy(node_body(path))
    result = body["chart"]["result"][0]
    result["meta"].update(meta or {})
    if timestamps is not None:
        result["timestamp"] = timestamps
    if events is not None:
        result["events"] = events
    for key in drop:
        result.pop(key, None)
    return body


def chart_result(body: dict) -> dict:
    return body["chart"]["result"][0]


def chart_values(body: dict) -> dict[str, list]:
    """The body's own values, as the bars must carry them."""
    result = chart_result(body)
    quote = result["indicators"]["quote"][0]
    return {"open": quote["open"], "high": quote["high"], "low": quote["low"], "close": quote["close"],
            "adj_close": result["indicators"]["adjclose"][0]["adjclose"], "volume": quote["volume"]}


def yahoo(server: Loopback, symbols: list[str] | None = None, policy: RetryPolicy = FAST) -> YahooSource:
    fetcher = ChartApiFetcher(policy=policy, base_url=f"{server.url}/v8/finance/chart/")
    return YahooSource(symbols, fetcher=fetcher)


def fmp(server: Loopback, policy: RetryPolicy = FAST, **kwargs: Any) -> FmpSource:
    return FmpSource(KEY, base_url=f"{server.url}/stable", policy=policy, **{"adjusted": False, **kwargs})


def fmp_body(path, index: int = 0) -> Any:
    return copy.deepcopy(vcr_body(path, index))


def fmp_recorded(path, index: int = 0) -> Recorded:
    """The recorded response as FMP sent it (gzip body and FMP's headers)."""
    return load_vcr(path)[index][2]


def relabel(rows: list[dict], symbol: str) -> list[dict]:
    return [{**row, "symbol": symbol} for row in rows]


def fails(cls: type[SourceError], call: Callable[[], Any], *says: str, server: Loopback | None = None,
          requests_made: int | None = None) -> SourceError:
    """`call` raises exactly `cls` (not a subclass standing for another outcome), whose message holds each of
    `says` and no API key."""
    with pytest.raises(SourceError) as info:
        call()
    error = info.value
    assert type(error) is cls, f"{type(error).__name__}: {error}"
    message = str(error)
    for part in says:
        assert part in message, f"{part!r} not in {message!r}"
    assert KEY not in message and KEY not in repr(error.args)
    assert error.__cause__ is None or KEY not in str(error.__cause__)
    if requests_made is not None:
        assert server is not None and len(server.requests) == requests_made, server.requests
    return error


def path_of(server: Loopback, i: int = 0) -> str:
    return requests.utils.unquote(server.requests[i])


def assert_bars(frame: pl.DataFrame, symbol: str, sessions: list[dt.date], values: dict[str, list],
                currency: str | None = None) -> None:
    assert frame.get_column("symbol").to_list() == [symbol] * len(sessions)
    assert frame.get_column("session").to_list() == sessions
    for column, expected in values.items():
        got = frame.get_column(column).to_list()
        assert got == [None if v is None else (round(v) if column == "volume" else float(v)) for v in expected], column
    if currency is not None:
        assert frame.get_column("currency").to_list() == [currency] * len(sessions)


# =========================================================================== Yahoo: daily bars


@case("yahoo-bars-AAPL-recorded")
def _() -> None:
    """The recorded AAPL chart as served: one bar, every value exact, in USD."""
    body = chart()
    with Loopback([as_json(body)]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["AAPL"])
    assert_bars(bars, "AAPL", [JAN_2_2020], chart_values(body), "USD")
    assert path_of(server).startswith("/v8/finance/chart/AAPL?")


@case("yahoo-bars-BRK.B-spelling")
def _() -> None:
    """The AAPL chart re-labelled BRK-B: asked as BRK-B, filed under BRK.B."""
    body = chart(meta={"symbol": "BRK-B", "longName": "Berkshire Hathaway Inc.", "shortName": "Berkshire"})
    with Loopback([as_json(body)]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["BRK.B"])
    assert_bars(bars, "BRK.B", [JAN_2_2020], chart_values(body), "USD")
    assert path_of(server).startswith("/v8/finance/chart/BRK-B?")


@case("yahoo-bars-london-GBp")
def _() -> None:
    """The AAPL chart re-labelled VOD.L, a London listing priced in pence (GBp), opening 08:00 London time:
    stored under its currency, never as dollars."""
    body = chart(meta={"symbol": "VOD.L", "currency": "GBp", "exchangeName": "LSE", "fullExchangeName": "LSE",
                       "exchangeTimezoneName": "Europe/London", "timezone": "GMT", "gmtoffset": 0},
                 timestamps=[1577952000])  # 2020-01-02 08:00 GMT
    with Loopback([as_json(body)]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["VOD.L"])
    assert_bars(bars, "VOD.L", [JAN_2_2020], chart_values(body), "GBp")


@case("yahoo-bars-tokyo-JPY")
def _() -> None:
    """The AAPL chart re-labelled 7203.T in yen, stamped 09:00 Tokyo on 6 Jan 2020 (00:00 UTC): the session is
    Tokyo's date, the currency JPY."""
    body = chart(meta={"symbol": "7203.T", "currency": "JPY", "exchangeName": "JPX",
                       "exchangeTimezoneName": "Asia/Tokyo", "timezone": "JST", "gmtoffset": 32400},
                 timestamps=[1578268800])
    with Loopback([as_json(body)]) as server:
        bars = yahoo(server).daily_bars([dt.date(2020, 1, 6)], ["7203.T"])
    assert_bars(bars, "7203.T", [dt.date(2020, 1, 6)], chart_values(body), "JPY")


@case("yahoo-bars-interval-1wk")
def _() -> None:
    """The AAPL chart with meta.dataGranularity 1wk: weekly bars are refused, not filed as daily ones."""
    with Loopback([as_json(chart(meta={"dataGranularity": "1wk"}))]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "yahoo", "AAPL", "'1wk'", server=server, requests_made=1)


@case("yahoo-bars-interval-1mo")
def _() -> None:
    """The AAPL chart with meta.dataGranularity 1mo."""
    with Loopback([as_json(chart(meta={"dataGranularity": "1mo"}))]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "AAPL", "'1mo'")


@case("yahoo-bars-interval-1m-recorded")
def _() -> None:
    """The recorded 1-minute AAPL chart, served to a daily request."""
    with Loopback([as_json(node_body(AAPL_1M))]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([dt.date(2025, 1, 31)], ["AAPL"]), "AAPL", "'1m'")


@case("yahoo-bars-no-timestamps")
def _() -> None:
    """The AAPL chart without `timestamp` and with empty quote lists: Yahoo knows the symbol, has no bar."""
    body = chart(drop=("timestamp",))
    result = chart_result(body)
    result["indicators"] = {"quote": [{}], "adjclose": [{}]}
    with Loopback([as_json(body)]) as server:
        error = fails(NoData, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "yahoo", "AAPL",
                      NO_DATA_IN_RANGE)
    assert error.reason == NO_DATA_IN_RANGE


@case("yahoo-bars-404-delisted")
def _() -> None:
    """Yahoo's 404 body for a symbol it does not know: {"chart": {"result": null, "error": {...}}}."""
    said = {"chart": {"result": None, "error": {"code": "Not Found",
                                                 "description": "No data found, symbol may be delisted"}}}
    with Loopback([as_json(said, 404, "Not Found")]) as server:
        error = fails(NoData, lambda: yahoo(server).daily_bars([JAN_2_2020], ["ZZZZ"]), "yahoo", "ZZZZ",
                      "symbol may be delisted", server=server, requests_made=1)
    assert error.reason == UNKNOWN_OR_DELISTED


@case("yahoo-bars-400-range")
def _() -> None:
    """Yahoo's 400 body for a range outside a known symbol's history."""
    said = {"chart": {"result": None, "error": {
        "code": "Bad Request", "description": "Data doesn't exist for startDate = 1577836800, endDate = 1578009600"}}}
    with Loopback([as_json(said, 400, "Bad Request")]) as server:
        error = fails(NoData, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "AAPL",
                      "Data doesn't exist", server=server, requests_made=1)
    assert error.reason == NO_DATA_IN_RANGE


@case("yahoo-bars-another-symbol")
def _() -> None:
    """The recorded AAPL chart served to a request for MSFT: someone else's prices are refused."""
    with Loopback([as_json(chart())]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["MSFT"]), "MSFT", "'AAPL'")


@case("yahoo-bars-all-closes-null")
def _() -> None:
    """The AAPL chart with its close set to null: a bar without a price is no bar."""
    body = chart()
    chart_result(body)["indicators"]["quote"][0]["close"] = [None]
    with Loopback([as_json(body)]) as server:
        error = fails(NoData, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "AAPL", "no close")
    assert error.reason == NO_DATA_IN_RANGE


@case("yahoo-bars-short-series")
def _() -> None:
    """The BTC-USD chart with one close removed: 2 closes for 3 timestamps is a malformed body."""
    body = chart(BTC_CHART)
    chart_result(body)["indicators"]["quote"][0]["close"].pop()
    with Loopback([as_json(body)]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["BTC-USD"]), "BTC-USD",
              "2 values for 3 timestamps")


@case("yahoo-bars-text-price")
def _() -> None:
    """The AAPL chart with its close as the string "75.09"."""
    body = chart()
    chart_result(body)["indicators"]["quote"][0]["close"] = ["75.09"]
    with Loopback([as_json(body)]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "AAPL", "'75.09'")


@case("yahoo-bars-bad-currency")
def _() -> None:
    """The AAPL chart with meta.currency "US Dollar": not a currency code."""
    with Loopback([as_json(chart(meta={"currency": "US Dollar"}))]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "AAPL", "'US Dollar'")


@case("yahoo-bars-no-currency")
def _() -> None:
    """The AAPL chart without meta.currency: bars whose currency nobody states are refused, not taken for
    dollars."""
    body = chart()
    del chart_result(body)["meta"]["currency"]
    with Loopback([as_json(body)]) as server:
        fails(PayloadError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]), "yahoo", "AAPL", "currency")


@case("yahoo-bars-429-retry-after")
def _() -> None:
    """A 429 asking for 5 s, then the recorded body: waited what Yahoo asked, then parsed exactly."""
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=30, sleep=slept.append)
    body = chart()
    busy = text(b"Too Many Requests", 429, "text/plain", "Too Many Requests", **{"Retry-After": "5"})
    with Loopback([busy, as_json(body)]) as server:
        bars = yahoo(server, policy=policy).daily_bars([JAN_2_2020], ["AAPL"])
    assert_bars(bars, "AAPL", [JAN_2_2020], chart_values(body), "USD")
    assert slept == [5.0]


@case("yahoo-bars-429-retry-after-beyond-ceiling")
def _() -> None:
    """A 429 asking for 3600 s, beyond the 30 s ceiling: not retried, one error saying so."""
    busy = text(b"Too Many Requests", 429, "text/plain", "Too Many Requests", **{"Retry-After": "3600"})
    with Loopback([busy, as_json(chart())]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "yahoo GET", "/v8/finance/chart/AAPL", "3600 s", "symbol AAPL", "status 429", "1 attempt)",
              server=server, requests_made=1)


@case("yahoo-bars-429-always")
def _() -> None:
    """429 without Retry-After on every try: backoff, then one TransportError after 3 attempts."""
    busy = text(b"Too Many Requests", 429, "text/plain", "Too Many Requests")
    with Loopback([busy]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "symbol AAPL", "status 429", "3 attempts", server=server, requests_made=3)


@case("yahoo-bars-500-then-ok")
def _() -> None:
    """A 500 then the recorded body."""
    body = chart()
    with Loopback([text(b"Internal Server Error", 500, "text/plain"), as_json(body)]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["AAPL"])
    assert_bars(bars, "AAPL", [JAN_2_2020], chart_values(body), "USD")
    assert len(server.requests) == 2


@case("yahoo-bars-500-always")
def _() -> None:
    """A 500 on every try."""
    with Loopback([text(b"Internal Server Error", 500, "text/plain")]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "yahoo GET", "/v8/finance/chart/AAPL", "HTTP 500", "symbol AAPL", "3 attempts",
              server=server, requests_made=3)


@case("yahoo-bars-404-html")
def _() -> None:
    """A 404 served as an HTML page (no Yahoo error object): a refusal naming the symbol, not retried."""
    with Loopback([text(b"<html><body>404 Not Found</body></html>", 404, reason="Not Found")]) as server:
        error = fails(SourceError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
                      "yahoo GET", "HTTP 404", "symbol AAPL", server=server, requests_made=1)
    assert error.status == 404


@case("yahoo-bars-html-200")
def _() -> None:
    """A consent/maintenance HTML page with status 200, on every try."""
    with Loopback([text(HTML_PAGE, 200)]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "not JSON (text/html", "symbol AAPL", "3 attempts", server=server, requests_made=3)


@case("yahoo-bars-html-then-ok")
def _() -> None:
    """The HTML page once, then the recorded body."""
    body = chart()
    with Loopback([text(HTML_PAGE, 200), as_json(body)]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["AAPL"])
    assert_bars(bars, "AAPL", [JAN_2_2020], chart_values(body), "USD")


@case("yahoo-bars-truncated")
def _() -> None:
    """The recorded body cut at half its length, served as if whole."""
    whole = as_json(chart())
    with Loopback([Recorded(200, whole.body[:len(whole.body) // 2], whole.headers)]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "not JSON", "symbol AAPL", "3 attempts")


@case("yahoo-bars-dropped-mid-body")
def _() -> None:
    """The connection closes after half the announced body, every time."""
    whole = as_json(chart())
    with Loopback([Drop(whole, keep=len(whole.body) // 2)]) as server:
        fails(TransportError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
              "yahoo GET", "/v8/finance/chart/AAPL", "symbol AAPL", "3 attempts", server=server, requests_made=3)


@case("yahoo-bars-dropped-then-ok")
def _() -> None:
    """The connection drops once mid-body, then the whole recorded body."""
    body = chart()
    whole = as_json(body)
    with Loopback([Drop(whole, keep=len(whole.body) // 3), whole]) as server:
        bars = yahoo(server).daily_bars([JAN_2_2020], ["AAPL"])
    assert_bars(bars, "AAPL", [JAN_2_2020], chart_values(body), "USD")


@case("yahoo-bars-401")
def _() -> None:
    """Yahoo's 401 "Invalid Crumb": Yahoo has no API key, so the message does not send you to check one."""
    said = {"finance": {"result": None, "error": {"code": "Unauthorized", "description": "Invalid Crumb"}}}
    with Loopback([as_json(said, 401, "Unauthorized")]) as server:
        error = fails(SourceError, lambda: yahoo(server).daily_bars([JAN_2_2020], ["AAPL"]),
                      "HTTP 401", "Invalid Crumb", "Yahoo has no API key", server=server, requests_made=1)
    assert "check the API key" not in str(error)


@case("yahoo-actions-dividend-event")
def _() -> None:
    """The AAPL chart with a dividend of 0.1925 and a 4:1 split event added on 2 Jan 2020."""
    body = chart(events={"dividends": {"1577975400": {"amount": 0.1925, "date": 1577975400}},
                         "splits": {"1577975400": {"date": 1577975400, "numerator": 4, "denominator": 1,
                                                   "splitRatio": "4:1"}}})
    with Loopback([as_json(body)]) as server:
        actions = yahoo(server).corporate_actions([JAN_2_2020], ["AAPL"])
    assert actions.rows(named=True) == [
        {"symbol": "AAPL", "session": JAN_2_2020, "kind": "dividend", "ratio": None, "amount": 0.1925},
        {"symbol": "AAPL", "session": JAN_2_2020, "kind": "split", "ratio": 4.0, "amount": None}]


# =========================================================================== Yahoo: quotes, fx, indexes


@case("yahoo-quotes-crypto-BTC-USD-recorded")
def _() -> None:
    """The recorded BTC-USD chart: three UTC sessions, change against the previous close, in USD."""
    body = chart(BTC_CHART)
    closes = chart_values(body)["close"]
    days = [dt.date(2020, 1, d) for d in (1, 2, 3)]
    with Loopback([as_json(body)]) as server:
        quotes = yahoo(server).quotes("crypto", days, ["BTC-USD"])
    assert quotes.get_column("session").to_list() == days
    assert quotes.get_column("close").to_list() == closes
    assert quotes.get_column("change_pct").to_list() == [
        None, (closes[1] / closes[0] - 1.0) * 100.0, (closes[2] / closes[1] - 1.0) * 100.0]
    assert quotes.get_column("currency").to_list() == ["USD"] * 3
    assert path_of(server).startswith("/v8/finance/chart/BTC-USD?")


@case("yahoo-quotes-commodity-GC=F-recorded")
def _() -> None:
    """The recorded GC=F chart: one New York session, no previous close in the body, so no change."""
    body = chart(GOLD_CHART)
    with Loopback([as_json(body)]) as server:
        quotes = yahoo(server).quotes("commodity", [JAN_2_2020], ["GC=F"])
    assert quotes.rows(named=True) == [{
        "asset_class": "commodity", "symbol": "GC=F", "name": "Gold", "session": JAN_2_2020, "open": 1518.0999755859375,
        "high": 1528.699951171875, "low": 1518.0, "close": 1524.5, "volume": 214, "change_pct": None,
        "currency": "USD"}]
    assert path_of(server).startswith("/v8/finance/chart/GC=F?")


@case("yahoo-fx-EURUSD")
def _() -> None:
    """The BTC-USD chart re-labelled EURUSD=X (instrumentType CURRENCY, meta.currency USD, London clock) with
    Yahoo's zero volumes for a rate."""
    body = chart(BTC_CHART, meta={"symbol": "EURUSD=X", "currency": "USD", "instrumentType": "CURRENCY",
                                  "exchangeName": "CCY", "exchangeTimezoneName": "Europe/London"})
    chart_result(body)["indicators"]["quote"][0]["volume"] = [0, 0, 0]
    days = [dt.date(2020, 1, d) for d in (1, 2, 3)]
    with Loopback([as_json(body)]) as server:
        quotes = yahoo(server).quotes("fx", days, ["EURUSD"])
    assert quotes.get_column("symbol").to_list() == ["EURUSD"] * 3
    assert quotes.get_column("asset_class").to_list() == ["fx"] * 3
    assert quotes.get_column("close").to_list() == chart_values(body)["close"]
    assert quotes.get_column("volume").to_list() == [0, 0, 0]
    assert quotes.get_column("currency").to_list() == ["USD"] * 3
    assert path_of(server).startswith("/v8/finance/chart/EURUSD=X?")


@case("yahoo-fx-USDJPY")
def _() -> None:
    """The GC=F chart re-labelled USDJPY=X, quoted in yen."""
    body = chart(GOLD_CHART, meta={"symbol": "USDJPY=X", "currency": "JPY", "instrumentType": "CURRENCY"})
    with Loopback([as_json(body)]) as server:
        quotes = yahoo(server).quotes("fx", [JAN_2_2020], ["USDJPY"])
    assert quotes.select("symbol", "close", "currency").rows() == [("USDJPY", 1524.5, "JPY")]
    assert path_of(server).startswith("/v8/finance/chart/USDJPY=X?")


@case("yahoo-fx-currency-not-the-pair's")
def _() -> None:
    """The GC=F chart re-labelled EURUSD=X but priced in JPY: a rate whose currency is not the pair's quote
    currency is someone else's rate."""
    body = chart(GOLD_CHART, meta={"symbol": "EURUSD=X", "currency": "JPY", "instrumentType": "CURRENCY"})
    with Loopback([as_json(body)]) as server:
        fails(PayloadError, lambda: yahoo(server).quotes("fx", [JAN_2_2020], ["EURUSD"]), "yahoo", "EURUSD",
              "JPY", "USD")


@case("yahoo-fx-weekly")
def _() -> None:
    """The EURUSD=X chart of weekly bars."""
    body = chart(GOLD_CHART, meta={"symbol": "EURUSD=X", "currency": "USD", "dataGranularity": "1wk"})
    with Loopback([as_json(body)]) as server:
        fails(PayloadError, lambda: yahoo(server).quotes("fx", [JAN_2_2020], ["EURUSD"]), "EURUSD=X", "'1wk'")


@case("yahoo-fx-delisted-pair")
def _() -> None:
    """Yahoo's 404 error body answering a currency pair."""
    said = {"chart": {"result": None, "error": {"code": "Not Found",
                                                 "description": "No data found, symbol may be delisted"}}}
    with Loopback([as_json(said, 404, "Not Found")]) as server:
        error = fails(NoData, lambda: yahoo(server).quotes("fx", [JAN_2_2020], ["GBPUSD"]), "GBPUSD=X")
    assert error.reason == UNKNOWN_OR_DELISTED


@case("yahoo-index-^GSPC")
def _() -> None:
    """The AAPL chart re-labelled ^GSPC (instrumentType INDEX, no volume): asked as ^GSPC, filed as SPX."""
    body = chart(meta={"symbol": "^GSPC", "instrumentType": "INDEX", "exchangeName": "SNP",
                       "longName": "S&P 500", "shortName": "S&P 500"})
    with Loopback([as_json(body)]) as server:
        quotes = yahoo(server).quotes("index", [JAN_2_2020], ["SPX"])
    values = chart_values(body)
    assert quotes.select("asset_class", "symbol", "name", "close", "currency").rows() == [
        ("index", "SPX", "S&P 500", values["close"][0], "USD")]
    assert path_of(server).startswith("/v8/finance/chart/^GSPC?")


@case("yahoo-index-no-timestamps")
def _() -> None:
    """The ^GSPC chart without timestamps."""
    body = chart(meta={"symbol": "^DJI", "instrumentType": "INDEX"}, drop=("timestamp",))
    chart_result(body)["indicators"] = {"quote": [{}], "adjclose": [{}]}
    with Loopback([as_json(body)]) as server:
        error = fails(NoData, lambda: yahoo(server).quotes("index", [JAN_2_2020], ["DJI"]), "^DJI")
    assert error.reason == NO_DATA_IN_RANGE


@case("yahoo-etf-SPY-500")
def _() -> None:
    """An ETF quote answered 500 every time."""
    with Loopback([text(b"Internal Server Error", 500, "text/plain")]) as server:
        fails(TransportError, lambda: yahoo(server).quotes("etf", [JAN_2_2020], ["SPY"]),
              "/v8/finance/chart/SPY", "symbol SPY", "status 500", "3 attempts")


@case("yahoo-quotes-unknown-instrument")
def _() -> None:
    """A quote asked for an instrument the class does not have: refused before any request."""
    with Loopback([as_json(chart())]) as server:
        with pytest.raises(ValueError, match=r"yahoo: no fx instrument \['EURCHF'\]"):
            yahoo(server).quotes("fx", [JAN_2_2020], ["EURCHF"])
        assert server.requests == []


# =========================================================================== Yahoo: universe (v7 quote bodies)


class Profiles:
    """A ProfileFetcher answering from recorded v7 quote results, by Yahoo ticker; {} where none was recorded
    (what yfinance's info is for a ticker Yahoo does not know)."""

    def __init__(self, *bodies: dict) -> None:
        self.by_ticker = {q["symbol"]: q for body in bodies for q in body["quoteResponse"]["result"]}

    def info(self, ticker: str) -> dict:
        return self.by_ticker.get(ticker, {})


@case("yahoo-universe-AAPL-BABA-recorded")
def _() -> None:
    """The recorded v7 quotes of AAPL and BABA (a NYSE ADR reporting in CNY, trading in USD)."""
    body = node_body(QUOTE_AAPL_BABA)
    source = YahooSource(["AAPL", "BABA"], fetcher=ChartApiFetcher(policy=FAST), profiles=Profiles(body))
    universe = source.universe(JAN_2_2020)
    by = {q["symbol"]: q for q in body["quoteResponse"]["result"]}
    assert universe.select("symbol", "name", "shares_outstanding").rows() == [
        ("AAPL", by["AAPL"]["longName"], by["AAPL"]["sharesOutstanding"]),
        ("BABA", by["BABA"]["longName"], by["BABA"]["sharesOutstanding"])]


@case("yahoo-universe-BRK.B-spelling")
def _() -> None:
    """The recorded AAPL v7 quote re-labelled BRK-B: asked as BRK-B, filed under BRK.B."""
    body = copy.deepcopy(node_body(QUOTE_AAPL_BABA))
    body["quoteResponse"]["result"] = [{**body["quoteResponse"]["result"][0], "symbol": "BRK-B",
                                        "longName": "Berkshire Hathaway Inc."}]
    source = YahooSource(["BRK.B"], fetcher=ChartApiFetcher(policy=FAST), profiles=Profiles(body))
    assert source.universe(JAN_2_2020).select("symbol", "name").rows() == [("BRK.B", "Berkshire Hathaway Inc.")]


@case("yahoo-universe-unknown-ticker")
def _() -> None:
    """A v7 quote answer with an empty result for the asked ticker."""
    body = {"quoteResponse": {"result": [], "error": None}}
    source = YahooSource(["ZZZZ"], fetcher=ChartApiFetcher(policy=FAST), profiles=Profiles(body))
    error = fails(NoData, lambda: source.universe(JAN_2_2020), "yahoo", "ZZZZ")
    assert error.reason == NO_DATA


@case("yahoo-profile-future-shortname")
def _() -> None:
    """The recorded GC=F v7 quote has no longName or share count: its shortName is its name, shares null."""
    quote = node_body(QUOTE_GOLD)["quoteResponse"]["result"][0]
    assert parse_info("GC=F", quote).rows() == [("GC=F", "Gold Apr 25", None, None, None)]


# =========================================================================== Yahoo through yfinance


class RaisingTicker:
    """Stands in for yfinance.Ticker at its boundary: each history() raises what yfinance lets out."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        self.calls = 0
        self.history_metadata: dict = {}

    def __call__(self, ticker: str) -> RaisingTicker:
        return self

    def history(self, **kwargs: Any) -> pd.DataFrame:
        self.calls += 1
        raise self.error


def http_error(status: int, body: bytes = b"") -> requests.HTTPError:
    response = requests.Response()
    response.status_code = status
    response._content = body
    return requests.HTTPError(f"{status} Client Error: for url: https://query2.finance.yahoo.com/v8/finance/chart/X",
                              response=response)


@case("yfinance-html-page")
def _() -> None:
    """yfinance decoding Yahoo's HTML page: the JSONDecodeError is retried, then one TransportError."""
    fake = RaisingTicker(json.JSONDecodeError("Expecting value", HTML_PAGE.decode(), 0))
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    fails(TransportError, lambda: source.daily_bars([JAN_2_2020], ["AAPL"]), "yahoo", "AAPL", "not JSON",
          "3 attempts")
    assert fake.calls == 3


@case("yfinance-http-404")
def _() -> None:
    """yfinance's HTTPError 404 for a ticker Yahoo does not know: NoData at once."""
    fake = RaisingTicker(http_error(404))
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    error = fails(NoData, lambda: source.daily_bars([JAN_2_2020], ["ZZZZ"]), "yahoo", "ZZZZ")
    assert error.reason == UNKNOWN_OR_DELISTED and fake.calls == 1


@case("yfinance-http-401")
def _() -> None:
    """yfinance's HTTPError 401: Yahoo's refusal, not an API key problem."""
    fake = RaisingTicker(http_error(401))
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    error = fails(SourceError, lambda: source.daily_bars([JAN_2_2020], ["AAPL"]), "AAPL", "Yahoo has no API key")
    assert "check the API key" not in str(error) and fake.calls == 1


@case("yfinance-dropped-connection")
def _() -> None:
    """requests' ChunkedEncodingError (a body cut mid-way) out of yfinance, every time."""
    fake = RaisingTicker(requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead(1000 bytes read)"))
    source = YahooSource(fetcher=YfinanceFetcher(ticker_factory=fake, policy=FAST))
    fails(TransportError, lambda: source.daily_bars([JAN_2_2020], ["AAPL"]), "yahoo", "symbol AAPL",
          "ChunkedEncodingError", "3 attempts")
    assert fake.calls == 3


# =========================================================================== Yahoo: datasets it does not serve


@case("yahoo-constituents-estimates-news-not-served")
def _() -> None:
    """Yahoo routed for constituents, estimates or news: refused naming the sources that serve them."""
    for key in ("constituents", "estimates", "news"):
        with pytest.raises(DatasetNotServed, match=f"yahoo does not serve {key}; it is served by .*fmp"):
            parse_routes(f"{key}=yahoo")
    sources = MarketSources(parse_routes(None, default="yahoo"), lambda name: YahooSource(fetcher=ChartApiFetcher()))
    with pytest.raises(DatasetNotServed, match="no configured source serves news: .*served by .*fmp"):
        sources.news()


# =========================================================================== FMP: daily bars


def eod_values(rows: list[dict]) -> dict[str, list]:
    rows = sorted(rows, key=lambda r: r["date"])
    return {f: [r[f] for r in rows] for f in ("open", "high", "low", "close", "volume")}


@case("fmp-bars-AAPL-recorded")
def _() -> None:
    """The recorded stable EOD body (gzip, as FMP sent it): six sessions, every value exact, no adj_close asked."""
    rows = fmp_body(FMP_EOD)
    with Loopback([fmp_recorded(FMP_EOD)]) as server:
        bars = fmp(server).daily_bars(JAN_2023, ["AAPL"])
    assert_bars(bars, "AAPL", JAN_2023, eod_values(rows))
    assert bars.get_column("adj_close").to_list() == [None] * 6
    assert "symbol=AAPL" in server.requests[0] and "apikey=" in server.requests[0]


@case("fmp-bars-AAPL-with-dividend-adjusted")
def _() -> None:
    """The recorded EOD body, then its dividend-adjusted twin (the same rows with adjClose = close * 0.99)."""
    rows = fmp_body(FMP_EOD)
    adjusted = [{"symbol": r["symbol"], "date": r["date"], "adjOpen": r["open"], "adjHigh": r["high"],
                 "adjLow": r["low"], "adjClose": r["close"] * 0.99, "volume": r["volume"]} for r in rows]
    with Loopback([fmp_recorded(FMP_EOD), as_json(adjusted)]) as server:
        bars = fmp(server, adjusted=True).daily_bars(JAN_2023, ["AAPL"])
    assert bars.get_column("adj_close").to_list() == [r["close"] * 0.99 for r in sorted(rows, key=lambda r: r["date"])]
    assert "historical-price-eod/dividend-adjusted" in server.requests[1]


@case("fmp-bars-BRK.B-spelling")
def _() -> None:
    """The recorded EOD rows re-labelled BRK-B: asked as BRK-B, filed under BRK.B."""
    rows = relabel(fmp_body(FMP_EOD), "BRK-B")
    with Loopback([as_json(rows)]) as server:
        bars = fmp(server).daily_bars(JAN_2023, ["BRK.B"])
    assert_bars(bars, "BRK.B", JAN_2023, eod_values(rows))
    assert "symbol=BRK-B" in server.requests[0]


@case("fmp-bars-legacy-v3-wrapper")
def _() -> None:
    """The recorded rows in the legacy v3 shape {"symbol": "AAPL", "historical": [...]} (with v3's adjClose):
    parsed exactly as the stable list, adj_close from the rows."""
    rows = fmp_body(FMP_EOD)
    legacy = {"symbol": "AAPL", "historical": [{**r, "adjClose": r["close"]} for r in rows]}
    with Loopback([as_json(legacy)]) as server:
        bars = fmp(server).daily_bars(JAN_2023, ["AAPL"])
    values = eod_values(rows)
    assert_bars(bars, "AAPL", JAN_2023, {**values, "adj_close": values["close"]})


@case("fmp-bars-legacy-v3-wrapper-other-symbol")
def _() -> None:
    """The legacy v3 shape answering for MSFT to a request for AAPL."""
    legacy = {"symbol": "MSFT", "historical": fmp_body(FMP_EOD)}
    with Loopback([as_json(legacy)]) as server:
        fails(PayloadError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp", "AAPL", "'MSFT'")


@case("fmp-bars-legacy-v3-empty-wrapper")
def _() -> None:
    """The legacy v3 answer for an unknown symbol: {} (no "historical")."""
    with Loopback([as_json({})]) as server:
        error = fails(NoData, lambda: fmp(server).daily_bars(JAN_2023, ["ZZZZ"]), "fmp", "ZZZZ")
    assert error.reason == NO_DATA


@case("fmp-bars-unknown-empty-list")
def _() -> None:
    """FMP's [] for an unknown ticker."""
    with Loopback([as_json([])]) as server:
        error = fails(NoData, lambda: fmp(server).daily_bars(JAN_2023, ["ZZZZ"]), "fmp", "ZZZZ",
                      "historical-price-eod/full", server=server, requests_made=1)
    assert error.reason == NO_DATA


@case("fmp-bars-another-symbol")
def _() -> None:
    """The recorded AAPL rows served to a request for MSFT."""
    with Loopback([fmp_recorded(FMP_EOD)]) as server:
        fails(PayloadError, lambda: fmp(server).daily_bars(JAN_2023, ["MSFT"]), "MSFT", "'AAPL'")


@case("fmp-bars-duplicate-day")
def _() -> None:
    """The recorded rows with the first one listed twice."""
    rows = fmp_body(FMP_EOD)
    with Loopback([as_json([rows[0], *rows])]) as server:
        fails(PayloadError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "AAPL", "two rows for 2023-01-10")


@case("fmp-bars-limit-reach-429")
def _() -> None:
    """FMP's "Limit Reach" quota body with status 429: not retried."""
    with Loopback([as_json(LIMIT_REACH, 429, "Too Many Requests")]) as server:
        fails(QuotaExhausted, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp GET",
              "historical-price-eod/full", "Limit Reach", "symbol AAPL", "apikey=***", server=server, requests_made=1)


@case("fmp-bars-limit-reach-200")
def _() -> None:
    """The "Limit Reach" body with status 200 (as the legacy API sends it): not retried."""
    with Loopback([as_json(LIMIT_REACH)]) as server:
        fails(QuotaExhausted, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "Limit Reach", "symbol AAPL",
              server=server, requests_made=1)


@case("fmp-bars-429-retry-after")
def _() -> None:
    """A 429 rate limit asking for 12 s, then the recorded body."""
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=30, sleep=slept.append)
    rows = fmp_body(FMP_EOD)
    busy = as_json({"Error Message": "Too many requests"}, 429, "Too Many Requests", **{"Retry-After": "12"})
    with Loopback([busy, fmp_recorded(FMP_EOD)]) as server:
        bars = fmp(server, policy=policy).daily_bars(JAN_2023, ["AAPL"])
    assert_bars(bars, "AAPL", JAN_2023, eod_values(rows))
    assert slept == [12.0]


@case("fmp-bars-429-retry-after-http-date")
def _() -> None:
    """A 429 whose Retry-After is an HTTP date a day away: beyond the ceiling, not retried."""
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    busy = as_json({"Error Message": "Too many requests"}, 429, "Too Many Requests", **{"Retry-After": when})
    with Loopback([busy]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "longer than the 30 s ceiling",
              "symbol AAPL", server=server, requests_made=1)


@case("fmp-bars-invalid-key-401")
def _() -> None:
    """FMP's 401 for a wrong key: not retried, the key named nowhere."""
    with Loopback([as_json(INVALID_KEY, 401, "Unauthorized")]) as server:
        fails(SourceError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "HTTP 401", "check the API key",
              "apikey=***", "symbol AAPL", server=server, requests_made=1)


@case("fmp-bars-invalid-key-200")
def _() -> None:
    """The legacy API's 200 with {"Error Message": "Invalid API KEY..."}: a refusal, not data, not retried."""
    with Loopback([as_json(INVALID_KEY)]) as server:
        fails(SourceError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "Invalid API KEY", "symbol AAPL",
              server=server, requests_made=1)


@case("fmp-bars-500-then-ok")
def _() -> None:
    """A 500, then the recorded body."""
    rows = fmp_body(FMP_EOD)
    with Loopback([as_json({"error": "internal"}, 500, "Internal Server Error"), fmp_recorded(FMP_EOD)]) as server:
        bars = fmp(server).daily_bars(JAN_2023, ["AAPL"])
    assert_bars(bars, "AAPL", JAN_2023, eod_values(rows))


@case("fmp-bars-502-html-always")
def _() -> None:
    """A gateway's 502 HTML page on every try."""
    with Loopback([text(HTML_PAGE, 502, reason="Bad Gateway")]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp GET", "HTTP 502",
              "symbol AAPL", "3 attempts", "apikey=***", server=server, requests_made=3)


@case("fmp-bars-404-html")
def _() -> None:
    """An HTML 404 page (a wrong path): not retried, names what was asked."""
    with Loopback([text(b"<html><body>Not Found</body></html>", 404, reason="Not Found")]) as server:
        fails(SourceError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "HTTP 404", "symbol AAPL",
              "historical-price-eod/full", server=server, requests_made=1)


@case("fmp-bars-html-200")
def _() -> None:
    """An HTML page with status 200 every time (a captive portal or maintenance page)."""
    with Loopback([text(HTML_PAGE, 200)]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "not JSON (text/html",
              "symbol AAPL", "3 attempts")


@case("fmp-bars-truncated-gzip")
def _() -> None:
    """The recorded gzip body cut at half its length, with a Content-Length to match, every time."""
    whole = fmp_recorded(FMP_EOD)
    with Loopback([Recorded(200, whole.body[:len(whole.body) // 2], whole.headers)]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp GET", "symbol AAPL",
              "3 attempts", "apikey=***")


@case("fmp-bars-truncated-plain")
def _() -> None:
    """The recorded body, decoded, cut at half its length."""
    body = json.dumps(fmp_body(FMP_EOD)).encode()
    with Loopback([Recorded(200, body[:len(body) // 2], {"Content-Type": "application/json"})]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "not JSON", "symbol AAPL")


@case("fmp-bars-dropped-mid-body")
def _() -> None:
    """The connection closes halfway through the recorded gzip body, every time."""
    whole = fmp_recorded(FMP_EOD)
    with Loopback([Drop(whole, keep=len(whole.body) // 2)]) as server:
        fails(TransportError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp GET", "symbol AAPL",
              "3 attempts", "apikey=***", server=server, requests_made=3)


@case("fmp-bars-dropped-then-ok")
def _() -> None:
    """The connection drops once, then the recorded body."""
    rows = fmp_body(FMP_EOD)
    whole = fmp_recorded(FMP_EOD)
    with Loopback([Drop(whole, keep=len(whole.body) // 2), whole]) as server:
        bars = fmp(server).daily_bars(JAN_2023, ["AAPL"])
    assert_bars(bars, "AAPL", JAN_2023, eod_values(rows))


# =========================================================================== FMP: quotes and fx


@case("fmp-quotes-crypto-BTC-USD-recorded")
def _() -> None:
    """The recorded BTCUSD body: asked as BTCUSD, filed as BTC-USD, change against the previous close."""
    rows = sorted(fmp_body(FMP_CRYPTO), key=lambda r: r["date"])
    days = [dt.date(2023, 1, 9), dt.date(2023, 1, 10)]
    with Loopback([fmp_recorded(FMP_CRYPTO)]) as server:
        quotes = fmp(server).quotes("crypto", days, ["BTC-USD"])
    assert quotes.get_column("symbol").to_list() == ["BTC-USD"] * 2
    assert quotes.get_column("close").to_list() == [rows[-2]["close"], rows[-1]["close"]]
    assert quotes.get_column("change_pct").to_list() == [(rows[-2]["close"] / rows[-3]["close"] - 1.0) * 100.0,
                                                          (rows[-1]["close"] / rows[-2]["close"] - 1.0) * 100.0]
    assert "symbol=BTCUSD" in server.requests[0]


@case("fmp-fx-EURUSD")
def _() -> None:
    """The recorded BTCUSD rows re-labelled EURUSD: a pair's quotes are in its quote currency (USD)."""
    rows = relabel(fmp_body(FMP_CRYPTO), "EURUSD")
    with Loopback([as_json(rows)]) as server:
        quotes = fmp(server).quotes("fx", [dt.date(2023, 1, 10)], ["EURUSD"])
    top = max(rows, key=lambda r: r["date"])
    assert quotes.select("asset_class", "symbol", "close", "currency").rows() == [("fx", "EURUSD", top["close"], "USD")]
    assert "symbol=EURUSD" in server.requests[0]


@case("fmp-fx-USDJPY")
def _() -> None:
    """The recorded BTCUSD rows re-labelled USDJPY: quoted in yen."""
    rows = relabel(fmp_body(FMP_CRYPTO), "USDJPY")
    with Loopback([as_json(rows)]) as server:
        quotes = fmp(server).quotes("fx", [dt.date(2023, 1, 10)], ["USDJPY"])
    assert quotes.get_column("currency").to_list() == ["JPY"]


@case("fmp-fx-unknown-empty")
def _() -> None:
    """[] for a currency pair."""
    with Loopback([as_json([])]) as server:
        error = fails(NoData, lambda: fmp(server).quotes("fx", [dt.date(2023, 1, 10)], ["GBPUSD"]), "fmp", "GBPUSD")
    assert error.reason == NO_DATA


@case("fmp-index-^GSPC")
def _() -> None:
    """The recorded AAPL rows re-labelled ^GSPC: asked as ^GSPC, filed as SPX."""
    rows = relabel(fmp_body(FMP_EOD), "^GSPC")
    with Loopback([as_json(rows)]) as server:
        quotes = fmp(server).quotes("index", [dt.date(2023, 1, 10)], ["SPX"])
    top = max(rows, key=lambda r: r["date"])
    assert quotes.select("asset_class", "symbol", "name", "close").rows() == [("index", "SPX", "S&P 500", top["close"])]
    assert "symbol=%5EGSPC" in server.requests[0]


@case("fmp-commodity-GC=F")
def _() -> None:
    """The recorded AAPL rows re-labelled GCUSD: asked as GCUSD, filed as GC=F."""
    rows = relabel(fmp_body(FMP_EOD), "GCUSD")
    with Loopback([as_json(rows)]) as server:
        quotes = fmp(server).quotes("commodity", [dt.date(2023, 1, 10)], ["GC=F"])
    assert quotes.select("symbol", "name").rows() == [("GC=F", "Gold")]
    assert "symbol=GCUSD" in server.requests[0]


@case("fmp-etf-limit-reach")
def _() -> None:
    """"Limit Reach" answering an ETF quote."""
    with Loopback([as_json(LIMIT_REACH, 429)]) as server:
        fails(QuotaExhausted, lambda: fmp(server).quotes("etf", [dt.date(2023, 1, 10)], ["SPY"]), "symbol SPY",
              server=server, requests_made=1)


# =========================================================================== FMP: constituents, universe


def dji_server_script(members: Any = None, holdings: Any = None) -> list:
    return [as_json(members) if members is not None else fmp_recorded(FMP_DJI),
            as_json(holdings) if holdings is not None else fmp_recorded(FMP_DIA)]


@case("fmp-constituents-DJI-recorded")
def _() -> None:
    """The recorded DJIA members weighted by the recorded DIA holdings: 30 members, weights sum to 1, each the
    holding's weightPercentage over the members' total."""
    members, holdings = fmp_body(FMP_DJI), fmp_body(FMP_DIA)
    with Loopback(dji_server_script()) as server:
        frame = fmp(server, indexes=("DJI",)).index_constituents(dt.date(2025, 9, 22))
    weight = {h["asset"]: h["weightPercentage"] for h in holdings if h.get("asset")}
    total = sum(weight[m["symbol"]] for m in members)
    assert frame.height == 30 and abs(frame.get_column("weight").sum() - 1.0) < 1e-12
    got = dict(zip(frame.get_column("symbol").to_list(), frame.get_column("weight").to_list(), strict=True))
    assert got == {m["symbol"]: weight[m["symbol"]] / total for m in members}
    assert "dowjones-constituent" in server.requests[0] and "symbol=DIA" in server.requests[1]


@case("fmp-constituents-member-missing-from-holdings")
def _() -> None:
    """The recorded DIA holdings without GS: a member the ETF does not hold cannot be weighted."""
    holdings = [h for h in fmp_body(FMP_DIA) if h.get("asset") != "GS"]
    with Loopback(dji_server_script(holdings=holdings)) as server:
        fails(PayloadError, lambda: fmp(server, indexes=("DJI",)).index_constituents(dt.date(2025, 9, 22)),
              "DJI constituents", "not in DIA holdings", "GS")


@case("fmp-constituents-empty")
def _() -> None:
    """[] for the member list."""
    with Loopback(dji_server_script(members=[])) as server:
        fails(PayloadError, lambda: fmp(server, indexes=("DJI",)).index_constituents(dt.date(2025, 9, 22)),
              "DJI constituents", "empty")


@case("fmp-constituents-limit-reach")
def _() -> None:
    """"Limit Reach" answering the member list."""
    with Loopback([as_json(LIMIT_REACH, 429)]) as server:
        fails(QuotaExhausted, lambda: fmp(server, indexes=("DJI",)).index_constituents(dt.date(2025, 9, 22)),
              "dowjones-constituent", "Limit Reach", server=server, requests_made=1)


@case("fmp-constituents-dropped")
def _() -> None:
    """The member list's connection drops mid-body every time."""
    whole = fmp_recorded(FMP_DJI)
    with Loopback([Drop(whole, keep=len(whole.body) // 2)]) as server:
        fails(TransportError, lambda: fmp(server, indexes=("DJI",)).index_constituents(dt.date(2025, 9, 22)),
              "fmp GET", "dowjones-constituent", "3 attempts", "apikey=***")


@case("fmp-universe-DJI-recorded")
def _() -> None:
    """The recorded DJIA member list as a universe: name, sector and subSector as the body has them."""
    members = fmp_body(FMP_DJI)
    with Loopback([fmp_recorded(FMP_DJI)]) as server:
        universe = fmp(server, indexes=("DJI",)).universe(dt.date(2025, 9, 22))
    assert universe.select("symbol", "name", "sector", "industry").rows() == sorted(
        (m["symbol"], m["name"], m["sector"], m["subSector"]) for m in members)


# =========================================================================== FMP: estimates


@case("fmp-estimates-AAPL-recorded")
def _() -> None:
    """The recorded AAPL annual estimate (FY ending 2029-09-28), every value exact."""
    row = fmp_body(FMP_ESTIMATES, 0)[0]
    with Loopback([fmp_recorded(FMP_ESTIMATES, 0)]) as server:
        frame = fmp(server, estimate_periods=1).analyst_estimates(dt.date(2025, 9, 22), ["AAPL"])
    assert frame.rows(named=True) == [{
        "symbol": "AAPL", "period": "annual", "period_end": dt.date(2029, 9, 28),
        "revenue_low": float(row["revenueLow"]), "revenue_avg": float(row["revenueAvg"]),
        "revenue_high": float(row["revenueHigh"]), "ebitda_avg": float(row["ebitdaAvg"]),
        "net_income_avg": float(row["netIncomeAvg"]), "eps_low": row["epsLow"], "eps_avg": row["epsAvg"],
        "eps_high": row["epsHigh"], "analysts_revenue": 14, "analysts_eps": 13}]


@case("fmp-estimates-MSFT-zero-placeholder")
def _() -> None:
    """The recorded MSFT 2030 estimate, whose EPS and net income are FMP's all-zero "no estimate": null."""
    with Loopback([fmp_recorded(FMP_ESTIMATES, 1)]) as server:
        frame = fmp(server, estimate_periods=1).analyst_estimates(dt.date(2025, 9, 22), ["MSFT"])
    assert frame.select("eps_low", "eps_avg", "eps_high", "net_income_avg").rows() == [(None, None, None, None)]
    assert frame.get_column("revenue_avg").to_list() == [557339000000.0]


@case("fmp-estimates-BRK.B-spelling")
def _() -> None:
    """The AAPL estimate re-labelled BRK-B: asked as BRK-B, filed under BRK.B."""
    rows = relabel(fmp_body(FMP_ESTIMATES, 0), "BRK-B")
    with Loopback([as_json(rows)]) as server:
        frame = fmp(server, estimate_periods=1).analyst_estimates(dt.date(2025, 9, 22), ["BRK.B"])
    assert frame.get_column("symbol").to_list() == ["BRK.B"]
    assert "symbol=BRK-B" in server.requests[0]


@case("fmp-estimates-unknown-empty")
def _() -> None:
    """[] for an unknown ticker: told, not an empty consensus."""
    with Loopback([as_json([])]) as server:
        error = fails(NoData, lambda: fmp(server).analyst_estimates(dt.date(2025, 9, 22), ["ZZZZ"]), "fmp", "ZZZZ",
                      "analyst-estimates")
    assert error.reason == NO_DATA


@case("fmp-estimates-another-symbol")
def _() -> None:
    """The recorded MSFT estimate served to a request for AAPL."""
    with Loopback([fmp_recorded(FMP_ESTIMATES, 1)]) as server:
        fails(PayloadError, lambda: fmp(server).analyst_estimates(dt.date(2025, 9, 22), ["AAPL"]), "AAPL", "'MSFT'")


@case("fmp-estimates-limit-reach")
def _() -> None:
    """"Limit Reach" answering the estimates."""
    with Loopback([as_json(LIMIT_REACH, 429)]) as server:
        fails(QuotaExhausted, lambda: fmp(server).analyst_estimates(dt.date(2025, 9, 22), ["AAPL"]),
              "analyst-estimates", "symbol AAPL", server=server, requests_made=1)


@case("fmp-estimates-500-always")
def _() -> None:
    """A 500 every time."""
    with Loopback([as_json({"error": "internal"}, 500)]) as server:
        fails(TransportError, lambda: fmp(server).analyst_estimates(dt.date(2025, 9, 22), ["AAPL"]),
              "analyst-estimates", "symbol AAPL", "status 500", "3 attempts")


# =========================================================================== FMP: news


NEWS_WINDOW = (dt.datetime(2025, 9, 22, tzinfo=dt.UTC), dt.datetime(2025, 9, 24, tzinfo=dt.UTC))


@case("fmp-news-recorded")
def _() -> None:
    """The recorded AAPL article: published 21:31:48 New York time is 01:31:48 UTC the next day."""
    row = fmp_body(FMP_NEWS)[0]
    with Loopback([fmp_recorded(FMP_NEWS)]) as server:
        frame = FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST, news_page_size=10).news(
            *NEWS_WINDOW, ["AAPL", "MSFT"])
    assert frame.rows(named=True) == [{
        "symbol": "AAPL", "published_at": dt.datetime(2025, 9, 23, 1, 31, 48, tzinfo=dt.UTC), "url": row["url"],
        "title": row["title"], "publisher": row["publisher"], "site": row["site"], "text": row["text"]}]


@case("fmp-news-BRK.B-spelling")
def _() -> None:
    """The recorded article re-labelled BRK-B: asked as BRK-B, filed under BRK.B."""
    rows = relabel(fmp_body(FMP_NEWS), "BRK-B")
    with Loopback([as_json(rows)]) as server:
        frame = FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST, news_page_size=10).news(
            *NEWS_WINDOW, ["BRK.B"])
    assert frame.get_column("symbol").to_list() == ["BRK.B"]
    assert "symbols=BRK-B" in server.requests[0]


@case("fmp-news-none-in-window")
def _() -> None:
    """[] for the window: no article is news of its own (a quiet day), an empty frame, not an error."""
    with Loopback([as_json([])]) as server:
        frame = FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST).news(*NEWS_WINDOW, ["AAPL"])
    assert frame.height == 0


@case("fmp-news-not-asked-symbol")
def _() -> None:
    """The recorded article served to a request for MSFT only."""
    with Loopback([fmp_recorded(FMP_NEWS)]) as server:
        fails(PayloadError, lambda: FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST).news(
            *NEWS_WINDOW, ["MSFT"]), "AAPL", "not asked for")


@case("fmp-news-html-200")
def _() -> None:
    """An HTML page with status 200 every time."""
    with Loopback([text(HTML_PAGE, 200)]) as server:
        fails(TransportError, lambda: FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST).news(
            *NEWS_WINDOW, ["AAPL"]), "fmp GET", "news/stock", "not JSON", "3 attempts", "apikey=***")


@case("fmp-news-limit-reach-200")
def _() -> None:
    """"Limit Reach" with status 200 answering the news."""
    with Loopback([as_json(LIMIT_REACH)]) as server:
        fails(QuotaExhausted, lambda: FmpSource(KEY, base_url=f"{server.url}/stable", policy=FAST).news(
            *NEWS_WINDOW, ["AAPL"]), "news/stock", "Limit Reach", server=server, requests_made=1)


# =========================================================================== FMP: the legacy quote body


@case("fmp-legacy-v3-quote-body-refused-as-bars")
def _() -> None:
    """The recorded legacy v3 `quote` body (one snapshot row with price, no OHLC date) answering an EOD request:
    a shape we do not parse, refused naming the symbol."""
    with Loopback([fmp_recorded(FMP_QUOTE_V3)]) as server:
        fails(PayloadError, lambda: fmp(server).daily_bars(JAN_2023, ["AAPL"]), "fmp", "AAPL", "date")


# --------------------------------------------------------------------------- the matrix


def test_the_matrix_has_the_cases_it_says():
    assert len(CASES) >= 60
    assert all(fn.__doc__ for fn in CASES.values()), "each case states the change it makes to a recording"


@pytest.mark.parametrize("name", list(CASES))
def test_case(name: str) -> None:
    CASES[name]()
