"""The demo's reqFundamentalData reports: IBKR's shapes (they go through the same parsers), figures consistent with
the demo market and its coverage, nothing reported before its filing day."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.fundamental_reports import REPORTS
from investing_assets.lib.fundamentals.ibkr_reports import (
    parse_fin_statements,
    parse_fin_summary,
    parse_snapshot,
)
from investing_assets.lib.synthetic import coverage
from investing_assets.lib.synthetic.ibkr_reports import DemoReports
from investing_assets.lib.synthetic.source import DemoSource

SESSION = dt.date(2025, 6, 13)


@pytest.fixture(scope="module")
def demo() -> DemoReports:
    return DemoReports(coverage.coverage(DemoSource().seed, True))


@pytest.mark.parametrize("symbol", ["AAPL", "JPM", "BRK.B"])
def test_demo_reports_parse_and_agree_with_the_demo_market(demo, symbol):
    source = DemoSource()
    cov = demo.cov
    column = cov.market.column[symbol]
    profile, ratios = parse_snapshot(symbol, demo.report(symbol, "ReportSnapshot", SESSION))
    summary, dividends = parse_fin_summary(symbol, demo.report(symbol, "ReportsFinSummary", SESSION))
    statements = parse_fin_statements(symbol, demo.report(symbol, "ReportsFinStatements", SESSION))

    universe = source.universe(SESSION).filter(pl.col("symbol") == symbol).row(0, named=True)
    assert profile["company_name"].item() == universe["name"]
    assert profile["shares_out"].item() == float(universe["shares_outstanding"])
    close = source.daily_bars([SESSION], [symbol])["close"].item()
    price = ratios.filter(pl.col("field") == "NPRICE")
    assert price["known_from"].item() == SESSION and price["value"].item() == pytest.approx(close, abs=5e-6)

    annual = summary.filter((pl.col("metric") == "eps") & (pl.col("period") == "12M")).sort("as_of_date")
    assert annual.height == 4
    for end, eps in annual.select("as_of_date", "value").iter_rows():
        assert eps == pytest.approx(float(cov.true_eps(end.year)[column]), abs=1e-6)
        sdbf = statements.filter((pl.col("period_type") == "Annual") & (pl.col("period_end") == end)
                                 & (pl.col("coa_code") == "SDBF"))
        assert sdbf["value"].item() == pytest.approx(eps, abs=1e-6)
    # each period is known from its report lag after it ends, never after the session asked
    assert statements["known_from"].max() <= SESSION
    lag = dt.timedelta(days=int(cov.report_lag[column]))
    assert (statements["known_from"] - statements["period_end"]).unique().to_list() == [lag]
    assert dividends.height == 0 and summary.filter(pl.col("metric") == "dividend_per_share")["value"].max() == 0.0


def test_the_demo_source_answers_for_its_universe_and_refuses_others():
    answers = list(DemoSource().fundamental_reports(["MSFT", "NOPE"], REPORTS))
    assert [(a.symbol, a.ok, a.code) for a in answers] == [("MSFT", True, None)] * 3 + [("NOPE", False, 200)] * 3
    again = list(DemoSource().fundamental_reports(["MSFT"], REPORTS))
    assert [a.xml for a in again] == [a.xml for a in answers[:3]]  # deterministic
    today = min(calendar.in_new_york().date(), calendar.all_sessions()[-1])
    assert parse_snapshot("MSFT", answers[0].xml)[1]["known_from"].max() == calendar.last_session_on_or_before(today)
