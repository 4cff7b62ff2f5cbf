"""FMP's `etf/holdings` on the response OpenBB recorded for DIA (../shared/data/fixtures/fmp_openbb_cassettes): every
line, cash included, with its exact values; refusals on stated changes of that body."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from investing_assets.lib.core.schemas import ETF_HOLDINGS, ETF_HOLDINGS_BY_SESSION
from investing_assets.lib.sources.fmp import FmpSource, parse_etf_holdings
from investing_assets.lib.sources.http import PayloadError, RetryPolicy
from investing_assets_tests.lib.sources._replay import (
    FMP_CASSETTES,
    ReplayAdapter,
    json_response,
    load_vcr,
    no_network,  # noqa: F401  (fixture)
    session_with,
    vcr_body,
)

pytestmark = pytest.mark.usefixtures("no_network")

DIA_HOLDINGS = FMP_CASSETTES / "test_fmp_etf_holdings_fetcher_urllib3_v2.yaml"  # GET etf/holdings?symbol=DIA
FAST = RetryPolicy(attempts=2, initial_wait=0.001, max_wait=0.002)
SESSION = dt.date(2025, 9, 22)


def recorded_body() -> list[dict]:
    return vcr_body(DIA_HOLDINGS)


def test_the_recorded_dia_list_parses_line_by_line():
    holdings = parse_etf_holdings("DIA", recorded_body())

    assert dict(holdings.schema) == ETF_HOLDINGS
    assert holdings.height == 32  # the 30 Dow members, a US dollar and a pound sterling cash line
    assert holdings.row(0) == ("DIA", "GS", "GOLDMAN SACHS GROUP INC", pytest.approx(0.10691), 5240872.0,
                               4217756754.0, dt.date(2025, 9, 22))
    assert holdings.row(29) == ("DIA", "VZ", "VERIZON COMMUNICATIONS INC", pytest.approx(0.0058), 5240872.0,
                                229002862.0, dt.date(2025, 9, 22))
    cash = holdings.filter(holdings["symbol"].is_null())
    assert cash.select("name", "weight", "shares", "market_value").rows() == [
        ("US DOLLAR", pytest.approx(0.00222), 87694655.23, 87746247.0), ("POUND STERLING", 0.0, 407.0, 0.0)]
    # DIA is price-weighted: it holds the same number of shares of every member
    assert holdings.filter(holdings["symbol"].is_not_null())["shares"].unique().to_list() == [5240872.0]
    assert holdings["weight"].sum() == pytest.approx(0.99998)  # 99.998 % in FMP's percent
    assert holdings["weight"].to_list() == sorted(holdings["weight"].to_list(), reverse=True)


def test_fmp_source_asks_etf_holdings_per_etf_in_fmps_spelling():
    adapter = ReplayAdapter(load_vcr(DIA_HOLDINGS))
    source = FmpSource("MOCK_API_KEY", session=session_with(adapter), policy=FAST)
    holdings = source.etf_holdings(SESSION, ["DIA"])

    assert [r.url for r in adapter.requests] == [
        "https://financialmodelingprep.com/stable/etf/holdings?symbol=DIA&apikey=MOCK_API_KEY"]
    assert holdings.equals(parse_etf_holdings("DIA", recorded_body()))


def test_an_empty_answer_for_an_etf_is_an_error_naming_it():
    recorded_dia = load_vcr(DIA_HOLDINGS)[0]
    adapter = ReplayAdapter([recorded_dia, ("GET", "https://financialmodelingprep.com/stable/etf/holdings?"
                                                  "symbol=XYZQ&apikey=MOCK_API_KEY", json_response([]))])
    source = FmpSource("MOCK_API_KEY", session=session_with(adapter), policy=FAST)
    with pytest.raises(PayloadError, match="fmp: malformed payload for XYZQ holdings: etf/holdings answered no "
                                           "holdings: not a fund FMP covers, or an unknown symbol"):
        source.etf_holdings(SESSION, ["DIA", "XYZQ"])


def test_share_classes_come_back_in_our_spelling_and_a_line_listed_twice_is_summed():
    body = copy.deepcopy(recorded_body())
    body[29]["asset"] = "BRK-B"  # stated change: VZ's line as Berkshire's class B, FMP's dash spelling
    body.append({**body[29], "weightPercentage": 0.1, "sharesNumber": 10, "marketValue": 1000})
    holdings = parse_etf_holdings("DIA", body)
    brk = holdings.filter(holdings["symbol"] == "BRK.B")
    assert brk.select("weight", "shares", "market_value").rows() == [
        (pytest.approx(0.0068), 5240882.0, 229003862.0)]
    assert holdings.height == 32


@pytest.mark.parametrize("change, message", [
    (lambda b: b[0].update(symbol="SPY"), "holding 0 is of fund 'SPY'"),
    (lambda b: b[3].update(weightPercentage=-1.0), r"holding 3 \(HD\) has weightPercentage -1.0"),
    (lambda b: b[3].pop("weightPercentage"), r"holding 3 \(HD\) has weightPercentage None"),
    (lambda b: b[3].update(sharesNumber="many"), r"holding 3 \(HD\) has sharesNumber 'many'"),
    (lambda b: b[3].update(asset="HD US"), "holding 3 has asset 'HD US', not a ticker"),
    (lambda b: b[30].update(name=" "), "holding 30 has neither an asset nor a name"),
    (lambda b: b[3].update(updatedAt="yesterday"), r"holding 3 \(HD\) has updatedAt 'yesterday', not a date"),
])
def test_malformed_lines_are_refused_naming_the_line(change, message):
    body = copy.deepcopy(recorded_body())
    change(body)
    with pytest.raises(PayloadError, match=message):
        parse_etf_holdings("DIA", body)


def test_a_non_list_answer_is_refused():
    with pytest.raises(PayloadError, match="expected a JSON list from etf/holdings, got dict"):
        parse_etf_holdings("DIA", {"Error Message": "Limit Reach"})


def test_by_default_every_quoted_etf_is_asked_and_the_lists_come_back_by_etf():
    from investing_assets.lib.core.instruments import INSTRUMENTS

    # stated change: the recorded DIA list served for each quoted ETF under that ETF's symbol
    recordings = [("GET", f"https://financialmodelingprep.com/stable/etf/holdings?symbol={etf}&apikey=MOCK_API_KEY",
                   json_response([{**row, "symbol": etf} for row in recorded_body()]))
                  for etf in INSTRUMENTS["etf"]]
    adapter = ReplayAdapter(recordings)
    holdings = FmpSource("MOCK_API_KEY", session=session_with(adapter), policy=FAST).etf_holdings(SESSION)

    assert [r.url.split("symbol=")[1].split("&")[0] for r in adapter.requests] == list(INSTRUMENTS["etf"])
    assert holdings["etf"].unique(maintain_order=True).to_list() == sorted(INSTRUMENTS["etf"])
    assert holdings.group_by("etf").len()["len"].to_list() == [32] * len(INSTRUMENTS["etf"])


def test_a_range_of_sessions_asks_todays_list_once_and_stores_it_for_each_session():
    adapter = ReplayAdapter(load_vcr(DIA_HOLDINGS))
    source = FmpSource("MOCK_API_KEY", session=session_with(adapter), policy=FAST)
    days = [dt.date(2025, 9, 19), dt.date(2025, 9, 17), SESSION]
    ranged = source.etf_holdings_range(days, ["DIA"])

    assert len(adapter.requests) == 1  # FMP keeps no older list: a call per session would fetch the same one
    assert dict(ranged.schema) == ETF_HOLDINGS_BY_SESSION
    assert ranged["session"].unique(maintain_order=True).to_list() == sorted(days)
    today = parse_etf_holdings("DIA", recorded_body())
    for (day,), rows in ranged.partition_by("session", as_dict=True, maintain_order=True).items():
        assert rows.drop("session").equals(today), day
    assert source.etf_holdings_range([], ["DIA"]).height == 0
