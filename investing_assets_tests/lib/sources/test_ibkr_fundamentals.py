"""IbkrSource.fundamental_reports through the fake at the ib_async boundary (_ibkr_fake.FakeIB): the recorded AAPL
reports replayed byte for byte, and IBKR's error codes (430, 10358, 162, 1100, 200) as error events. No test needs
a live gateway; one connects the real ib_async client to a closed port."""

from __future__ import annotations

import socket

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.fundamental_reports import REPORTS, ReportAnswer
from investing_assets.lib.sources.ibkr import IbkrSource
from investing_assets.lib.sources.pacing import HistoricalPacer, PacingRules
from investing_assets.lib.sources.protocol import conformance_problems
from investing_assets_tests.lib.sources._ibkr_fake import (
    CONNECTIVITY,
    NOT_ALLOWED,
    NOT_AVAILABLE,
    PACING,
    FakeClock,
    FakeIB,
    recorded_reports,
)


def source_with(fake: FakeIB, rules: PacingRules | None = None) -> tuple[IbkrSource, FakeClock]:
    clock = FakeClock()
    pacer = HistoricalPacer(rules or PacingRules(), clock=clock, sleep=clock.sleep)
    return IbkrSource("127.0.0.1", 4002, 17, client=lambda: fake, request_timeout=30.0,
                      fundamentals_pacer=pacer), clock


def test_the_recorded_reports_come_back_as_ibkr_sent_them_over_one_connection():
    reports = recorded_reports()
    fake = FakeIB(reports=reports)
    source, clock = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL"], REPORTS))

    assert [(a.symbol, a.report, a.ok, a.sent, a.stopped) for a in answers] == [
        ("AAPL", report, True, True, False) for report in REPORTS]
    assert [a.xml for a in answers] == [reports[("AAPL", r)] for r in REPORTS]  # the text untouched, CRs and all
    assert fake.calls[0] == ("connect", ("127.0.0.1", 4002, 17, True))
    assert fake.calls[1] == ("qualifyContracts", ("AAPL",)) and fake.calls[-1] == ("disconnect", None)
    assert [(r["report"], r["conId"], r["timeout"]) for r in fake.requests] == [(r, 265598, 30.0) for r in REPORTS]
    assert clock.slept == []  # three requests are far inside the pacing windows


def test_a_refused_report_names_ibkr_code_and_words_and_the_rest_go_on():
    fake = FakeIB(reports=recorded_reports(), errors={("AAPL", "ReportsFinStatements"): NOT_ALLOWED})
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL", "MSFT"], REPORTS))

    assert [(a.symbol, a.report, a.ok, a.code) for a in answers] == [
        ("AAPL", "ReportSnapshot", True, None), ("AAPL", "ReportsFinSummary", True, None),
        ("AAPL", "ReportsFinStatements", False, 10358),
        ("MSFT", "ReportSnapshot", False, 430), ("MSFT", "ReportsFinSummary", False, 430),
        ("MSFT", "ReportsFinStatements", False, 430)]
    assert answers[2].reason == "error 10358: Fundamentals data is not allowed."
    assert answers[3].reason == f"error 430: {NOT_AVAILABLE[1]}"
    assert all(a.sent and not a.stopped for a in answers) and len(fake.requests) == 6


def test_a_pacing_violation_stops_the_asking_and_says_so_for_every_report_not_asked():
    fake = FakeIB(reports=recorded_reports(), errors={("AAPL", "ReportsFinSummary"): PACING})
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL", "MSFT"], REPORTS))

    assert answers[0].ok
    assert (answers[1].code, answers[1].reason) == (162, f"pacing violation (error 162: {PACING[1]})")
    assert answers[1].sent and not answers[1].stopped
    assert [(a.symbol, a.report, a.sent, a.stopped) for a in answers[2:]] == [
        ("AAPL", "ReportsFinStatements", False, True), ("MSFT", "ReportSnapshot", False, True),
        ("MSFT", "ReportsFinSummary", False, True), ("MSFT", "ReportsFinStatements", False, True)]
    assert {a.reason for a in answers[2:]} == {f"not asked: pacing violation (error 162: {PACING[1]})"}
    assert [r["report"] for r in fake.requests] == ["ReportSnapshot", "ReportsFinSummary"]
    assert fake.calls[-1] == ("disconnect", None)


