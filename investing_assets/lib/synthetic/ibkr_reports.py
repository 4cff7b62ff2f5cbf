"""The demo market's reqFundamentalData reports: the same XML shapes IBKR serves, from the demo's own fundamentals.

So the IBKR fundamentals ETL runs offline through the very parser it runs on IBKR's reports. The figures are
those of the demo's analyst coverage (coverage.py): a fiscal year's revenue and EPS are the "true" figures the
consensus converges on, net income is revenue x the stock's net margin, shares are the demo's shares outstanding,
the price is the demo close of the report's session. A fiscal period is reported (10-K / 10-Q, Source Date) its
report lag after it ends, like the demo's results news, and only periods reported by the session appear. The
demo market pays no dividends (its adj_close equals close), so dividends per share are 0 and none is declared.
Statement amounts are in millions, per-share lines in dollars, as in IBKR's reports. A pure function of (seed,
symbol, session), like the bars: a report is a few kilobytes of text, built in well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from investing_assets.lib.core import calendar
from investing_assets.lib.core.fundamental_reports import FIN_STATEMENTS, FIN_SUMMARY, SNAPSHOT
from investing_assets.lib.synthetic.coverage import Coverage

YEARS = 4  # fiscal years a report reaches back
QUARTERS = 8  # fiscal quarters of the interim series


class DemoReports:
    """The three reports of any demo symbol as of a session."""

    def __init__(self, cov: Coverage) -> None:
        self.cov = cov

    def report(self, symbol: str, report: str, session: dt.date) -> str:
        column = self.cov.market.column[symbol]
        build = {SNAPSHOT: self._snapshot, FIN_SUMMARY: self._summary, FIN_STATEMENTS: self._statements}[report]
        return build(column, session)

    # -- the periods reported by a session ---------------------------------------------------------------------
    def _lag(self, column: int) -> dt.timedelta:
        return dt.timedelta(days=int(self.cov.report_lag[column]))

    def _years(self, column: int, session: dt.date) -> list[tuple[int, dt.date, dt.date]]:
        """(fiscal year, its end, the day it was reported) of the last YEARS fiscal years reported by `session`."""
        out = []
        for year in range(session.year + 1, session.year - YEARS - 3, -1):
            end = self.cov.period_end(year)[column]
            filed = end + self._lag(column)
            if filed <= session:
                out.append((year, end, filed))
        return out[:YEARS]

    def _quarters(self, column: int, session: dt.date) -> list[tuple[int, int, dt.date, dt.date]]:
        """(fiscal year, quarter 1-4, quarter end, reported) of the last QUARTERS quarters reported by `session`."""
        fy_month = int(self.cov.fy_month[column])
        out = []
        for year in range(session.year + 1, session.year - QUARTERS // 4 - 3, -1):
            for quarter in (4, 3, 2, 1):
                month = (fy_month - 3 * (4 - quarter) - 1) % 12 + 1
                end_year = year if month <= fy_month else year - 1
                end = _month_end(end_year, month)
                filed = end + self._lag(column)
                if filed <= session:
                    out.append((year, quarter, end, filed))
        return sorted(out, key=lambda q: q[2], reverse=True)[:QUARTERS]

    def _figures(self, column: int, year: int) -> dict[str, float]:
        """A fiscal year's figures in dollars (shares in shares)."""
        cov = self.cov
        eps = float(cov.true_eps(year)[column])
        shares = float(cov.shares[column])
        revenue = eps * shares / float(cov.net_margin[column])
        return {"revenue": revenue, "net_income": eps * shares, "eps": eps, "shares": shares,
                "ebitda": revenue * float(cov.ebitda_margin[column])}

    def _close(self, column: int, session: dt.date) -> tuple[dt.date, float]:
        day = calendar.last_session_on_or_before(session)
        return day, float(self.cov.market.close[calendar.session_index(day), column])

    # -- ReportSnapshot -----------------------------------------------------------------------------------------
    def _snapshot(self, column: int, session: dt.date) -> str:
        stock = self.cov.market.stocks[column]
        years, quarters = self._years(column, session), self._quarters(column, session)
        day, price = self._close(column, session)
        last = self._figures(column, years[0][0]) if years else self._figures(column, session.year)
        ahead = self._figures(column, (years[0][0] if years else session.year) + 1)
        modified = max([f for *_, f in quarters] + [f for *_, f in years] or [day])
        equity = _equity(last)
        ratios = {
            "Price and Volume": [("NPRICE", price)],
            "Income Statement": [("MKTCAP", price * last["shares"] / 1e6), ("TTMREV", last["revenue"] / 1e6),
                                 ("TTMEBITD", last["ebitda"] / 1e6), ("TTMNIAC", last["net_income"] / 1e6)],
            "Per share data": [("TTMEPSXCLX", last["eps"]), ("TTMREVPS", last["revenue"] / last["shares"]),
                               ("QBVPS", equity / last["shares"]), ("TTMDIVSHR", 0.0)],
            "Other Ratios": [("PEEXCLXOR", price / last["eps"]), ("PRICE2BK", price * last["shares"] / equity)],
        }
        groups = "".join(
            f'<Group ID={quoteattr(group)}>'
            + (f'<Ratio FieldName="PDATE" Type="D">{day.isoformat()}T00:00:00</Ratio>' if group.startswith("Price")
               else "")
            + "".join(f'<Ratio FieldName="{field}" Type="N">{value:.5f}</Ratio>' for field, value in fields)
            + "</Group>" for group, fields in ratios.items())
        latest = years[0][1].isoformat() if years else ""
        interim = quarters[0][2].isoformat() if quarters else ""
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n<ReportSnapshot Major="1" Minor="0" Revision="1">'
            f'<CoIDs><CoID Type="RepNo">D{column:05d}</CoID><CoID Type="CompanyName">{escape(stock.name)}</CoID>'
            f'</CoIDs><Issues><Issue ID="1" Type="C" Desc="Common Stock" Order="1">'
            f'<IssueID Type="Name">Ordinary Shares</IssueID><IssueID Type="Ticker">{escape(stock.symbol)}</IssueID>'
            '<Exchange Code="DEMO" Country="USA">Demo Exchange</Exchange></Issue></Issues>'
            f'<CoGeneralInfo><CoStatus Code="1">Active</CoStatus><LastModified>{modified.isoformat()}</LastModified>'
            f'<LatestAvailableAnnual>{latest}</LatestAvailableAnnual>'
            f'<LatestAvailableInterim>{interim}</LatestAvailableInterim>'
            f'<SharesOut Date="{day.isoformat()}" TotalFloat="{last["shares"]:.1f}">{last["shares"]:.1f}</SharesOut>'
            '<ReportingCurrency Code="USD">U.S. Dollars</ReportingCurrency></CoGeneralInfo>'
            f'<TextInfo><Text Type="Business Summary">{escape(stock.name)}: a demo company in '
            f'{escape(stock.industry)} ({escape(stock.sector)}); synthetic figures, not market data.</Text>'
            '</TextInfo><peerInfo><IndustryInfo>'
            f'<Industry type="TRBC" order="1" reported="0" code="" mnem="">{escape(stock.industry)}</Industry>'
            '</IndustryInfo></peerInfo>'
            f'<Ratios PriceCurrency="USD" ReportingCurrency="USD" ExchangeRate="1.00000" '
            f'LatestAvailableDate="{interim or latest}">{groups}</Ratios>'
            '<ForecastData ConsensusType="Mean" EarningsBasis="PRX">'
            f'<Ratio FieldName="ProjEPS" Type="N"><Value PeriodType="CURR">{ahead["eps"]:.5f}</Value></Ratio>'
            f'<Ratio FieldName="ProjSales" Type="N"><Value PeriodType="CURR">{ahead["revenue"] / 1e6:.5f}</Value>'
            '</Ratio></ForecastData></ReportSnapshot>')

    # -- ReportsFinSummary --------------------------------------------------------------------------------------
    def _summary(self, column: int, session: dt.date) -> str:
        rows: dict[str, list[str]] = {"EPS": [], "TotalRevenue": [], "DividendPerShare": []}
        for year, end, _ in self._years(column, session):
            figures = self._figures(column, year)
            for element, value in (("EPS", figures["eps"]), ("TotalRevenue", figures["revenue"]),
                                   ("DividendPerShare", 0.0)):
                rows[element].append(f'<{element} asofDate="{end.isoformat()}" reportType="A" period="12M">'
                                     f'{value:.6f}</{element}>')
        for year, _, end, _ in self._quarters(column, session):
            figures = self._figures(column, year)
            for element, value in (("EPS", figures["eps"] / 4), ("TotalRevenue", figures["revenue"] / 4),
                                   ("DividendPerShare", 0.0)):
                rows[element].append(f'<{element} asofDate="{end.isoformat()}" reportType="A" period="3M">'
                                     f'{value:.6f}</{element}>')
        series = {"DividendPerShare": "DividendPerShares", "TotalRevenue": "TotalRevenues", "EPS": "EPSs"}
        body = "".join(f'<{container} currency="USD">{"".join(rows[element])}</{container}>'
                       for element, container in series.items())
        return f'<FinancialSummary>{body}<Dividends currency="USD"></Dividends></FinancialSummary>'

    # -- ReportsFinStatements -----------------------------------------------------------------------------------
    def _statements(self, column: int, session: dt.date) -> str:
        annual = "".join(
            f'<FiscalPeriod Type="Annual" EndDate="{end.isoformat()}" FiscalYear="{year}">'
            + _statement_set(self._figures(column, year), end, filed, "10-K", 12) + "</FiscalPeriod>"
            for year, end, filed in self._years(column, session))
        interim = "".join(
            f'<FiscalPeriod Type="Interim" EndDate="{end.isoformat()}" FiscalYear="{year}" '
            f'FiscalPeriodNumber="{quarter}">'
            + _statement_set(_quarter(self._figures(column, year)), end, filed, "10-K" if quarter == 4 else "10-Q", 3)
            + "</FiscalPeriod>"
            for year, quarter, end, filed in self._quarters(column, session))
        coa = "".join(f'<mapItem coaItem="{code}" statementType="{kind}" lineID="{n}" precision="1">{escape(name)}'
                      "</mapItem>" for n, (kind, code, name) in enumerate(_LINES, start=1))
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<ReportFinancialStatements Major="1" Minor="0" Revision="1">'
                '<CoGeneralInfo><ReportingCurrency Code="USD">U.S. Dollars</ReportingCurrency></CoGeneralInfo>'
                f'<FinancialStatements><COAMap>{coa}</COAMap><AnnualPeriods>{annual}</AnnualPeriods>'
                f'<InterimPeriods>{interim}</InterimPeriods></FinancialStatements></ReportFinancialStatements>')


