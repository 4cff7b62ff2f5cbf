"""FMP connector, replayed from OpenBB's recorded vcrpy cassettes through a real requests.Session.

Numbers asserted here are read off the recorded responses (fixtures/fmp/, see fixtures/README.md).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import math

import polars as pl
import pytest
import requests

from investing_assets.lib.sources.fmp import (
    FmpSource,
    fmp_error_message,
    parse_constituents,
    parse_historical_eod,
    parse_quotes,
    parse_universe,
)
from investing_assets.lib.sources.http import PayloadError, RetryPolicy, SourceError
from investing_assets.lib.sources.schemas import DAILY_BARS, INDEX_CONSTITUENTS, QUOTES, UNIVERSE
from investing_assets_tests.lib.sources._replay import (
    FIXTURES,
    Recorded,
    ReplayAdapter,
    ScriptedAdapter,
    json_response,
    load_vcr,
    no_network,  # noqa: F401  (fixture)
    session_with,
    vcr_body,
)

pytestmark = pytest.mark.usefixtures("no_network")

KEY = "MOCK_API_KEY"  # the key the cassettes were recorded with, so recorded URLs match exactly
FAST = RetryPolicy(attempts=3, initial_wait=0.001, max_wait=0.002)
AAPL_EOD = FIXTURES / "fmp" / "test_fmp_equity_historical_fetcher_urllib3_v2.yaml"
BTC_EOD = FIXTURES / "fmp" / "test_fmp_crypto_historical_fetcher_urllib3_v2.yaml"
DOW_MEMBERS = FIXTURES / "fmp" / "test_fmp_index_constituents_fetcher_urllib3_v2.yaml"
DIA_HOLDINGS = FIXTURES / "fmp" / "test_fmp_etf_holdings_fetcher_urllib3_v2.yaml"

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


def test_429_is_retried():
    source, adapter = scripted_source([Recorded(429, b'{"message":"Limit Reach"}'), recorded_aapl()],
                                      adjusted=False)
    assert source.daily_bars(JAN_2023, ["AAPL"]).height == 6
    assert len(adapter.requests) == 2


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
    source, adapter = scripted_source([json_response({"Error Message": "Limit Reach . Please upgrade your plan"})],
                                      adjusted=False)
    with pytest.raises(SourceError, match="Limit Reach") as info:
        source.daily_bars(JAN_2023, ["AAPL"])
    assert info.value.status == 200 and len(adapter.requests) == 1


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
