"""The reqFundamentalData parsers on the real AAPL reports recorded in ../shared/data/fixtures/ibkr_fundamentals_finflock
(captured about February 2018; provenance in that folder's README). Every value asserted was read off the XML."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.fundamentals.ibkr_reports import (
    DIVIDENDS,
    PROFILE,
    RATIOS,
    STATEMENTS,
    SUMMARY,
    ReportError,
    parse_fin_statements,
    parse_fin_summary,
    parse_snapshot,
)
from investing_assets_tests.lib.sources._ibkr_fake import recorded_reports

D = dt.date


@pytest.fixture(scope="module")
def xml() -> dict[str, str]:
    return {report: text for (_, report), text in recorded_reports().items()}


def test_the_snapshot_profile_is_the_company_as_the_report_names_it(xml):
    profile, _ = parse_snapshot("AAPL", xml["ReportSnapshot"])
    assert dict(profile.schema) == PROFILE and profile.height == 1
    row = profile.row(0, named=True)
    summary = row.pop("business_summary")
    assert row == {
        "symbol": "AAPL", "known_from": D(2018, 2, 5), "company_name": "Apple Inc.", "rep_no": "05680",
        "cik": "0000320193", "irs_no": "942404110", "ticker": "AAPL", "isin": "US0378331005", "cusip": "037833100",
        "ric": "AAPL.O", "exchange_code": "NASD", "exchange": "NASDAQ", "status": "Active",
        "reporting_currency": "USD", "employees": 123000, "employees_as_of": D(2017, 9, 30),
        "shares_out": 5074013000.0, "shares_out_as_of": D(2018, 1, 19), "float_shares": 5070229774.0,
        "latest_annual": D(2017, 9, 30), "latest_interim": D(2017, 12, 30), "last_split_date": D(2014, 6, 9),
        "last_split_ratio": 7.0, "trbc_code": "5710601010", "trbc_industry": "Computer Hardware - NEC",
        "sic_code": "3571", "sic_industry": "Electronic Computers",  # the SIC it reports under (reported="1")
        "city": "CUPERTINO", "state": "CA", "country": "United States", "website": "https://www.apple.com/",
        "indexes": "S&P 500; Dow Industry",
    }
    assert summary.startswith("Apple Inc. designs, manufactures and markets mobile communication and media devices")
    assert summary.endswith("Apple Pay and a range of accessory, service and support offerings.")


def test_snapshot_ratios_are_known_from_their_price_date(xml):
    _, ratios = parse_snapshot("AAPL", xml["ReportSnapshot"])
    assert dict(ratios.schema) == RATIOS
    assert ratios.height == 31  # 21 numeric ratios in four groups (PDATE is the date itself) + 10 consensus figures
    assert set(ratios["known_from"]) == {D(2018, 2, 12)} and set(ratios["financials_as_of"]) == {D(2017, 12, 30)}
    assert ratios.group_by("group_name").len().sort("group_name").rows() == [
        ("Forecast", 10), ("Income Statement", 4), ("Other Ratios", 6), ("Per share data", 6),
        ("Price and Volume", 5)]
    value = {(g, f): v for g, f, v in ratios.select("group_name", "field", "value").iter_rows()}
    assert value[("Price and Volume", "NPRICE")] == 162.71
    assert value[("Price and Volume", "EV")] == 870839.6
    assert value[("Income Statement", "MKTCAP")] == 825592.6
    assert value[("Income Statement", "TTMREV")] == 239176.0
    assert value[("Per share data", "TTMEPSXCLX")] == 9.71886
    assert value[("Per share data", "TTMDIVSHR")] == 2.46
    assert value[("Other Ratios", "PEEXCLXOR")] == 16.74168
    assert value[("Other Ratios", "PRICE2BK")] == 5.89758
    assert value[("Forecast", "TargetPrice")] == 190.5
    assert value[("Forecast", "ProjEPS")] == 11.552
    assert value[("Forecast", "ConsRecom")] == 1.95
    assert ratios.filter(pl.col("group_name") == "Forecast")["period_type"].unique().to_list() == ["CURR"]
    assert ratios.filter(pl.col("group_name") != "Forecast")["period_type"].null_count() == 21


def test_the_summary_keeps_every_series_by_period_and_report_type(xml):
    summary, _ = parse_fin_summary("AAPL", xml["ReportsFinSummary"])
    assert dict(summary.schema) == SUMMARY and summary.height == 450
    assert summary.group_by("metric").len().sort("metric").rows() == [
        ("dividend_per_share", 150), ("eps", 150), ("total_revenue", 150)]
    assert summary.group_by("report_type", "period").len().sort("report_type", "period").rows() == [
        ("A", "12M", 21), ("A", "3M", 84), ("P", "12M", 21), ("P", "3M", 81), ("R", "12M", 84), ("R", "3M", 84),
        ("TTM", "12M", 75)]
    value = {(m, d, t, p): v for m, d, t, p, v in
             summary.select("metric", "as_of_date", "report_type", "period", "value").iter_rows()}
    assert value[("eps", D(2017, 12, 31), "A", "3M")] == 3.92
    assert value[("eps", D(2017, 9, 30), "A", "12M")] == 9.27
    assert value[("eps", D(2017, 12, 31), "TTM", "12M")] == 9.81
    assert value[("eps", D(2015, 12, 31), "TTM", "12M")] == 9.455716
    assert value[("total_revenue", D(2017, 12, 31), "A", "3M")] == 88293000000.0
    assert value[("total_revenue", D(2017, 9, 30), "A", "12M")] == 229234000000.0
    assert value[("total_revenue", D(2011, 9, 30), "P", "12M")] == 108249000000.0
    assert value[("dividend_per_share", D(2017, 12, 31), "TTM", "12M")] == 2.46
    assert value[("dividend_per_share", D(2013, 12, 31), "TTM", "12M")] == 11.8  # before the 7:1 split, as served
    assert set(summary["currency"]) == {"USD"}


def test_dividends_are_known_from_their_declaration(xml):
    _, dividends = parse_fin_summary("AAPL", xml["ReportsFinSummary"])
    assert dict(dividends.schema) == DIVIDENDS and dividends.height == 25
    assert dividends.row(0) == ("AAPL", D(2018, 2, 9), D(2018, 2, 1), D(2018, 2, 12), D(2018, 2, 15), "CD", "USD",
                                0.63)
    # the report lists the May 2014 dividend twice, declared on two days: both are kept, each known from its own
    twice = dividends.filter(pl.col("ex_date") == D(2014, 5, 8))
    assert twice.select("known_from", "amount").rows() == [(D(2014, 4, 17), 0.47), (D(2014, 4, 23), 0.47)]
    assert dividends.filter(pl.col("ex_date") == D(2013, 11, 7))["amount"].to_list() == [3.05]
    assert dividends["ex_date"].min() == D(2012, 8, 9)


def test_statements_are_every_line_of_every_period_known_from_its_filing(xml):
    statements = parse_fin_statements("AAPL", xml["ReportsFinStatements"])
    assert dict(statements.schema) == STATEMENTS and statements.height == 828  # the report's 828 lineItems
    assert statements.group_by("period_type", "statement").len().sort("period_type", "statement").rows() == [
        ("Annual", "BAL", 215), ("Annual", "CAS", 99), ("Annual", "INC", 134), ("Interim", "BAL", 185),
        ("Interim", "CAS", 85), ("Interim", "INC", 110)]
    assert statements["line_name"].null_count() == 0  # every coaCode is in the COAMap

    def line(period_type, end, statement, code):
        rows = statements.filter((pl.col("period_type") == period_type) & (pl.col("period_end") == end)
                                 & (pl.col("statement") == statement) & (pl.col("coa_code") == code))
        assert rows.height == 1
        return rows.drop("symbol", "period_type", "period_end", "statement", "coa_code", "currency").row(0)

    # (fiscal_year, fiscal_period, known_from, form, statement_date, update_type, period_length, period_unit,
    #  line_name, value)
    assert line("Annual", D(2017, 9, 30), "INC", "SREV") == (2017, None, D(2017, 11, 3), "10-K", D(2017, 9, 30),
                                                             "UPD", 53, "W", "Revenue", 229234.0)
    assert line("Annual", D(2017, 9, 30), "INC", "SDBF") == (2017, None, D(2017, 11, 3), "10-K", D(2017, 9, 30),
                                                             "UPD", 53, "W", "Diluted EPS Excluding ExtraOrd Items",
                                                             9.20675)
    assert line("Annual", D(2017, 9, 30), "BAL", "QTCO")[-1] == 5126.201
    assert line("Annual", D(2017, 9, 30), "CAS", "SCEX")[-1] == -12795.0
    # FY2015's balance sheet as restated in the FY2016 10-K: known from that filing, not from FY2015's
    assert line("Annual", D(2015, 9, 26), "BAL", "QTLE") == (2015, None, D(2016, 10, 26), "10-K", D(2016, 9, 24),
                                                             "RES", None, None, "Total Equity", 119355.0)
    assert line("Annual", D(2015, 9, 26), "INC", "SREV")[2] == D(2015, 10, 28)
    assert line("Interim", D(2017, 12, 30), "INC", "SREV") == (2018, 1, D(2018, 2, 2), "10-Q", D(2017, 12, 30),
                                                               "UPD", 13, "W", "Revenue", 88293.0)
    assert line("Interim", D(2017, 12, 30), "INC", "NINC")[-1] == 20065.0
    assert line("Interim", D(2017, 12, 30), "INC", "SDBF")[-1] == 3.89023
    assert line("Interim", D(2017, 9, 30), "INC", "SREV")[4:6] == (D(2017, 9, 30), "UCA")  # Q4 derived by IBKR
    assert set(statements["currency"]) == {"USD"}


def test_a_report_of_another_shape_is_refused_naming_symbol_and_report(xml):
    with pytest.raises(ReportError, match=r"ibkr ReportSnapshot of AAPL: root element <FinancialSummary>, expected "
                                          r"<ReportSnapshot>"):
        parse_snapshot("AAPL", xml["ReportsFinSummary"])
    with pytest.raises(ReportError, match=r"ibkr ReportsFinStatements of MSFT: not well-formed XML"):
        parse_fin_statements("MSFT", xml["ReportsFinStatements"][:5000])
    bomb = ('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<FinancialSummary>&b;</FinancialSummary>")
    with pytest.raises(ReportError, match=r"not well-formed XML \(EntitiesForbidden"):  # defusedxml refuses
        parse_fin_summary("AAPL", bomb)
    broken = xml["ReportsFinSummary"].replace('asofDate="2017-12-31" reportType="TTM"', 'asofDate="31/12/2017" '
                                              'reportType="TTM"', 1)
    with pytest.raises(ReportError, match=r"'31/12/2017' is not a date"):
        parse_fin_summary("AAPL", broken)
