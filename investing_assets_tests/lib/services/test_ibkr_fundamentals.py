"""The IBKR fundamentals ETL on real PostgreSQL and Redis, through IbkrSource and the fake at the ib_async boundary
replaying the recorded AAPL reports (../shared/data/fixtures/ibkr_fundamentals_finflock) and IBKR's error codes."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.services.ibkr_fundamentals import fetch_fundamentals, last_fetched
from investing_assets.lib.sources.ibkr import IbkrSource
from investing_assets.lib.sources.pacing import HistoricalPacer
from investing_assets.lib.storage import names
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.lib.sources._ibkr_fake import PACING, FakeClock, FakeIB, recorded_reports

DAY1, DAY2 = dt.date(2018, 2, 13), dt.date(2018, 2, 14)
UNIVERSE = ["AAPL", "MSFT", "ZZZZ"]  # AAPL answers, MSFT is refused (430), ZZZZ is unknown to IBKR (200)


def ibkr(fake: FakeIB) -> IbkrSource:
    clock = FakeClock()
    return IbkrSource("127.0.0.1", 4002, 17, client=lambda: fake,
                      fundamentals_pacer=HistoricalPacer(clock=clock, sleep=clock.sleep))


def stored(warehouse, table: str) -> pl.DataFrame:
    return warehouse.read_frame(f"SELECT * FROM {table}")


def test_a_run_stores_what_came_and_names_every_refusal(warehouse, cache):
    fake = FakeIB(reports=recorded_reports())
    run = fetch_fundamentals(ibkr(fake), warehouse, cache, UNIVERSE, budget=9, today=DAY1, clock=100.0)

    assert run.picked == UNIVERSE and run.fetched == {"AAPL": ["ReportSnapshot", "ReportsFinSummary",
                                                               "ReportsFinStatements"]}
    assert run.requests == 6  # AAPL's three and MSFT's three; ZZZZ never got past qualification
    assert [(r.symbol, r.report, r.code) for r in run.refused] == [
        ("MSFT", "ReportSnapshot", 430), ("MSFT", "ReportsFinSummary", 430), ("MSFT", "ReportsFinStatements", 430),
        ("ZZZZ", "ReportSnapshot", 200), ("ZZZZ", "ReportsFinSummary", 200), ("ZZZZ", "ReportsFinStatements", 200)]
    assert run.stopped is None
    counts = {names.IBKR_PROFILE: 1, names.IBKR_RATIOS: 31, names.IBKR_STATEMENTS: 828, names.IBKR_SUMMARY: 450,
              names.IBKR_DIVIDENDS: 25}
    assert run.table_rows == counts and run.new_rows == counts
    assert {t: warehouse.count(t) for t in counts} == counts
    # IBKR answered for all three (a refusal too): each moves to the back of the rotation
    assert last_fetched(cache) == {"AAPL": 100.0, "MSFT": 100.0, "ZZZZ": 100.0}
    assert run.preview.select("symbol", "company_name", "NPRICE", "PEEXCLXOR", "RTLR", "NINC").rows() == [
        ("AAPL", "Apple Inc.", 162.71, 16.74168, 229234.0, 48351.0)]

    statement = stored(warehouse, names.IBKR_STATEMENTS).filter(
        (pl.col("period_end") == dt.date(2015, 9, 26)) & (pl.col("coa_code") == "QTLE"))
    assert statement.select("known_from", "update_type", "value", "fetched").rows() == [
        (dt.date(2016, 10, 26), "RES", 119355.0, DAY1)]
    summary = stored(warehouse, names.IBKR_SUMMARY)
    assert set(summary["known_from"]) == {DAY1}  # the summary has no date of its own: the day first fetched


def test_the_rotation_takes_the_least_recently_fetched_within_the_budget(warehouse, cache):
    fake = FakeIB(reports=recorded_reports())
    picked = [fetch_fundamentals(ibkr(fake), warehouse, cache, UNIVERSE, budget=5, today=DAY1,
                                 clock=float(k)).picked for k in range(4)]
    assert picked == [["AAPL"], ["MSFT"], ["ZZZZ"], ["AAPL"]]  # 5 requests buy one symbol's three reports
    with pytest.raises(ValueError, match="a budget of 2 requests cannot ask the 3 reports of one symbol"):
        fetch_fundamentals(ibkr(fake), warehouse, cache, UNIVERSE, budget=2, today=DAY1)


def test_a_missing_gateway_stores_nothing_and_keeps_the_rotation(warehouse, cache):
    fake = FakeIB(refuse=ConnectionRefusedError(111, "Connect call failed"))
    run = fetch_fundamentals(ibkr(fake), warehouse, cache, UNIVERSE, budget=6, today=DAY1)

    assert run.picked == ["AAPL", "MSFT"] and run.fetched == {} and run.requests == 0
    assert run.refused_symbols == ["AAPL", "MSFT"] and len(run.refused) == 6
    assert run.stopped.startswith("ibkr 127.0.0.1:4002: no TWS or IB Gateway answered")
    assert all(count == 0 for count in run.table_rows.values())
    assert last_fetched(cache) == {}


def test_after_a_pacing_violation_the_symbols_not_asked_stay_first(warehouse, cache):
    fake = FakeIB(reports=recorded_reports(), errors={("AAPL", "ReportsFinStatements"): PACING})
    run = fetch_fundamentals(ibkr(fake), warehouse, cache, UNIVERSE, budget=9, today=DAY1, clock=1.0)

    assert run.fetched == {"AAPL": ["ReportSnapshot", "ReportsFinSummary"]}
    assert run.stopped == f"pacing violation (error 162: {PACING[1]})"
    assert run.table_rows[names.IBKR_STATEMENTS] == 0 and run.table_rows[names.IBKR_SUMMARY] == 450
    assert last_fetched(cache) == {"AAPL": 1.0}
    again = fetch_fundamentals(ibkr(FakeIB(reports=recorded_reports())), warehouse, cache, UNIVERSE, budget=6,
                               today=DAY1, clock=2.0)
    assert again.picked == ["MSFT", "ZZZZ"]


def test_a_later_report_adds_to_what_was_known_and_never_erases_it(warehouse, cache):
    first = recorded_reports()
    fetch_fundamentals(ibkr(FakeIB(reports=first)), warehouse, cache, ["AAPL"], budget=3, today=DAY1)
    later = dict(first)
    # the next day: one EPS figure revised, and the statements report no longer lists fiscal 2012
    later[("AAPL", "ReportsFinSummary")] = first[("AAPL", "ReportsFinSummary")].replace(
        '<EPS asofDate="2017-12-31" reportType="TTM" period="12M">9.810000</EPS>',
        '<EPS asofDate="2017-12-31" reportType="TTM" period="12M">9.820000</EPS>')
    statements = first[("AAPL", "ReportsFinStatements")]
    start = statements.index('<FiscalPeriod Type="Annual" EndDate="2012-09-29"')
    end = statements.index("</FiscalPeriod>", start) + len("</FiscalPeriod>")
    later[("AAPL", "ReportsFinStatements")] = statements[:start] + statements[end:]
    run = fetch_fundamentals(ibkr(FakeIB(reports=later)), warehouse, cache, ["AAPL"], budget=3, today=DAY2)

    assert run.new_rows[names.IBKR_SUMMARY] == 1  # only the revised value is new
    eps = stored(warehouse, names.IBKR_SUMMARY).filter(
        (pl.col("metric") == "eps") & (pl.col("as_of_date") == dt.date(2017, 12, 31))
        & (pl.col("report_type") == "TTM")).sort("known_from")
    assert eps.select("known_from", "value").rows() == [(DAY1, 9.81), (DAY2, 9.82)]  # as of DAY1 it was 9.81
    assert warehouse.count(names.IBKR_SUMMARY) == 451
    kept = stored(warehouse, names.IBKR_STATEMENTS)
    assert kept.height == 828  # fiscal 2012 is still known, from the first fetch
    assert kept.filter(pl.col("period_end") == dt.date(2012, 9, 29))["fetched"].unique().to_list() == [DAY1]
    assert kept.filter(pl.col("period_end") == dt.date(2017, 9, 30))["fetched"].unique().to_list() == [DAY2]
    assert warehouse.count(names.IBKR_PROFILE) == 1 and warehouse.count(names.IBKR_DIVIDENDS) == 25


def test_the_demo_serves_the_same_reports_through_the_same_path(warehouse, cache):
    demo = DemoSource()
    symbols = ["AAPL", "JPM", "MSFT", "XOM"]
    run = fetch_fundamentals(demo, warehouse, cache, symbols, budget=12, today=dt.date(2026, 11, 30))
    assert run.refused == [] and sorted(run.fetched) == symbols
    assert all(run.table_rows[t] > 0 for t in (names.IBKR_PROFILE, names.IBKR_RATIOS, names.IBKR_STATEMENTS,
                                                names.IBKR_SUMMARY))
    assert run.table_rows[names.IBKR_DIVIDENDS] == 0  # the demo market pays none


def test_as_of_a_day_only_what_was_known_by_then_is_read(warehouse, cache):
    from investing_assets.lib.storage.queries.ibkr_fundamentals import known_as_of

    first = recorded_reports()
    fetch_fundamentals(ibkr(FakeIB(reports=first)), warehouse, cache, ["AAPL"], budget=3, today=DAY1)
    later = dict(first)
    later[("AAPL", "ReportsFinSummary")] = first[("AAPL", "ReportsFinSummary")].replace(
        '<EPS asofDate="2017-12-31" reportType="TTM" period="12M">9.810000</EPS>',
        '<EPS asofDate="2017-12-31" reportType="TTM" period="12M">9.820000</EPS>')
    fetch_fundamentals(ibkr(FakeIB(reports=later)), warehouse, cache, ["AAPL"], budget=3, today=DAY2)

    def equity_2015(day):
        rows = known_as_of(warehouse, names.IBKR_STATEMENTS, day, ["AAPL"]).filter(
            (pl.col("period_end") == dt.date(2015, 9, 26)) & (pl.col("coa_code") == "QTLE"))
        return rows.select("known_from", "value").rows()

    # the report holds FY2015's balance sheet only as restated in the FY2016 10-K: unknown before that filing
    assert equity_2015(dt.date(2016, 10, 25)) == []
    assert equity_2015(dt.date(2016, 10, 26)) == [(dt.date(2016, 10, 26), 119355.0)]
    statements = known_as_of(warehouse, names.IBKR_STATEMENTS, dt.date(2017, 11, 2), ["AAPL"])
    assert statements["period_end"].max() == dt.date(2017, 7, 1)  # fiscal 2017's 10-K came on 2017-11-03
    assert known_as_of(warehouse, names.IBKR_STATEMENTS, DAY2).height == 828

    def ttm_eps(day):
        rows = known_as_of(warehouse, names.IBKR_SUMMARY, day).filter(
            (pl.col("metric") == "eps") & (pl.col("as_of_date") == dt.date(2017, 12, 31))
            & (pl.col("report_type") == "TTM"))
        return rows["value"].to_list()

    assert ttm_eps(DAY1 - dt.timedelta(days=1)) == []  # the summary is known from the day it was first fetched
    assert (ttm_eps(DAY1), ttm_eps(DAY2)) == ([9.81], [9.82])
    ratios = known_as_of(warehouse, names.IBKR_RATIOS, DAY2)
    assert ratios.height == 31 and set(ratios["known_from"]) == {dt.date(2018, 2, 12)}
    assert known_as_of(warehouse, names.IBKR_RATIOS, dt.date(2018, 2, 11)).height == 0
    with pytest.raises(ValueError, match="no point-in-time read of fundamentals.ibkr_dividends"):
        known_as_of(warehouse, names.IBKR_DIVIDENDS, DAY2)
