"""FMP connector, replayed from OpenBB's recorded vcrpy cassettes through a real requests.Session.

Numbers asserted here are read off the recorded responses (../shared/data/fixtures/fmp_openbb_cassettes/, provenance in its README).
"""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import json
import logging
import math
import time
from urllib.parse import parse_qsl, urlsplit

import polars as pl
import pytest
import requests
from requests.adapters import BaseAdapter

from investing_assets.lib.core.schemas import (
    ANALYST_ESTIMATES,
    DAILY_BARS,
    INDEX_CONSTITUENTS,
    NEWS_ARTICLES,
    QUOTES,
    UNIVERSE,
)
from investing_assets.lib.sources.fmp import (
    FmpSource,
    fmp_error_message,
    parse_analyst_estimates,
    parse_constituents,
    parse_historical_eod,
    parse_news,
    parse_quotes,
    parse_universe,
)
from investing_assets.lib.sources.http import (
    NO_DATA,
    NoData,
    PayloadError,
    QuotaExhausted,
    RetryPolicy,
    SourceError,
    TransportError,
)
from investing_assets_tests.lib.sources._loopback import Drop, Loopback
from investing_assets_tests.lib.sources._replay import (
    FMP_CASSETTES,
    Recorded,
    ReplayAdapter,
    ScriptedAdapter,
    build_response,
    json_response,
    load_vcr,
    no_network,  # noqa: F401  (fixture)
    session_with,
    url_key,
    vcr_body,
)

pytestmark = pytest.mark.usefixtures("no_network")

KEY = "MOCK_API_KEY"  # the key the cassettes were recorded with, so recorded URLs match exactly
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002)
AAPL_EOD = FMP_CASSETTES / "test_fmp_equity_historical_fetcher_urllib3_v2.yaml"
BTC_EOD = FMP_CASSETTES / "test_fmp_crypto_historical_fetcher_urllib3_v2.yaml"
DOW_MEMBERS = FMP_CASSETTES / "test_fmp_index_constituents_fetcher_urllib3_v2.yaml"
DIA_HOLDINGS = FMP_CASSETTES / "test_fmp_etf_holdings_fetcher_urllib3_v2.yaml"
ESTIMATES = FMP_CASSETTES / "test_fmp_analyst_estimates_fetcher_urllib3_v2.yaml"  # AAPL, then MSFT; limit=1
NEWS = FMP_CASSETTES / "test_fmp_company_news_fetcher_urllib3_v2.yaml"  # symbols=AAPL,MSFT limit=1 page=0

JAN_2023 = [dt.date(2023, 1, d) for d in range(1, 11)]  # from=2023-01-01 to=2023-01-10, as recorded


def replay_source(*cassettes, **kwargs) -> tuple[FmpSource, ReplayAdapter]:
    adapter = ReplayAdapter([i for c in cassettes for i in load_vcr(c)])
    kwargs.setdefault("policy", FAST)
    return FmpSource(KEY, session=session_with(adapter), **kwargs), adapter


def scripted_source(script, **kwargs) -> tuple[FmpSource, ScriptedAdapter]:
    adapter = ScriptedAdapter(script)
    kwargs.setdefault("policy", FAST)
    return FmpSource(kwargs.pop("api_key", KEY), session=session_with(adapter), **kwargs), adapter


def recorded_aapl() -> Recorded:
    return load_vcr(AAPL_EOD)[0][2]


# --------------------------------------------------------------------------- replayed end to end


def test_daily_bars_replays_recorded_aapl_history():
    source, adapter = replay_source(AAPL_EOD, adjusted=False)
    bars = source.daily_bars(JAN_2023, ["AAPL"])

    assert dict(bars.schema) == DAILY_BARS
    assert bars["session"].to_list() == [dt.date(2023, 1, d) for d in (3, 4, 5, 6, 9, 10)]
    first = bars.row(0, named=True)
    assert first == {"symbol": "AAPL", "session": dt.date(2023, 1, 3), "open": 130.28, "high": 130.9,
                     "low": 124.17, "close": 125.07, "adj_close": None, "volume": 112117500}
    last = bars.row(-1, named=True)
    assert (last["close"], last["volume"]) == (130.73, 63896200)
    # adjusted=False: no dividend-adjusted call, and adj_close stays null rather than a copy of close.
    assert bars["adj_close"].null_count() == 6

    (request,) = adapter.requests
    assert request.url.startswith("https://financialmodelingprep.com/stable/historical-price-eod/full?")
    assert "apikey=MOCK_API_KEY" in request.url and "symbol=AAPL" in request.url
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith("investing-assets/")


def test_daily_bars_filters_to_requested_sessions_and_sorts():
    source, _ = replay_source(AAPL_EOD, adjusted=False)
    bars = source.daily_bars([dt.date(2023, 1, 10), dt.date(2023, 1, 1), dt.date(2023, 1, 4)], ["AAPL"])
    # Recorded range is 01-01..01-10; only the asked sessions that traded come back, in order.
    assert bars["session"].to_list() == [dt.date(2023, 1, 4), dt.date(2023, 1, 10)]
    assert bars["close"].to_list() == [126.36, 130.73]


def test_daily_bars_joins_dividend_adjusted_close():
    # No recording of historical-price-eod/dividend-adjusted exists in the shared fixtures, so this
    # adjusted body is written here (FMP's documented field adjClose); the OHLCV side is the recording.
    adjusted_body = [{"symbol": "AAPL", "date": "2023-01-04", "adjOpen": 1.0, "adjHigh": 1.0, "adjLow": 1.0,
                      "adjClose": 124.9, "volume": 89113633}]
    adapter = ReplayAdapter(load_vcr(AAPL_EOD) + [(
        "GET",
        "https://financialmodelingprep.com/stable/historical-price-eod/dividend-adjusted"
        "?symbol=AAPL&from=2023-01-01&to=2023-01-10&apikey=MOCK_API_KEY",
        json_response(adjusted_body))])
    source = FmpSource(KEY, session=session_with(adapter), policy=FAST)
    bars = source.daily_bars(JAN_2023, ["AAPL"])
    assert bars.filter(pl.col("session") == dt.date(2023, 1, 4))["adj_close"].item() == 124.9
    assert bars.filter(pl.col("session") != dt.date(2023, 1, 4))["adj_close"].null_count() == 5
    assert len(adapter.requests) == 2


