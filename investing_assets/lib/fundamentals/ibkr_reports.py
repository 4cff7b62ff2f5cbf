"""IBKR's reqFundamentalData XML (Refinitiv's reports as IBKR serves them) as polars frames, point in time.

Parsed with defusedxml: the text comes from a socket, and a report is no reason to expand entities or fetch a DTD.
Every row carries `known_from`, the first day the report itself says the figure was known:
- ReportSnapshot: the profile from `CoGeneralInfo/LastModified`; the ratios and the consensus from the price
  date they were computed at (`PDATE`), with `financials_as_of` the period their financials end (LatestAvailable).
- ReportsFinStatements: each statement from its filing (`FPHeader/Source Date`, e.g. the 10-K's), so a balance
  sheet restated in the next year's 10-K (UpdateType RES) is a row of its own, known from that filing.
- ReportsFinSummary: declared dividends from their declaration date. Its EPS, revenue and dividend-per-share
  series carry only the period's end (`asofDate`) and no date they were published, so they get none here; the
  service stamps them with the day they were first fetched (lib/services/ibkr_fundamentals.py).
Values are as IBKR gives them: statement amounts and share counts in millions of the reporting currency (shares
in millions), per-share lines (EPS, DPS, book value per share) in currency units; the summary in units.
A report not of the expected shape raises ReportError naming the symbol, the report and what is wrong.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from xml.etree.ElementTree import Element

import polars as pl
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

__all__ = ["DIVIDENDS", "PROFILE", "RATIOS", "STATEMENTS", "SUMMARY", "ReportError", "parse_fin_statements",
           "parse_fin_summary", "parse_snapshot"]

PROFILE: dict[str, pl.DataType] = {
    "symbol": pl.String, "known_from": pl.Date, "company_name": pl.String, "rep_no": pl.String,
    "cik": pl.String, "irs_no": pl.String, "ticker": pl.String, "isin": pl.String, "cusip": pl.String,
    "ric": pl.String, "exchange_code": pl.String, "exchange": pl.String, "status": pl.String,
    "reporting_currency": pl.String, "employees": pl.Int64, "employees_as_of": pl.Date, "shares_out": pl.Float64,
    "shares_out_as_of": pl.Date, "float_shares": pl.Float64, "latest_annual": pl.Date, "latest_interim": pl.Date,
    "last_split_date": pl.Date, "last_split_ratio": pl.Float64, "trbc_code": pl.String, "trbc_industry": pl.String,
    "sic_code": pl.String, "sic_industry": pl.String, "city": pl.String, "state": pl.String, "country": pl.String,
    "website": pl.String, "indexes": pl.String, "business_summary": pl.String,
}
RATIOS: dict[str, pl.DataType] = {
    "symbol": pl.String, "known_from": pl.Date, "group_name": pl.String, "field": pl.String, "value": pl.Float64,
    "period_type": pl.String, "financials_as_of": pl.Date, "currency": pl.String,
}
STATEMENTS: dict[str, pl.DataType] = {
    "symbol": pl.String, "period_type": pl.String, "period_end": pl.Date, "fiscal_year": pl.Int32,
    "fiscal_period": pl.Int32, "statement": pl.String, "known_from": pl.Date, "form": pl.String,
    "statement_date": pl.Date, "update_type": pl.String, "period_length": pl.Int32, "period_unit": pl.String,
    "currency": pl.String, "coa_code": pl.String, "line_name": pl.String, "value": pl.Float64,
}
SUMMARY: dict[str, pl.DataType] = {
    "symbol": pl.String, "metric": pl.String, "as_of_date": pl.Date, "report_type": pl.String,
    "period": pl.String, "currency": pl.String, "value": pl.Float64,
}
DIVIDENDS: dict[str, pl.DataType] = {
    "symbol": pl.String, "ex_date": pl.Date, "known_from": pl.Date, "record_date": pl.Date, "pay_date": pl.Date,
    "dividend_type": pl.String, "currency": pl.String, "amount": pl.Float64,
}
# The natural key of each frame: what one row is about (the service adds `fetched` to the stored key).
PROFILE_KEY = ["symbol", "known_from"]
RATIOS_KEY = ["symbol", "known_from", "group_name", "field"]
STATEMENTS_KEY = ["symbol", "period_type", "period_end", "statement", "coa_code", "known_from"]
SUMMARY_KEY = ["symbol", "metric", "as_of_date", "report_type", "period"]
DIVIDENDS_KEY = ["symbol", "ex_date", "known_from", "dividend_type"]

# ReportsFinSummary's series: (container, element) -> metric
_SUMMARY_SERIES = {("EPSs", "EPS"): "eps", ("TotalRevenues", "TotalRevenue"): "total_revenue",
                   ("DividendPerShares", "DividendPerShare"): "dividend_per_share"}
FORECAST = "Forecast"  # group_name of the ForecastData consensus beside the snapshot's ratio groups


class ReportError(ValueError):
    """A report that is not XML of the expected shape."""

    def __init__(self, symbol: str, report: str, detail: str) -> None:
        super().__init__(f"ibkr {report} of {symbol}: {detail}")


def _root(symbol: str, report: str, xml: str, tag: str) -> Element:
    try:
        root = ElementTree.fromstring(xml)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise ReportError(symbol, report, f"not well-formed XML ({type(exc).__name__}: {exc})") from None
    if root.tag != tag:
        raise ReportError(symbol, report, f"root element <{root.tag}>, expected <{tag}>")
    return root


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _date(symbol: str, report: str, text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise ReportError(symbol, report, f"{text!r} is not a date") from None


def _number(symbol: str, report: str, text: str | None, what: str) -> float | None:
    if text is None or not text.strip():
        return None
    try:
        return float(text)
    except ValueError:
        raise ReportError(symbol, report, f"{what} {text!r} is not a number") from None


def _typed(element: Element, attribute: str, value: str) -> Element | None:
    return next((child for child in element if child.get(attribute) == value), None)


def _frame(rows: list[dict], schema: dict[str, pl.DataType], key: list[str], symbol: str, report: str
           ) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    repeated = frame.filter(frame.select(key).is_duplicated())
    if repeated.height:
        shown = repeated.select(key).unique(maintain_order=True).head(3).rows()
        raise ReportError(symbol, report, f"{repeated.height} rows repeat the key {key}: {shown}")
    return frame


# --------------------------------------------------------------------------- ReportSnapshot

def parse_snapshot(symbol: str, xml: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(PROFILE, one row; RATIOS: every numeric ratio of the Ratios groups and the ForecastData consensus)."""
    report = "ReportSnapshot"
    root = _root(symbol, report, xml, "ReportSnapshot")
    date, number = (lambda t: _date(symbol, report, t)), (lambda t, w: _number(symbol, report, t, w))
    general = root.find("CoGeneralInfo")
    if general is None:
        raise ReportError(symbol, report, "no <CoGeneralInfo>")
    known_from = date(_text(general.find("LastModified")))
    if known_from is None:
        raise ReportError(symbol, report, "no <CoGeneralInfo><LastModified> date")
    ids = root.find("CoIDs")
    co_id = (lambda kind: _text(_typed(ids, "Type", kind))) if ids is not None else (lambda kind: None)
    issue = next((i for i in root.iterfind("Issues/Issue") if i.get("Type") == "C"), None)
    issue_id = (lambda kind: _text(_typed(issue, "Type", kind))) if issue is not None else (lambda kind: None)
    exchange = issue.find("Exchange") if issue is not None else None
    split = issue.find("MostRecentSplit") if issue is not None else None
    employees, shares, currency = general.find("Employees"), general.find("SharesOut"), \
        general.find("ReportingCurrency")
    industries = list(root.iterfind("peerInfo/IndustryInfo/Industry"))
    trbc = _industry(industries, "TRBC")
    sic = _industry(industries, "SIC")
    contact = root.find("contactInfo")
    country = contact.find("country") if contact is not None else None
    profile = {
        "symbol": symbol, "known_from": known_from, "company_name": co_id("CompanyName"), "rep_no": co_id("RepNo"),
        "cik": co_id("CIKNo"), "irs_no": co_id("IRSNo"), "ticker": issue_id("Ticker"), "isin": issue_id("ISIN"),
        "cusip": issue_id("CUSIP"), "ric": issue_id("RIC"),
        "exchange_code": exchange.get("Code") if exchange is not None else None, "exchange": _text(exchange),
        "status": _text(general.find("CoStatus")),
        "reporting_currency": currency.get("Code") if currency is not None else None,
        "employees": _whole(number(_text(employees), "Employees")),
        "employees_as_of": date(employees.get("LastUpdated")) if employees is not None else None,
        "shares_out": number(_text(shares), "SharesOut"),
        "shares_out_as_of": date(shares.get("Date")) if shares is not None else None,
        "float_shares": number(shares.get("TotalFloat"), "TotalFloat") if shares is not None else None,
        "latest_annual": date(_text(general.find("LatestAvailableAnnual"))),
        "latest_interim": date(_text(general.find("LatestAvailableInterim"))),
        "last_split_date": date(split.get("Date")) if split is not None else None,
        "last_split_ratio": number(_text(split), "MostRecentSplit") if split is not None else None,
        "trbc_code": trbc.get("code") if trbc is not None else None, "trbc_industry": _text(trbc),
        "sic_code": sic.get("code") if sic is not None else None, "sic_industry": _text(sic),
        "city": _text(contact.find("city")) if contact is not None else None,
        "state": _text(contact.find("state-region")) if contact is not None else None,
        "country": _text(country), "website": _text(root.find("webLinks/webSite")),
        "indexes": "; ".join(t for t in (_text(e) for e in root.iterfind("peerInfo/Indexconstituet")) if t) or None,
        "business_summary": next((_text(t) for t in root.iterfind("TextInfo/Text")
                                  if t.get("Type") == "Business Summary"), None),
    }
    return (_frame([profile], PROFILE, PROFILE_KEY, symbol, report),
            _frame(_ratios(symbol, root), RATIOS, RATIOS_KEY, symbol, report))


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)