_LINES = [("INC", "RTLR", "Total Revenue"), ("INC", "SOPI", "Operating Income"), ("INC", "NINC", "Net Income"),
          ("INC", "SDWS", "Diluted Weighted Average Shares"), ("INC", "SDBF", "Diluted EPS Excluding ExtraOrd Items"),
          ("BAL", "ATOT", "Total Assets"), ("BAL", "LTLL", "Total Liabilities"), ("BAL", "QTLE", "Total Equity"),
          ("BAL", "QTCO", "Total Common Shares Outstanding"), ("CAS", "OTLO", "Cash from Operating Activities"),
          ("CAS", "SCEX", "Capital Expenditures")]


def _equity(figures: dict[str, float]) -> float:
    return 0.45 * 1.4 * figures["revenue"]  # assets 1.4 x revenue, 45% of them equity


def _quarter(figures: dict[str, float]) -> dict[str, float]:
    """A quarter of the year: flows a quarter, shares and balances as they are."""
    return {k: (v / 4 if k in ("revenue", "net_income", "eps", "ebitda") else v) for k, v in figures.items()} | {
        "assets": 1.4 * figures["revenue"], "equity": _equity(figures)}


def _statement_set(figures: dict[str, float], end: dt.date, filed: dt.date, form: str, months: int) -> str:
    assets = figures.get("assets", 1.4 * figures["revenue"])
    equity = figures.get("equity", _equity(figures))
    values = {"RTLR": figures["revenue"] / 1e6, "SOPI": (figures["ebitda"] * 0.8) / 1e6,
              "NINC": figures["net_income"] / 1e6, "SDWS": figures["shares"] / 1e6, "SDBF": figures["eps"],
              "ATOT": assets / 1e6, "LTLL": (assets - equity) / 1e6, "QTLE": equity / 1e6,
              "QTCO": figures["shares"] / 1e6, "OTLO": figures["net_income"] * 1.2 / 1e6,
              "SCEX": -figures["revenue"] * 0.05 / 1e6}
    header = (f'<FPHeader>{{length}}<UpdateType Code="UPD">Updated Normal</UpdateType>'
              f'<StatementDate>{end.isoformat()}</StatementDate><Source Date="{filed.isoformat()}">{form}</Source>'
              "</FPHeader>")
    length = f'<PeriodLength>{months}</PeriodLength><periodType Code="M">Months</periodType>'
    out = []
    for kind in ("INC", "BAL", "CAS"):
        items = "".join(f'<lineItem coaCode="{code}">{values[code]:.6f}</lineItem>'
                        for k, code, _ in _LINES if k == kind and np.isfinite(values[code]))
        out.append(f'<Statement Type="{kind}">{header.format(length="" if kind == "BAL" else length)}{items}'
                   "</Statement>")
    return "".join(out)


def _month_end(year: int, month: int) -> dt.date:
    return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