def test_fx_quotes_ask_for_the_pair_and_carry_its_quote_currency():
    """The recorded BTCUSD answer with its rows' symbol changed to EURUSD (the prices stay BTC's): a currency pair
    goes out as FMP spells it, comes back under ours, and FMP's EOD rows name no currency, so none is invented."""
    method, uri, response = load_vcr(BTC_EOD)[0]
    rows = [{**row, "symbol": "EURUSD"} for row in vcr_body(BTC_EOD)]
    adapter = ReplayAdapter([(method, uri.replace("BTCUSD", "EURUSD"), json_response(rows))])
    source = FmpSource(KEY, session=session_with(adapter), policy=FAST, lookback_days=8)  # from=2023-01-01
    quotes = source.quotes("fx", [dt.date(2023, 1, 9), dt.date(2023, 1, 10)], symbols=["EURUSD"])
    assert quotes.select("asset_class", "symbol", "name").unique().rows() == [("fx", "EURUSD", "Euro / US Dollar")]
    assert quotes["close"].to_list() == [17177.98, 17443.5] and quotes["currency"].to_list() == ["USD", "USD"]
    assert "symbol=EURUSD" in adapter.requests[0].url


def test_crypto_quotes_replay_with_lookback_and_our_symbol():
    # lookback 7 days before 2023-01-08 is exactly the recorded from=2023-01-01.
    source, adapter = replay_source(BTC_EOD, lookback_days=7)
    quotes = source.quotes("crypto", [dt.date(2023, 1, 8), dt.date(2023, 1, 9), dt.date(2023, 1, 10)],
                           symbols=["BTC-USD"])

    assert dict(quotes.schema) == QUOTES
    assert "symbol=BTCUSD" in adapter.requests[0].url  # FMP's spelling on the wire
    assert quotes["symbol"].unique().to_list() == ["BTC-USD"]  # ours in the frame
    assert quotes["name"].unique().to_list() == ["Bitcoin USD"]
    assert quotes["asset_class"].unique().to_list() == ["crypto"]
    assert quotes["close"].to_list() == [17125.18, 17177.98, 17443.5]
    assert quotes["volume"].to_list() == [9768827914, 18624736866, 15808338949]
    # 01-08's previous close (16942.37 on 01-07) came from the lookback rows, then was filtered out.
    assert quotes["change_pct"].to_list() == pytest.approx(
        [(17125.18 / 16942.37 - 1) * 100, (17177.98 / 17125.18 - 1) * 100, (17443.5 / 17177.98 - 1) * 100])


def test_index_constituents_weights_dow_members_by_dia_holdings():
    source, adapter = replay_source(DOW_MEMBERS, DIA_HOLDINGS, indexes=("DJI",))
    members = source.index_constituents(dt.date(2025, 9, 22))

    assert dict(members.schema) == INDEX_CONSTITUENTS
    assert members.height == 30 and members["index_code"].unique().to_list() == ["DJI"]
    assert members["weight"].sum() == pytest.approx(1.0)
    # DIA's weightPercentage of the 30 members sums to 99.776 (the rest is a US dollar cash line);
    # GS 10.691 is the largest holding, VZ 0.58 the smallest.
    weight = dict(zip(members["symbol"], members["weight"], strict=True))
    assert weight["GS"] == pytest.approx(10.691 / 99.776)
    assert weight["AAPL"] == pytest.approx(3.162 / 99.776)
    assert max(weight, key=weight.get) == "GS" and min(weight, key=weight.get) == "VZ"
    urls = sorted(r.url for r in adapter.requests)
    assert urls == ["https://financialmodelingprep.com/stable/dowjones-constituent?apikey=MOCK_API_KEY",
                    "https://financialmodelingprep.com/stable/etf/holdings?symbol=DIA&apikey=MOCK_API_KEY"]


def test_universe_from_recorded_dow_list():
    source, _ = replay_source(DOW_MEMBERS, indexes=("DJI",))
    universe = source.universe(dt.date(2025, 9, 22))
    assert dict(universe.schema) == UNIVERSE
    assert universe.height == 30 and universe["symbol"].is_sorted()
    row = universe.filter(pl.col("symbol") == "GS").row(0, named=True)
    assert row == {"symbol": "GS", "name": "The Goldman Sachs Group, Inc.", "sector": "Financial Services",
                   "industry": "Financial - Capital Markets", "shares_outstanding": None}


def test_universe_symbols_feed_daily_bars_when_none_given():
    source, adapter = replay_source(DOW_MEMBERS, AAPL_EOD, indexes=("DJI",), adjusted=False)
    with pytest.raises(LookupError, match="symbol=AMGN"):
        # Only AAPL's history was recorded: the next member (alphabetically AMGN) has no recording, which
        # proves symbols=None walks the FMP universe.
        source.daily_bars(JAN_2023)
    assert [r.url.split("?")[0].rsplit("/", 1)[-1] for r in adapter.requests] == [
        "dowjones-constituent", "full", "full"]


# --------------------------------------------------------------------------- retries and errors


def test_503_twice_then_recorded_200_succeeds():
    source, adapter = scripted_source([Recorded(503, b"upstream busy"), Recorded(503, b"upstream busy"),
                                       recorded_aapl()], adjusted=False)
    bars = source.daily_bars(JAN_2023, ["AAPL"])
    assert bars.height == 6 and len(adapter.requests) == 3


LIMIT_REACH = b'{"Error Message": "Limit Reach . Please upgrade your plan or visit our documentation for more ' \
              b'details at https://site.financialmodelingprep.com/"}'


