"""The demo market's SEC filings: companyfacts.zip, submissions.zip and company_tickers.json of EDGAR's shape.

Why: `make demo` must run the SEC ingest offline through the very code that reads EDGAR's archives, so the demo
writes archives of the same layout (one CIK##########.json per company in each zip, the ticker map as EDGAR
serves it) and the assets read them like downloaded ones.

The figures follow the demo's own fundamentals (coverage.py): each stock's fiscal year end, revenue path, margin
and shares. A quarter's diluted EPS is the one the demo's results news reports (the consensus of the day the
results come out, times the same seeded surprise), filed that day in a 10-Q, or in the 10-K for the fiscal
year's last quarter; the year is the sum of its quarters. As US filers do, a 10-Q gives the quarter and the year
to date of the income statement but only the year to date of cash flows, and each filing repeats the prior year
as a comparative under its own accession. About 4% of annual reports are amended (10-K/A, 45 days later) with
restated revenue and net income, so a point-in-time read sees the original before the amendment's filed date.
Only filings dated on or before `as_of` are written, as an archive fetched that day would hold.
"""

from __future__ import annotations

import calendar as months
import datetime as dt
import json
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic import streams
from investing_assets.lib.synthetic.coverage import Coverage, _surprise, coverage
from investing_assets.lib.synthetic.reference import REFERENCE_SESSION

DEMO_CIK_BASE = 9_000_000  # demo CIKs: 9000000 + the stock's column (no real filer uses this range... here)
# The first fiscal year filed, fixed (not counted back from `as_of`) so every snapshot holds the same history up
# to its day, as EDGAR's archives do: the demo's reference year, so sessions from its end on have trailing figures
# (and the demo's ingest stays a few seconds).
FIRST_FISCAL_YEAR = REFERENCE_SESSION.year
AMENDED_SHARE = 0.04
AMENDMENT_DAYS = 45
_SIC = {
    "Information Technology": ("7372", "Services-Prepackaged Software"),
    "Communication Services": ("4899", "Communications Services, NEC"),
    "Consumer Discretionary": ("5900", "Retail-Miscellaneous Retail"),
    "Consumer Staples": ("2000", "Food and Kindred Products"),
    "Health Care": ("2834", "Pharmaceutical Preparations"),
    "Financials": ("6022", "State Commercial Banks"),
    "Industrials": ("3560", "General Industrial Machinery & Equipment"),
    "Energy": ("1311", "Crude Petroleum & Natural Gas"),
    "Utilities": ("4911", "Electric Services"),
    "Materials": ("2800", "Chemicals & Allied Products"),
    "Real Estate": ("6798", "Real Estate Investment Trusts"),
}


@dataclass(frozen=True)
class SecArchives:
    """Where one snapshot's three files are (downloaded or written by the demo)."""

    companyfacts: Path
    submissions: Path
    tickers: Path


def demo_cik(column: int) -> int:
    return DEMO_CIK_BASE + column


def sec_ticker(symbol: str) -> str:
    """EDGAR spells share classes with a dash (BRK-B), as its ticker map does."""
    return symbol.replace(".", "-")