def test_a_162_that_is_not_about_pacing_is_a_refusal_of_that_report_only():
    no_data = (162, "Historical Market Data Service error message:HMDS query returned no data")
    fake = FakeIB(reports=recorded_reports(), errors={("AAPL", "ReportSnapshot"): no_data})
    answers = list(source_with(fake)[0].fundamental_reports(["AAPL"], REPORTS))
    assert [(a.ok, a.code, a.stopped) for a in answers] == [(False, 162, False), (True, None, False),
                                                            (True, None, False)]


def test_lost_connectivity_to_ibkr_stops_the_asking():
    fake = FakeIB(reports=recorded_reports(), system={("AAPL", "ReportSnapshot"): CONNECTIVITY})
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL"], REPORTS))

    assert (answers[0].code, answers[0].reason) == (1100, f"connectivity to IBKR lost (error 1100: {CONNECTIVITY[1]})")
    assert [(a.stopped, a.reason) for a in answers[1:]] == [(True, f"not asked: {answers[0].reason}")] * 2
    assert len(fake.requests) == 1


def test_a_report_that_takes_too_long_is_refused_and_the_rest_go_on():
    fake = FakeIB(reports=recorded_reports(), slow=frozenset({("AAPL", "ReportsFinSummary")}))
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL"], REPORTS))
    assert [(a.ok, a.reason) for a in answers] == [(True, None), (False, "no answer within 30 s"), (True, None)]


def test_a_missing_gateway_is_a_reason_for_every_report_and_nothing_is_asked():
    fake = FakeIB(refuse=ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 4002)"))
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["AAPL", "MSFT"], REPORTS))

    assert len(answers) == 6 and all(not a.ok and a.stopped and not a.sent for a in answers)
    reason = answers[0].reason
    assert reason.startswith("ibkr 127.0.0.1:4002: no TWS or IB Gateway answered (ConnectionRefusedError: ")
    assert reason.endswith('or route fundamentals to the demo, INVESTING_SOURCES="fundamentals=demo"')
    assert {a.reason for a in answers} == {reason} and "\n" not in reason
    assert fake.requests == []


def test_the_real_ib_async_client_against_a_closed_port_answers_the_same_way():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = IbkrSource("127.0.0.1", port, 17, connect_timeout=2.0)
    answers = list(source.fundamental_reports(["AAPL"], REPORTS))
    assert [a.stopped for a in answers] == [True] * 3
    assert answers[0].reason.startswith(f"ibkr 127.0.0.1:{port}: no TWS or IB Gateway answered (")


def test_a_symbol_ibkr_cannot_resolve_is_refused_without_a_request():
    fake = FakeIB(reports=recorded_reports())
    source, _ = source_with(fake)
    answers = list(source.fundamental_reports(["ZZZZ", "AAPL"], ["ReportSnapshot"]))

    assert answers[0] == ReportAnswer("ZZZZ", "ReportSnapshot", code=200, sent=False,
                                      reason="no single US stock contract for 'ZZZZ' on SMART in USD: unknown to "
                                             "IBKR or ambiguous")
    assert answers[1].ok and [r["symbol"] for r in fake.requests] == ["AAPL"]


def test_fundamentals_requests_wait_on_their_own_pacer():
    fake = FakeIB(reports=recorded_reports())
    source, clock = source_with(fake, PacingRules(requests_per_window=2, window_seconds=600.0))
    answers = list(source.fundamental_reports(["AAPL"], REPORTS))
    assert all(a.ok for a in answers)
    assert clock.slept == [600.0] and source.pacer.waited == 0.0  # the bars' pacer is untouched


def test_ibkr_declares_fundamentals_and_conforms():
    assert Dataset.FUNDAMENTALS in IbkrSource.datasets
    assert conformance_problems(IbkrSource) == []