def _industry(industries: Iterable[Element], kind: str) -> Element | None:
    """The industry the company reports under (reported="1"), else the first by order."""
    of_kind = [i for i in industries if i.get("type") == kind]
    reported = [i for i in of_kind if i.get("reported") == "1"]
    ranked = sorted(reported or of_kind, key=lambda i: int(i.get("order") or 0))
    return ranked[0] if ranked else None


def _ratios(symbol: str, root: Element) -> list[dict]:
    report = "ReportSnapshot"
    ratios = root.find("Ratios")
    if ratios is None:
        return []
    price_date = next((r for r in ratios.iterfind("Group/Ratio") if r.get("FieldName") == "PDATE"), None)
    known_from = _date(symbol, report, _text(price_date))
    if known_from is None:
        raise ReportError(symbol, report, "no PDATE ratio: the day its ratios were computed at is unknown")
    financials = _date(symbol, report, ratios.get("LatestAvailableDate"))
    currency = ratios.get("PriceCurrency")
    rows = []
    for group in ratios.iterfind("Group"):
        for ratio in group.iterfind("Ratio"):
            if ratio.get("Type") != "N":  # PDATE (a date) is known_from itself; text ratios are not figures
                continue
            field = ratio.get("FieldName")
            rows.append({"symbol": symbol, "known_from": known_from, "group_name": group.get("ID"), "field": field,
                         "value": _number(symbol, report, _text(ratio), field), "period_type": None,
                         "financials_as_of": financials, "currency": currency})
    forecast = root.find("ForecastData")
    for ratio in forecast.iterfind("Ratio") if forecast is not None else ():
        if ratio.get("Type") != "N":
            continue
        for value in ratio.iterfind("Value"):
            period = value.get("PeriodType")
            field = ratio.get("FieldName") if period == "CURR" else f"{ratio.get('FieldName')}_{period}"
            rows.append({"symbol": symbol, "known_from": known_from, "group_name": FORECAST, "field": field,
                         "value": _number(symbol, report, _text(value), field), "period_type": period,
                         "financials_as_of": financials, "currency": currency})
    return rows