def write_demo_archives(folder: Path, as_of: dt.date, seed: int = 20161104, plant: bool = True,
                        symbols: Collection[str] | None = None) -> SecArchives:
    """The three files in `folder`, holding what had been filed on or before `as_of` (by every demo stock, or
    `symbols` only)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    cov = coverage(seed, plant)
    out = SecArchives(folder / "companyfacts.zip", folder / "submissions.zip", folder / "company_tickers.json")
    tickers = {}
    facts_tmp, subs_tmp = out.companyfacts.with_suffix(".zip.tmp"), out.submissions.with_suffix(".zip.tmp")
    with zipfile.ZipFile(facts_tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as facts_zip, \
            zipfile.ZipFile(subs_tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as subs_zip:
        for column, stock in enumerate(cov.market.stocks):
            if symbols is not None and stock.symbol not in symbols:
                continue
            cik = demo_cik(column)
            filings = _filings(cov, seed, plant, column, as_of)
            facts_zip.writestr(f"CIK{cik:010d}.json", json.dumps(_companyfacts(cov, column, filings)))
            subs_zip.writestr(f"CIK{cik:010d}.json", json.dumps(_submissions(cov, column, filings)))
            tickers[str(column)] = {"cik_str": cik, "ticker": sec_ticker(stock.symbol), "title": stock.name.upper()}
    facts_tmp.replace(out.companyfacts)
    subs_tmp.replace(out.submissions)
    out.tickers.write_text(json.dumps(tickers))
    return out


@dataclass(frozen=True)
class _Filing:
    accession: str
    form: str  # 10-Q, 10-K, 10-K/A
    filed: dt.date
    fiscal_year: int
    quarter: int  # 1-4 (4: the 10-K)
    period_end: dt.date  # the quarter's (or the year's) end
    year_start: dt.date
    figures: dict[str, float]  # the quarter's own figures (3 months) and the year to date's


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, months.monthrange(year, month)[1])


def _add_months(day: dt.date, count: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + count
    return _month_end(index // 12, index % 12 + 1)


@lru_cache(maxsize=4096)
def _eps_consensus(seed: int, plant: bool, row: int, year: int) -> np.ndarray:
    return coverage(seed, plant).consensus(row, year)["eps_avg"]


def _filings(cov: Coverage, seed: int, plant: bool, column: int, as_of: dt.date) -> list[_Filing]:
    """Every 10-Q, 10-K and 10-K/A of the stock filed on or before `as_of`, oldest first."""
    symbol = cov.symbols[column]
    draws = streams.rng(seed, "sec-filings", symbol).random(8)
    fy_month, lag = int(cov.fy_month[column]), int(cov.report_lag[column])
    shares = float(cov.shares[column])
    roe = 0.08 + 0.22 * draws[0]
    leverage = (8.0 + 4 * draws[1]) if cov.market.stocks[column].sector == "Financials" else 1.4 + 2.2 * draws[1]
    cash_conversion, capex_share = 1.05 + 0.35 * draws[2], 0.02 + 0.08 * draws[3]
    payout = 0.0 if draws[4] < 0.3 else 0.2 + 0.45 * draws[5]
    last = calendar.all_sessions()[-1]
    cik = demo_cik(column)
    out: list[_Filing] = []
    for year in range(FIRST_FISCAL_YEAR, as_of.year + 2):
        year_end = _month_end(year, fy_month)
        year_start = _add_months(year_end, -12) + dt.timedelta(days=1)
        annual_revenue = float(cov._revenue(year)[column])
        ytd = dict.fromkeys(("revenue", "net_income", "eps", "ocf", "capex", "dps"), 0.0)
        # draws per stock and fiscal year, so a filing is the same in every snapshot that holds it
        draws_year = streams.rng(seed, "sec-filings", symbol, str(year)).random(5)
        revenue_noise, restate = 0.06 * (draws_year[:4] - 0.5), float(draws_year[4])
        for quarter in range(1, 5):
            quarter_end = _add_months(year_end, 3 * quarter - 12)
            due = quarter_end + dt.timedelta(days=lag)
            if due > last:
                return out
            filed = calendar.first_session_on_or_after(due)
            if filed > as_of:
                return out
            row = calendar.session_index(filed)
            expected = float(_eps_consensus(seed, plant, row, year)[column]) / 4  # as the results news has it
            eps = expected * (1 + _surprise(seed, symbol, quarter_end))
            net_income = eps * shares
            revenue = annual_revenue / 4 * (1 + float(revenue_noise[quarter - 1]))
            quarter_figures = {"revenue": revenue, "net_income": net_income, "eps": eps,
                               "ocf": net_income * cash_conversion, "capex": revenue * capex_share,
                               "dps": max(eps, 0.0) * payout}
            for key, value in quarter_figures.items():
                ytd[key] += value
            equity = max(net_income * 4, annual_revenue * 0.05) / roe
            figures = {**{f"q_{k}": v for k, v in quarter_figures.items()}, **{f"ytd_{k}": v for k, v in ytd.items()},
                       "equity": equity, "assets": equity * leverage, "liabilities": equity * (leverage - 1),
                       "shares": shares}
            form = "10-K" if quarter == 4 else "10-Q"
            out.append(_Filing(_accession(cik, filed, year, quarter, False), form, filed, year, quarter,
                               quarter_end, year_start, figures))
            amended_on = filed + dt.timedelta(days=AMENDMENT_DAYS)
            if quarter == 4 and restate < AMENDED_SHARE and amended_on <= min(as_of, last):
                factor = 1 + (restate / AMENDED_SHARE - 0.5) * 0.06  # revenue and earnings restated by up to 3%
                restated = dict(figures)
                for key in ("ytd_revenue", "ytd_net_income", "ytd_eps"):
                    restated[key] = figures[key] * factor
                out.append(_Filing(_accession(cik, amended_on, year, quarter, True), "10-K/A",
                                   amended_on, year, quarter, quarter_end, year_start, restated))
    return out


def _accession(cik: int, filed: dt.date, fiscal_year: int, quarter: int, amendment: bool) -> str:
    """EDGAR's shape (filer id, year filed, sequence), the sequence fixed by what the filing is."""
    return f"{cik:010d}-{filed.year % 100:02d}-{fiscal_year % 100:02d}{quarter:02d}{int(amendment):02d}"