def test_a_rate_limit_is_retried_after_the_wait_fmp_asks_for():
    slept: list[float] = []
    policy = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=30, sleep=slept.append)
    busy = Recorded(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "12"})
    source, adapter = scripted_source([busy, recorded_aapl()], adjusted=False, policy=policy)
    assert source.daily_bars(JAN_2023, ["AAPL"]).height == 6
    assert len(adapter.requests) == 2 and slept == [12.0]

    # Retry-After as an HTTP date, 20 s from now (whole seconds: what is left of them by the time it is read).
    slept.clear()
    when = email.utils.formatdate(time.time() + 20, usegmt=True)
    busy = Recorded(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": when})
    source, adapter = scripted_source([busy, recorded_aapl()], adjusted=False, policy=policy)
    assert source.daily_bars(JAN_2023, ["AAPL"]).height == 6
    assert len(slept) == 1 and 17 <= slept[0] <= 20


def test_a_used_up_quota_is_not_retried():
    source, adapter = scripted_source([Recorded(429, LIMIT_REACH, reason="Too Many Requests"), recorded_aapl()],
                                      adjusted=False)
    with pytest.raises(QuotaExhausted, match=r"fmp GET .*historical-price-eod/full\?symbol=AAPL.*apikey=\*\*\*: "
                                             r"HTTP 429 Too Many Requests: quota used up, not retried: .*Limit Reach"
                                             r".*\(symbol AAPL, status 429, 1 attempt\)"):
        source.daily_bars(JAN_2023, ["AAPL"])
    assert len(adapter.requests) == 1

    source, adapter = scripted_source([Recorded(200, LIMIT_REACH), recorded_aapl()], adjusted=False)
    with pytest.raises(QuotaExhausted, match="provider error: Limit Reach"):
        source.daily_bars(JAN_2023, ["AAPL"])
    assert len(adapter.requests) == 1


def test_always_503_gives_up_with_a_clear_redacted_error():
    secret = "sk-live-1234567890"
    source, adapter = scripted_source([Recorded(503, b"Service Unavailable")], api_key=secret, adjusted=False)
    with pytest.raises(SourceError) as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    err = info.value
    assert len(adapter.requests) == 3 == err.attempts
    assert err.status == 503 and err.provider == "fmp"
    text = str(err)
    assert "historical-price-eod/full" in text and "symbol=AAPL" in text and "apikey=***" in text
    assert "3 attempts" in text and "status 503" in text
    assert secret not in text
    assert secret in adapter.requests[0].url  # it was sent, just never shown


def test_connection_errors_are_retried_and_redacted(caplog):
    caplog.set_level(logging.WARNING, logger="investing_assets.lib.sources.http")
    secret = "sk-live-abcdef"
    url = f"https://financialmodelingprep.com/stable/historical-price-eod/full?symbol=AAPL&apikey={secret}"
    boom = requests.ConnectionError(f"HTTPSConnectionPool: Max retries exceeded with url: {url}")
    source, adapter = scripted_source([boom, recorded_aapl()], api_key=secret, adjusted=False)
    assert source.daily_bars(JAN_2023, ["AAPL"]).height == 6
    assert "attempt 1/3 failed (ConnectionError" in caplog.text and "apikey=***" in caplog.text

    source, adapter = scripted_source([requests.Timeout(f"read timed out: {url}")], api_key=secret,
                                      adjusted=False)
    with pytest.raises(SourceError) as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    assert info.value.attempts == 3 and "Timeout" in str(info.value)
    assert secret not in str(info.value) and info.value.__cause__ is None
    assert secret not in caplog.text


def test_401_fails_at_once():
    body = b'{"Error Message": "Invalid API KEY. Feel free to create a Free API Key."}'
    source, adapter = scripted_source([Recorded(401, body, reason="Unauthorized")], adjusted=False)
    with pytest.raises(SourceError, match="HTTP 401") as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    assert len(adapter.requests) == 1 and info.value.attempts == 1 and info.value.status == 401
    assert "check the API key" in str(info.value) and "Invalid API KEY" in str(info.value)


def test_error_message_with_status_200_is_detected():
    body = {"Error Message": "Invalid API KEY. Feel free to create a Free API Key or visit "
                             "https://site.financialmodelingprep.com/faqs?search=why-is-my-api-key-invalid"}
    source, adapter = scripted_source([json_response(body)], adjusted=False)
    with pytest.raises(SourceError, match="Invalid API KEY") as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    assert info.value.status == 200 and len(adapter.requests) == 1
    assert not isinstance(info.value, QuotaExhausted)


def test_an_empty_answer_for_a_requested_symbol_is_no_data():
    """FMP answers [] alike for an unknown or delisted symbol and for a range without trading: an error naming the
    symbol and FMP, with the reason FMP does not give left open, for bars and quotes alike."""
    source, adapter = scripted_source([json_response([])], adjusted=False)
    with pytest.raises(NoData, match=r"fmp GET .*symbol=ZZZZ.*: no data for ZZZZ: no data \(the vendor does not say"
                       ) as info:
        source.daily_bars(JAN_2023, ["ZZZZ"])
    assert (info.value.symbol, info.value.reason, len(adapter.requests)) == ("ZZZZ", NO_DATA, 1)
    with pytest.raises(NoData, match="no data for BTC-USD.*FMP answered \\[\\] for BTCUSD"):
        source.quotes("crypto", [dt.date(2023, 1, 9)], ["BTC-USD"])


def test_non_json_200_is_a_clear_error():
    source, _ = scripted_source([Recorded(200, b"<html>maintenance</html>", {"Content-Type": "text/html"})],
                                adjusted=False)
    with pytest.raises(SourceError, match="not JSON.*maintenance"):
        source.daily_bars(JAN_2023, ["AAPL"])


def test_malformed_row_through_the_network_names_the_symbol():
    body = vcr_body(AAPL_EOD)
    del body[2]["close"]  # the recorded 2023-01-06 row (newest first), minus its close
    source, _ = scripted_source([json_response(body)], adjusted=False)
    with pytest.raises(PayloadError, match=r"AAPL.*2023-01-06.*'close'") as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    assert info.value.symbol == "AAPL"


def test_symbols_are_checked_before_any_request():
    source, adapter = scripted_source([recorded_aapl()])
    for bad in ["AAPL&apikey=x", "aapl", "../etc", "A" * 11, "BRK B", ""]:
        with pytest.raises(ValueError, match="refusing symbol"):
            source.daily_bars(JAN_2023, [bad])
    assert adapter.requests == []


def test_constructor_needs_a_key_and_known_indexes():
    with pytest.raises(ValueError, match="API key"):
        FmpSource("")
    with pytest.raises(ValueError, match="unknown index"):
        FmpSource(KEY, indexes=("FTSE",))


# --------------------------------------------------------------------------- pure parse functions


def test_parse_historical_eod_values_and_types():
    bars = parse_historical_eod("AAPL", vcr_body(AAPL_EOD))
    assert dict(bars.schema) == DAILY_BARS and bars["session"].is_sorted()
    row = bars.filter(pl.col("session") == dt.date(2023, 1, 6)).row(0, named=True)
    assert (row["open"], row["high"], row["low"], row["close"], row["volume"]) == (
        126.01, 130.29, 124.89, 129.62, 87754715)


def test_parse_quotes_uses_previous_close_not_fmps_change_percent():
    payload = vcr_body(AAPL_EOD)
    # FMP's changePercent on 2023-01-04 is -0.41768: close 126.36 over *open* 126.89.
    assert next(r for r in payload if r["date"] == "2023-01-04")["changePercent"] == -0.41768
    quotes = parse_quotes("etf", "AAPL", "Apple Inc.", payload)
    by_day = dict(zip(quotes["session"], quotes["change_pct"], strict=True))
    assert by_day[dt.date(2023, 1, 3)] is None  # no earlier row in the payload: unknown, not 0
    assert by_day[dt.date(2023, 1, 4)] == pytest.approx((126.36 / 125.07 - 1) * 100)  # +1.03%
    assert math.isclose(by_day[dt.date(2023, 1, 10)], (130.73 / 130.15 - 1) * 100)


def test_parse_historical_eod_rejects_another_symbols_rows():
    with pytest.raises(PayloadError, match="MSFT.*'AAPL'"):
        parse_historical_eod("MSFT", vcr_body(AAPL_EOD))
    # Crypto rows carry FMP's spelling; that is expected when we say so.
    assert parse_historical_eod("BTC-USD", vcr_body(BTC_EOD), provider_symbol="BTCUSD").height == 10


@pytest.mark.parametrize("mutate, message", [
    (lambda rows: rows[0].pop("date"), "row 0 has no ISO 'date'"),
    (lambda rows: rows[1].update(volume="n/a"), r"row 1 \(2023-01-09\) has non-numeric 'n/a' for 'volume'"),
    (lambda rows: rows.append(dict(rows[0])), "two rows for 2023-01-10"),
    (lambda rows: rows.__setitem__(0, "oops"), "row 0 is str"),
])
def test_parse_historical_eod_refuses_malformed_rows(mutate, message):
    rows = vcr_body(AAPL_EOD)
    mutate(rows)
    with pytest.raises(PayloadError, match=message):
        parse_historical_eod("AAPL", rows)


def test_parse_historical_eod_refuses_an_error_object():
    with pytest.raises(PayloadError, match="expected a JSON list"):
        parse_historical_eod("AAPL", {"Error Message": "x"})
    assert fmp_error_message({"Error Message": "Invalid API KEY"}) == "Invalid API KEY"
    assert fmp_error_message(vcr_body(AAPL_EOD)) is None


def test_parse_constituents_refuses_members_the_etf_does_not_hold():
    members, holdings = vcr_body(DOW_MEMBERS), vcr_body(DIA_HOLDINGS)
    without_gs = [h for h in holdings if h["asset"] != "GS"]
    with pytest.raises(PayloadError, match="1 member.*not in DIA holdings.*GS"):
        parse_constituents("DJI", members, without_gs)


def test_parse_constituents_matches_share_class_spellings():
    members = [{"symbol": "BRK-B"}, {"symbol": "AAPL"}]
    holdings = [{"asset": "BRK.B", "weightPercentage": 1.0}, {"asset": "AAPL", "weightPercentage": 3.0},
                {"asset": " ", "weightPercentage": 0.2}]
    out = parse_constituents("SPX", members, holdings)
    assert dict(zip(out["symbol"], out["weight"], strict=True)) == {"AAPL": 0.75, "BRK-B": 0.25}


def test_parse_universe_dedupes_across_indexes():
    dow = vcr_body(DOW_MEMBERS)
    frame = parse_universe({"SPX": copy.deepcopy(dow[:5]), "DJI": dow})
    assert frame.height == 30 and frame["symbol"].n_unique() == 30


def test_cassette_body_is_gzip_and_requests_decodes_it():
    # The replay really exercises Content-Encoding handling: the stored bytes are gzip, not JSON.
    rec = recorded_aapl()
    assert rec.body[:2] == b"\x1f\x8b" and rec.headers["Content-Encoding"] == "gzip"
    source, _ = replay_source(AAPL_EOD, adjusted=False)
    payload = source.client.get_json("https://financialmodelingprep.com/stable/historical-price-eod/full",
                                     {"symbol": "AAPL", "from": "2023-01-01", "to": "2023-01-10", "apikey": KEY})
    assert payload == json.loads(json.dumps(vcr_body(AAPL_EOD)))


# --------------------------------------------------------------------------- analyst estimates

UTC = dt.UTC


def test_analyst_estimates_replay_recorded_aapl_and_msft():
    source, adapter = replay_source(ESTIMATES, estimate_periods=1, estimate_page=1)  # as recorded
    estimates = source.analyst_estimates(dt.date(2025, 9, 22), ["MSFT", "AAPL"])

    assert dict(estimates.schema) == ANALYST_ESTIMATES
    assert estimates["symbol"].to_list() == ["AAPL", "MSFT"]
    assert estimates.row(0, named=True) == {
        "symbol": "AAPL", "period": "annual", "period_end": dt.date(2029, 9, 28),
        "revenue_low": 495696786950.0, "revenue_avg": 508301573900.0, "revenue_high": 520906360849.0,
        "ebitda_avg": 166927759412.0, "net_income_avg": 168221421035.0,
        "eps_low": 10.48035, "eps_avg": 10.91773, "eps_high": 11.57903,
        "analysts_revenue": 14, "analysts_eps": 13,
    }
    # MSFT's 2030 EPS and net income are recorded as 0/0/0 (with 6 EPS analysts counted): FMP's "no
    # estimate", kept as null rather than a forecast of zero. Its revenue estimate is real.
    msft = estimates.row(1, named=True)
    assert (msft["period_end"], msft["revenue_avg"], msft["ebitda_avg"]) == (
        dt.date(2030, 6, 30), 557339000000.0, 291971651660.0)
    assert (msft["eps_low"], msft["eps_avg"], msft["eps_high"], msft["net_income_avg"]) == (None, None, None, None)
    assert (msft["analysts_revenue"], msft["analysts_eps"]) == (14, 6)

    assert [r.url.split("?")[0] for r in adapter.requests] == [
        "https://financialmodelingprep.com/stable/analyst-estimates"] * 2
    # One call per symbol, in the order asked; the frame is sorted.
    assert [dict(parse_qsl(urlsplit(r.url).query))["symbol"] for r in adapter.requests] == ["MSFT", "AAPL"]


def test_analyst_estimates_ask_for_the_period_and_label_rows_with_it():
    source, adapter = scripted_source([json_response(vcr_body(ESTIMATES, 0))], estimate_period="quarter",
                                      estimate_periods=8)
    estimates = source.analyst_estimates(dt.date(2025, 9, 22), ["AAPL"])
    assert estimates["period"].to_list() == ["quarter"]
    (request,) = adapter.requests
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query == {"symbol": "AAPL", "period": "quarter", "limit": "20", "page": "0", "apikey": KEY}


def test_analyst_estimates_keep_the_nearest_coming_periods():
    """FMP lists the furthest fiscal years first and past ones too: the coming years are the ones kept."""
    row = vcr_body(ESTIMATES, 0)[0]
    years = [{**row, "date": f"{year}-09-28"} for year in range(2029, 2021, -1)]  # 2029 first, as FMP sends
    source, adapter = scripted_source([json_response(years)], estimate_periods=2)
    estimates = source.analyst_estimates(dt.date(2025, 9, 22), ["AAPL"])
    assert estimates["period_end"].to_list() == [dt.date(2025, 9, 28), dt.date(2026, 9, 28)]
    assert dict(parse_qsl(urlsplit(adapter.requests[0].url).query))["limit"] == "10"


def test_analyst_estimates_arguments_are_checked_before_any_request():
    with pytest.raises(ValueError, match="unknown estimate period 'quarterly'"):
        FmpSource(KEY, estimate_period="quarterly")
    with pytest.raises(ValueError, match="estimate_periods and estimate_page must be at least 1, got 0"):
        FmpSource(KEY, estimate_periods=0)
    source, adapter = scripted_source([json_response(vcr_body(ESTIMATES, 0))])
    with pytest.raises(ValueError, match="refusing symbol"):
        source.analyst_estimates(dt.date(2025, 9, 22), ["AAPL&page=2"])
    assert adapter.requests == []
    assert source.analyst_estimates(dt.date(2025, 9, 22), []).schema == pl.Schema(ANALYST_ESTIMATES)


def test_analyst_estimates_error_body_with_status_200_is_reported():
    source, adapter = scripted_source([json_response({"Error Message": "Limit Reach . Please upgrade your plan"})])
    with pytest.raises(SourceError, match="analyst-estimates.*provider error: Limit Reach") as info:
        source.analyst_estimates(dt.date(2025, 9, 22), ["AAPL"])
    assert info.value.status == 200 and len(adapter.requests) == 1


def test_analyst_estimates_refuse_another_symbols_rows():
    source, _ = scripted_source([json_response(vcr_body(ESTIMATES, 1))])  # MSFT's body, asked for AAPL
    with pytest.raises(PayloadError, match="AAPL: annual estimate row 0 is for 'MSFT', expected 'AAPL'"):
        source.analyst_estimates(dt.date(2025, 9, 22), ["AAPL"])


@pytest.mark.parametrize("mutate, message", [
    (lambda row: row.pop("symbol"), r"analyst estimates: annual estimate row 0 has no 'symbol'"),
    (lambda row: row.pop("date"), r"AAPL: annual estimate row 0 has no ISO 'date'"),
    (lambda row: row.update(numAnalystsEps=-1),
     r"AAPL: annual estimate for 2029-09-28 has numAnalystsEps -1, not a count of analysts"),
    (lambda row: row.update(numAnalystsRevenue=2.5), r"AAPL: .*numAnalystsRevenue 2.5, not a count"),
    (lambda row: row.update(revenueLow=530000000000),
     r"AAPL: annual estimate for 2029-09-28 has revenueLow 530000000000 above revenueHigh 520906360849"),
    (lambda row: row.update(epsLow=12.0), r"AAPL: annual estimate for 2029-09-28 has epsLow 12.0 above epsHigh"),
    (lambda row: row.update(epsAvg="n/a"), r"AAPL: annual estimate for 2029-09-28 has non-numeric 'n/a' for 'epsAvg'"),
    (lambda row: row.pop("ebitdaAvg"), r"AAPL: annual estimate for 2029-09-28 lacks 'ebitdaAvg'"),
])
def test_parse_analyst_estimates_refuses_malformed_rows(mutate, message):
    rows = vcr_body(ESTIMATES, 0)
    mutate(rows[0])
    with pytest.raises(PayloadError, match=message):
        parse_analyst_estimates(rows, "annual")


def test_parse_analyst_estimates_refuses_two_rows_for_one_period_and_non_lists():
    rows = vcr_body(ESTIMATES, 0)
    with pytest.raises(PayloadError, match="AAPL: two quarter estimates for 2029-09-28"):
        parse_analyst_estimates(rows + copy.deepcopy(rows), "quarter")
    with pytest.raises(PayloadError, match="expected a JSON list from analyst-estimates, got dict"):
        parse_analyst_estimates({"symbol": "AAPL"})


def test_parse_analyst_estimates_null_is_no_estimate_and_a_lone_zero_is_kept():
    rows = vcr_body(ESTIMATES, 0)
    rows[0].update(epsLow=None, epsAvg=None, epsHigh=None, numAnalystsEps=None, ebitdaAvg=0)
    row = parse_analyst_estimates(rows).row(0, named=True)
    assert (row["eps_low"], row["eps_avg"], row["eps_high"], row["analysts_eps"]) == (None, None, None, None)
    # Only a whole low/avg/high range of zeros is FMP's placeholder; ebitdaLow/High are still recorded values.
    assert row["ebitda_avg"] == 0.0 and row["revenue_avg"] == 508301573900.0


# --------------------------------------------------------------------------- news


RECORDED_AT = dt.datetime(2025, 9, 23, 1, 31, 48, tzinfo=UTC)  # "2025-09-22 21:31:48" New York (EDT, UTC-4)
SEPT_22_NY = dt.datetime(2025, 9, 22, 4, 0, tzinfo=UTC)  # midnight in New York
SEPT_23_NY = dt.datetime(2025, 9, 23, 4, 0, tzinfo=UTC)


def news_replay_source() -> tuple[FmpSource, ReplayAdapter]:
    # OpenBB recorded this call without from/to, one article a page; the symbols, page size and page decide what
    # came back.
    recordings = load_vcr(NEWS)
    adapter = ReplayAdapter(recordings, key=lambda u: url_key(u, params=("symbols", "limit", "page", "apikey")))
    return FmpSource(KEY, session=session_with(adapter), policy=FAST, news_page_size=1, news_max_pages=1), adapter


def test_news_replays_recorded_article_in_utc(caplog):
    source, adapter = news_replay_source()
    news = source.news(SEPT_22_NY, SEPT_23_NY, ["AAPL", "MSFT"])

    assert dict(news.schema) == NEWS_ARTICLES
    assert news.row(0, named=True) == {
        "symbol": "AAPL",
        "published_at": RECORDED_AT,
        "title": "CFPB ends monitoring of Apple, U.S. Bank years ahead of schedule",
        "publisher": "Reuters",
        "site": "reuters.com",
        "url": "https://www.reuters.com/sustainability/boards-policy-regulation/"
               "cfpb-ends-monitoring-apple-us-bank-years-ahead-schedule-2025-09-23/",
        "text": vcr_body(NEWS)[0]["text"],
    }
    (request,) = adapter.requests
    assert request.url.startswith("https://financialmodelingprep.com/stable/news/stock?")
    query = dict(parse_qsl(urlsplit(request.url).query))
    assert query == {"symbols": "AAPL,MSFT", "from": "2025-09-22", "to": "2025-09-23", "limit": "1", "page": "0",
                     "apikey": KEY}
    # A full page at max_pages means older articles may be missing: said, not hidden.
    assert "stopped at max_pages=1" in caplog.text


@pytest.mark.parametrize("start, end, kept", [
    (SEPT_22_NY, SEPT_23_NY, 1),
    (RECORDED_AT, RECORDED_AT + dt.timedelta(seconds=1), 1),  # start is inclusive
    (SEPT_22_NY, RECORDED_AT, 0),  # end is exclusive
    # 21:31:48 read as UTC would fall inside this window; read as New York time (01:31:48 UTC) it does not.
    (dt.datetime(2025, 9, 22, 20, tzinfo=UTC), dt.datetime(2025, 9, 23, tzinfo=UTC), 0),
])
def test_news_keeps_articles_published_in_the_window(start, end, kept):
    source, _ = news_replay_source()
    assert source.news(start, end, ["AAPL", "MSFT"]).height == kept


def test_news_window_must_be_aware_and_not_empty():
    source, adapter = news_replay_source()
    with pytest.raises(ValueError, match="start 2025-09-22T00:00:00 has no time zone"):
        source.news(dt.datetime(2025, 9, 22), SEPT_23_NY, ["AAPL"])
    with pytest.raises(ValueError, match="empty window"):
        source.news(SEPT_23_NY, SEPT_22_NY, ["AAPL"])
    with pytest.raises(ValueError, match="page_size and max_pages"):
        FmpSource(KEY, news_page_size=0)
    with pytest.raises(ValueError, match="refusing symbol"):
        source.news(SEPT_22_NY, SEPT_23_NY, ["AAPL,MSFT"])
    assert adapter.requests == []


def test_news_error_body_with_status_200_is_reported():
    source, adapter = scripted_source([json_response({"Error Message": "Limit Reach . Please upgrade your plan"})])
    with pytest.raises(SourceError, match="news/stock.*provider error: Limit Reach") as info:
        source.news(SEPT_22_NY, SEPT_23_NY, ["AAPL"])
    assert info.value.status == 200 and len(adapter.requests) == 1


def test_parse_news_converts_new_york_time_across_daylight_saving():
    article = vcr_body(NEWS)[0]
    winter = {**article, "publishedDate": "2025-01-15 09:30:00", "url": "https://example.com/winter"}
    with_offset = {**article, "publishedDate": "2025-01-15T09:30:00+00:00", "url": "https://example.com/utc"}
    news = parse_news([article, winter, with_offset])
    assert news["published_at"].to_list() == [
        RECORDED_AT,
        dt.datetime(2025, 1, 15, 14, 30, tzinfo=UTC),  # EST is UTC-5
        dt.datetime(2025, 1, 15, 9, 30, tzinfo=UTC),  # an explicit offset is taken as written
    ]


def test_parse_news_drops_exact_symbol_url_duplicates_only():
    article = vcr_body(NEWS)[0]
    same_story_for_msft = {**article, "symbol": "MSFT"}
    news = parse_news([article, dict(article, title="edited later"), same_story_for_msft])
    assert news["symbol"].to_list() == ["AAPL", "MSFT"]
    assert news["title"].to_list() == [article["title"]] * 2  # the first of the duplicates is kept


@pytest.mark.parametrize("mutate, message", [
    (lambda a: a.pop("symbol"), r"news: article 0 has no 'symbol'"),
    (lambda a: a.update(publishedDate="22/09/2025 21:31"), r"AAPL: article 0 has no 'publishedDate' date and time"),
    (lambda a: a.update(publishedDate="2025-02-30 10:00:00"), r"AAPL: article 0 has an impossible publishedDate"),
    (lambda a: a.update(url=""), r"AAPL: article 0 \(2025-09-22 21:31:48\) has no 'url'"),
    (lambda a: a.update(title=["x"]), r"AAPL: article 0 has non-text \['x'\] for 'title'"),
    (lambda a: a.update(symbol="TSLA"), r"TSLA: article 0 is about 'TSLA', which was not asked for \(AAPL, MSFT\)"),
])
def test_parse_news_refuses_malformed_articles(mutate, message):
    articles = vcr_body(NEWS)
    mutate(articles[0])
    with pytest.raises(PayloadError, match=message):
        parse_news(articles, symbols={"AAPL", "MSFT"})


class FakeNewsServer(BaseAdapter):
    """Stands in for FMP's news/stock: the articles about the asked symbols, `limit` per page, newest first.

    The recording holds a single one-article page, which cannot show batching or paging.
    """

    def __init__(self, articles: list[dict]) -> None:
        super().__init__()
        self.articles = articles
        self.queries: list[dict[str, str]] = []

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        query = dict(parse_qsl(urlsplit(request.url).query))
        self.queries.append(query)
        asked = query["symbols"].split(",")
        limit, page = int(query["limit"]), int(query["page"])
        matching = [a for a in self.articles if a["symbol"] in asked]
        return build_response(self, request, json_response(matching[page * limit:(page + 1) * limit]))

    def close(self) -> None:
        pass


def fake_articles(symbol: str, count: int) -> list[dict]:
    template = vcr_body(NEWS)[0]
    return [{**template, "symbol": symbol, "publishedDate": f"2025-09-22 {20 - i:02d}:00:00",
             "url": f"https://example.com/{symbol}/{i}"} for i in range(count)]


def fake_news_source(articles: list[dict], **kwargs) -> tuple[FmpSource, FakeNewsServer]:
    server = FakeNewsServer(articles)
    return FmpSource(KEY, session=session_with(server), policy=FAST, **kwargs), server


def test_news_batches_50_symbols_a_request_and_pages_until_a_short_page(caplog):
    symbols = [f"T{i:03d}" for i in range(120)]
    articles = (fake_articles("T000", 3) + fake_articles("T049", 1)
                + fake_articles("T050", 4)  # 4 in batch 2: pages of 2, 2 and an empty one
                + fake_articles("T000", 1))  # the same (symbol, url) again: batch 1 has 5, pages of 2, 2, 1
    source, server = fake_news_source(articles, news_page_size=2)
    news = source.news(SEPT_22_NY, SEPT_23_NY, symbols)

    asked = [(len(q["symbols"].split(",")), q["symbols"].split(",")[0], q["page"]) for q in server.queries]
    assert asked == [(50, "T000", "0"), (50, "T000", "1"), (50, "T000", "2"),
                     (50, "T050", "0"), (50, "T050", "1"), (50, "T050", "2"),
                     (20, "T100", "0")]
    assert all(q["limit"] == "2" for q in server.queries)
    assert news.height == 8  # 9 served, the repeated T000 article dropped
    assert news.group_by("symbol").len().sort("symbol").rows() == [("T000", 3), ("T049", 1), ("T050", 4)]
    # 18:00, 19:00 and 20:00 in New York (EDT), sorted oldest first.
    assert news.filter(pl.col("symbol") == "T000")["published_at"].to_list() == [
        dt.datetime(2025, 9, 22, 22, tzinfo=UTC), dt.datetime(2025, 9, 22, 23, tzinfo=UTC),
        dt.datetime(2025, 9, 23, 0, tzinfo=UTC)]
    assert "max_pages" not in caplog.text


def test_news_stops_at_max_pages_and_warns(caplog):
    source, server = fake_news_source(fake_articles("AAPL", 10), news_page_size=2, news_max_pages=3)
    news = source.news(SEPT_22_NY, SEPT_23_NY, ["AAPL"])
    assert [q["page"] for q in server.queries] == ["0", "1", "2"]
    assert news.height == 6
    assert "fmp news for AAPL: stopped at max_pages=3 full pages of 2" in caplog.text


# ------------------------------------------------------------------------------------------ corporate actions
# FMP's stable `splits` and `dividends` answers (no recording of them exists in ../shared; these follow the
# documented shape, AAPL's own 2020 split and a 2025 dividend).
AAPL_SPLITS = [{"symbol": "AAPL", "date": "2020-08-31", "numerator": 4, "denominator": 1},
               {"symbol": "AAPL", "date": "2014-06-09", "numerator": 7, "denominator": 1}]
AAPL_DIVIDENDS = [{"symbol": "AAPL", "date": "2025-02-10", "recordDate": "2025-02-10", "paymentDate": "2025-02-13",
                   "declarationDate": "2025-01-30", "adjDividend": 0.25, "dividend": 0.25, "yield": 0.42,
                   "frequency": "Quarterly"},
                  {"symbol": "AAPL", "date": "2012-08-09", "adjDividend": 0.094643, "dividend": 2.65}]


def test_parse_splits_and_dividends():
    from investing_assets.lib.sources.fmp import parse_dividends, parse_splits

    assert parse_splits("AAPL", AAPL_SPLITS).select("session", "kind", "ratio").rows() == [
        (dt.date(2014, 6, 9), "split", 7.0), (dt.date(2020, 8, 31), "split", 4.0)]
    # the split-adjusted amount, in the units of FMP's split-adjusted prices
    assert parse_dividends("AAPL", AAPL_DIVIDENDS).select("session", "amount").rows() == [
        (dt.date(2012, 8, 9), 0.094643), (dt.date(2025, 2, 10), 0.25)]
    with pytest.raises(PayloadError, match=r"AAPL.*split 0 .*2020-08-31.*ratio 4/0"):
        parse_splits("AAPL", [{"date": "2020-08-31", "numerator": 4, "denominator": 0}])
    with pytest.raises(PayloadError, match=r"AAPL.*dividend 0 is for 'MSFT'"):
        parse_dividends("AAPL", [{"symbol": "MSFT", "date": "2025-02-10", "dividend": 0.8}])


def test_corporate_actions_asks_both_endpoints_and_keeps_the_asked_sessions():
    source, adapter = scripted_source([json_response(AAPL_SPLITS), json_response(AAPL_DIVIDENDS)])
    actions = source.corporate_actions([dt.date(2020, 8, 31), dt.date(2025, 2, 10)], ["AAPL"])
    assert actions.select("session", "kind", "ratio", "amount").rows() == [
        (dt.date(2020, 8, 31), "split", 4.0, None), (dt.date(2025, 2, 10), "dividend", None, 0.25)]
    paths = [urlsplit(r.url).path for r in adapter.requests]
    assert paths == ["/stable/splits", "/stable/dividends"]
    assert all(dict(parse_qsl(urlsplit(r.url).query))["symbol"] == "AAPL" for r in adapter.requests)


# ------------------------------------------------------------------------------------------ vendor spellings


def test_every_dataset_asks_fmp_in_its_spelling_and_files_under_ours():
    """BRK.B goes out as BRK-B for bars, corporate actions, estimates and news, and every row comes back as BRK.B;
    index members FMP spells BRK-B are stored as BRK.B. The bodies are the recordings with one stated change: the
    symbol they are about."""
    def about_brk(body):
        return [{**row, "symbol": "BRK-B"} for row in body]

    script = [json_response(about_brk(vcr_body(AAPL_EOD))),  # bars
              json_response(about_brk(AAPL_SPLITS)), json_response([]),  # splits, dividends
              json_response(about_brk(vcr_body(ESTIMATES, 0))),  # analyst estimates
              json_response(about_brk(vcr_body(NEWS))),  # news
              json_response(about_brk(vcr_body(DOW_MEMBERS)[:1]))]  # a constituent list
    source, adapter = scripted_source(script, adjusted=False, indexes=("DJI",), estimate_periods=1,
                                      news_page_size=2)
    bars = source.daily_bars(JAN_2023, ["BRK.B"])
    actions = source.corporate_actions([dt.date(2020, 8, 31)], ["BRK.B"])
    estimates = source.analyst_estimates(dt.date(2025, 9, 22), ["BRK.B"])
    news = source.news(SEPT_22_NY, SEPT_23_NY, ["BRK.B"])
    universe = source.universe(dt.date(2025, 9, 22))

    asked = [dict(parse_qsl(urlsplit(r.url).query)) for r in adapter.requests]
    assert [q.get("symbol", q.get("symbols")) for q in asked] == ["BRK-B"] * 5 + [None]
    for frame in (bars, actions, estimates, news, universe):
        assert frame.get_column("symbol").unique().to_list() == ["BRK.B"]
    assert bars.height == 6 and actions.select("kind", "ratio").rows() == [("split", 4.0)]


# --------------------------------------------------------------------------- over real HTTP


def loopback_source(server: Loopback, **kwargs) -> FmpSource:
    kwargs.setdefault("policy", FAST)
    return FmpSource(kwargs.pop("api_key", KEY), base_url=f"{server.url}/stable", adjusted=False, **kwargs)


def test_a_connection_dropped_mid_body_is_retried_then_one_error_without_the_key():
    secret = "sk-live-dropped"
    aapl = recorded_aapl()  # gzip bytes, Content-Encoding: gzip, as recorded
    with Loopback([Drop(aapl, keep=len(aapl.body) // 2), aapl]) as server:
        assert loopback_source(server, api_key=secret).daily_bars(JAN_2023, ["AAPL"]).height == 6
        assert len(server.requests) == 2
    with Loopback([Drop(aapl, keep=len(aapl.body) // 2)]) as server:
        with pytest.raises(TransportError) as info:
            loopback_source(server, api_key=secret).daily_bars(JAN_2023, ["AAPL"])
        assert f"apikey={secret}" in server.requests[0]  # sent, never shown
    text = str(info.value)
    assert text.startswith("fmp GET http://127.0.0.1:") and "/stable/historical-price-eod/full?symbol=AAPL" in text
    assert "apikey=***" in text and secret not in text and "ChunkedEncodingError" in text
    assert text.endswith("(symbol AAPL, 3 attempts)") and info.value.__cause__ is None


def test_a_truncated_gzip_body_and_an_html_page_are_retried_then_one_error():
    aapl = recorded_aapl()
    cut = Recorded(200, aapl.body[: len(aapl.body) // 2], aapl.headers)  # half the gzip stream, served as whole
    page = Recorded(200, b"<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>",
                    {"Content-Type": "text/html"})
    for bad in (cut, page):
        with Loopback([bad, aapl]) as server:
            assert loopback_source(server).daily_bars(JAN_2023, ["AAPL"]).height == 6
        with Loopback([bad]) as server:
            with pytest.raises(TransportError, match=r"historical-price-eod/full.*gave up: .*symbol AAPL, .*3 attempts"):
                loopback_source(server).daily_bars(JAN_2023, ["AAPL"])
            assert len(server.requests) == 3


def test_a_retry_after_beyond_the_ceiling_is_not_waited_for():
    slept: list[float] = []
    policy = RetryPolicy(attempts=4, initial_wait=0.001, max_wait=0.002, retry_after_ceiling=5, sleep=slept.append)
    busy = Recorded(429, b"Too Many Requests", {"Content-Type": "text/plain", "Retry-After": "60"})
    with Loopback([busy, recorded_aapl()]) as server:
        with pytest.raises(TransportError, match=r"HTTP 429.*asks to retry after 60 s, longer than the 5 s ceiling "
                                                 r"\(RetryPolicy\.retry_after_ceiling\).*status 429, 1 attempt\)"):
            loopback_source(server, policy=policy).daily_bars(JAN_2023, ["AAPL"])
        assert len(server.requests) == 1 and slept == []