# --------------------------------------------------------------------------- ReportsFinSummary

def parse_fin_summary(symbol: str, xml: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(SUMMARY: EPS, total revenue and dividend per share by period end, report type (A actual, P preliminary,
    R restated, TTM trailing twelve months) and period length; DIVIDENDS: each declared dividend)."""
    report = "ReportsFinSummary"
    root = _root(symbol, report, xml, "FinancialSummary")
    rows = []
    for (container, element), metric in _SUMMARY_SERIES.items():
        for series in root.iterfind(container):
            currency = series.get("currency")
            for item in series.iterfind(element):
                rows.append({"symbol": symbol, "metric": metric,
                             "as_of_date": _date(symbol, report, item.get("asofDate")),
                             "report_type": item.get("reportType"), "period": item.get("period"),
                             "currency": currency, "value": _number(symbol, report, _text(item), element)})
    dividends = []
    for series in root.iterfind("Dividends"):
        currency = series.get("currency")
        for item in series.iterfind("Dividend"):
            dividends.append({
                "symbol": symbol, "ex_date": _date(symbol, report, item.get("exDate")),
                "known_from": _date(symbol, report, item.get("declarationDate")),
                "record_date": _date(symbol, report, item.get("recordDate")),
                "pay_date": _date(symbol, report, item.get("payDate")), "dividend_type": item.get("type"),
                "currency": currency, "amount": _number(symbol, report, _text(item), "Dividend")})
    for row in rows:
        if row["as_of_date"] is None or not row["report_type"] or not row["period"]:
            raise ReportError(symbol, report, f"a {row['metric']} value without asofDate, reportType or period")
    for row in dividends:
        if row["ex_date"] is None or row["known_from"] is None:
            raise ReportError(symbol, report, "a dividend without exDate or declarationDate")
    return (_frame(rows, SUMMARY, SUMMARY_KEY, symbol, report),
            _frame(dividends, DIVIDENDS, DIVIDENDS_KEY, symbol, report))


# --------------------------------------------------------------------------- ReportsFinStatements

def parse_fin_statements(symbol: str, xml: str) -> pl.DataFrame:
    """STATEMENTS: every line item of every statement (INC, BAL, CAS) of every annual and interim period, named
    by the report's COAMap, known from its filing."""
    report = "ReportsFinStatements"
    root = _root(symbol, report, xml, "ReportFinancialStatements")
    currency_element = root.find("CoGeneralInfo/ReportingCurrency")
    currency = currency_element.get("Code") if currency_element is not None else None
    names = {(m.get("statementType"), m.get("coaItem")): _text(m)
             for m in root.iterfind("FinancialStatements/COAMap/mapItem")}
    date = lambda text: _date(symbol, report, text)  # noqa: E731
    rows = []
    for kind in ("AnnualPeriods", "InterimPeriods"):
        for period in root.iterfind(f"FinancialStatements/{kind}/FiscalPeriod"):
            end = date(period.get("EndDate"))
            number = period.get("FiscalPeriodNumber")
            for statement in period.iterfind("Statement"):
                header = statement.find("FPHeader")
                source = header.find("Source") if header is not None else None
                filed = date(source.get("Date")) if source is not None else None
                if end is None or filed is None:
                    raise ReportError(symbol, report, f"a {statement.get('Type')} statement of {kind} without "
                                                      "EndDate or Source Date")
                length = _text(header.find("PeriodLength"))
                unit = header.find("periodType")
                update = header.find("UpdateType")
                base = {"symbol": symbol, "period_type": period.get("Type"), "period_end": end,
                        "fiscal_year": int(period.get("FiscalYear")) if period.get("FiscalYear") else None,
                        "fiscal_period": int(number) if number else None, "statement": statement.get("Type"),
                        "known_from": filed, "form": _text(source),
                        "statement_date": date(_text(header.find("StatementDate"))),
                        "update_type": update.get("Code") if update is not None else None,
                        "period_length": int(length) if length else None,
                        "period_unit": unit.get("Code") if unit is not None else None, "currency": currency}
                for item in statement.iterfind("lineItem"):
                    code = item.get("coaCode")
                    rows.append({**base, "coa_code": code, "line_name": names.get((statement.get("Type"), code)),
                                 "value": _number(symbol, report, _text(item), code)})
    return _frame(rows, STATEMENTS, STATEMENTS_KEY, symbol, report)