# (concept key, taxonomy, tag, unit, kind) as filed; kind: "flow" (3-month and YTD), "ytd" (YTD only), "instant"
_TAGS = (
    ("revenue", "us-gaap", "Revenues", "USD", "flow"),
    ("net_income", "us-gaap", "NetIncomeLoss", "USD", "flow"),
    ("eps", "us-gaap", "EarningsPerShareDiluted", "USD/shares", "flow"),
    ("shares", "us-gaap", "WeightedAverageNumberOfDilutedSharesOutstanding", "shares", "flow"),
    ("ocf", "us-gaap", "NetCashProvidedByUsedInOperatingActivities", "USD", "ytd"),
    ("capex", "us-gaap", "PaymentsToAcquirePropertyPlantAndEquipment", "USD", "ytd"),
    ("dps", "us-gaap", "CommonStockDividendsPerShareDeclared", "USD/shares", "flow"),
    ("equity", "us-gaap", "StockholdersEquity", "USD", "instant"),
    ("assets", "us-gaap", "Assets", "USD", "instant"),
    ("liabilities", "us-gaap", "Liabilities", "USD", "instant"),
)


def _companyfacts(cov: Coverage, column: int, filings: list[_Filing]) -> dict:
    """companyfacts' nesting, taxonomy -> tag -> units -> facts; each filing gives its period and, as a
    comparative, the same period a year before (as first filed), under its own accession."""
    facts: dict[str, dict[str, dict]] = {"us-gaap": {}, "dei": {}}
    contract_revenue = streams.rng(0, "sec-revenue-tag", cov.symbols[column]).random() < 0.5  # the fallback tag
    by_period = {(f.fiscal_year, f.quarter): f for f in filings if f.form != "10-K/A"}

    def add(taxonomy: str, tag: str, unit: str, fact: dict) -> None:
        concept = facts[taxonomy].setdefault(tag, {"label": tag, "description": tag, "units": {}})
        concept["units"].setdefault(unit, []).append(fact)

    for filing in filings:
        base = {"accn": filing.accession, "fy": filing.fiscal_year,
                "fp": "FY" if filing.quarter == 4 else f"Q{filing.quarter}", "form": filing.form,
                "filed": filing.filed.isoformat()}
        prior = by_period.get((filing.fiscal_year - 1, filing.quarter))
        for source in (filing, prior) if prior is not None else (filing,):
            own = source is filing and filing.form != "10-K/A"
            quarter_start = _add_months(source.period_end, -3) + dt.timedelta(days=1)
            for key, taxonomy, tag, unit, kind in _TAGS:
                if key == "revenue" and contract_revenue:
                    tag = "RevenueFromContractWithCustomerExcludingAssessedTax"
                if kind == "instant":
                    fact = {"end": source.period_end.isoformat(), "val": _round(source.figures[key], unit), **base}
                    if own:
                        fact["frame"] = f"CY{source.period_end.year}Q{(source.period_end.month - 1) // 3 + 1}I"
                    add(taxonomy, tag, unit, fact)
                    continue
                weighted = key == "shares"  # a weighted count: the same for the quarter and the year to date
                periods = []
                if kind == "flow" and filing.quarter < 4:
                    periods.append((quarter_start, source.figures["shares" if weighted else f"q_{key}"]))
                if kind == "ytd" or filing.quarter > 1:
                    periods.append((source.year_start, source.figures["shares" if weighted else f"ytd_{key}"]))
                for start, value in periods:
                    fact = {"start": start.isoformat(), "end": source.period_end.isoformat(),
                            "val": _round(value, unit), **base}
                    if own and (start == quarter_start or filing.quarter == 4):
                        fact["frame"] = f"CY{source.period_end.year}" + (
                            f"Q{(source.period_end.month - 1) // 3 + 1}" if start == quarter_start else "")
                    add(taxonomy, tag, unit, fact)
        add("dei", "EntityCommonStockSharesOutstanding", "shares",
            {"end": (filing.filed - dt.timedelta(days=7)).isoformat(), "val": int(filing.figures["shares"]), **base})
    return {"cik": demo_cik(column), "entityName": cov.names[column], "facts": facts}


def _round(value: float, unit: str) -> float | int:
    return round(value, 2) if unit.endswith("/shares") else int(round(value))


def _submissions(cov: Coverage, column: int, filings: list[_Filing]) -> dict:
    stock = cov.market.stocks[column]
    newest = sorted(filings, key=lambda f: f.filed, reverse=True)
    sic, sic_description = _SIC.get(stock.sector, ("9999", "Nonclassifiable"))
    fy_month = int(cov.fy_month[column])
    columns = {
        "accessionNumber": [f.accession for f in newest],
        "filingDate": [f.filed.isoformat() for f in newest],
        "reportDate": [f.period_end.isoformat() for f in newest],
        "acceptanceDateTime": [f"{f.filed.isoformat()}T{16 + column % 5}:0{column % 10}:00.000Z" for f in newest],
        "act": ["34"] * len(newest),
        "form": [f.form for f in newest],
        "fileNumber": [f"001-{30000 + column}"] * len(newest),
        "filmNumber": [""] * len(newest),
        "items": [""] * len(newest),
        "size": [250_000 + 1000 * (column % 97)] * len(newest),
        "isXBRL": [1] * len(newest),
        "isInlineXBRL": [1] * len(newest),
        "primaryDocument": [f"{stock.symbol.lower().replace('.', '')}-{f.period_end:%Y%m%d}.htm" for f in newest],
        "primaryDocDescription": [f.form for f in newest],
    }
    return {
        "cik": str(demo_cik(column)), "entityType": "operating", "sic": sic, "sicDescription": sic_description,
        "name": stock.name, "tickers": [sec_ticker(stock.symbol)], "exchanges": ["NYSE"],
        "fiscalYearEnd": f"{fy_month:02d}{months.monthrange(2001, fy_month)[1]:02d}",
        "category": "Large accelerated filer", "stateOfIncorporation": "DE",
        "filings": {"recent": columns, "files": []},
    }
