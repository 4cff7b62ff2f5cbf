"""The weekly SEC EDGAR ingest, without Dagster: fetch a week's archives, store the ticker map, the filing index
and the raw facts, and (re)build the standardized financials from the stored facts.

One code path for both sources: `edgar` downloads the three files (lib/sources/sec_edgar), `demo` writes files of
the same layout (lib/synthetic/sec_filings); everything after reads them alike. A week's files are kept in
`<folder>/<week>/`, so a re-run of the week reads what it fetched (a download resumes a `.part`, never starts
over) and `reprocess` needs no network at all: it reads only fundamentals.sec_facts.

Only the companies of the ticker map are loaded: submissions.zip names about a million filers (insiders, funds)
and companyfacts.zip ~19,000 entities, while a valuation needs listed companies; the zips are skipped member by
member on their names, before anything is parsed.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import (
    FACTS_SCHEMA,
    iter_zip_company_facts,
    parse_company_tickers,
)
from investing_assets.lib.fundamentals.standardize import VERSION_COLUMNS, filing_versions
from investing_assets.lib.services.sec_facts import FactsLoaded, load_companyfacts
from investing_assets.lib.services.sec_filings import SubmissionsLoaded, load_submissions_zip, store_tickers
from investing_assets.lib.sources.sec_edgar import (
    COMPANYFACTS_URL,
    SUBMISSIONS_URL,
    TICKERS_URL,
    EdgarClient,
)
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.sec import fact_ciks, financials
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.sec_filings import SecArchives, write_demo_archives

SOURCES = ("demo", "edgar")
FINANCIALS_SCHEMA: dict[str, pl.DataType] = {
    "cik": pl.Int64, "concept": pl.String, "unit": pl.String, "period_start": pl.Date, "period_end": pl.Date,
    "months": pl.Int32, "fiscal_year": pl.Int32, "fiscal_period": pl.String, "value": pl.Float64,
    "filed": pl.Date, "accession": pl.String, "form": pl.String, "tag": pl.String, "rank": pl.Int32,
    "derived": pl.Boolean,
}
_DONE = ".complete"  # written last in a week's folder: its three files are whole


@dataclass(frozen=True)
class IndexLoaded:
    tickers: int
    submissions: SubmissionsLoaded
    ciks: list[int]
    seconds: float


@dataclass(frozen=True)
class Standardized:
    companies: int
    facts: int  # raw facts read
    rows: int  # standardized rows written (filing versions, derived quarters included)
    seconds: float
    preview: pl.DataFrame = field(repr=False, default_factory=pl.DataFrame)


def week_folder(root: Path, week: dt.date) -> Path:
    return Path(root) / week.isoformat()


PARTS = ("tickers", "submissions", "companyfacts")


def fetch_archives(source: str, root: Path | str, week: dt.date, as_of: dt.date, *, user_agent: str | None = None,
                   parts: Sequence[str] = PARTS, client: EdgarClient | None = None,
                   progress: Callable[[str, int, int | None], None] | None = None) -> SecArchives:
    """The week's files, each fetched once into `<root>/<week>/`: `demo` writes all three, holding what was filed
    by `as_of`; `edgar` downloads the `parts` asked for that the folder lacks (SEC's archives are always the
    current ones: they hold every filing with its filed date, so point in time holds whichever week)."""
    if source not in SOURCES:
        raise ValueError(f"SEC source {source!r}: use {' or '.join(SOURCES)}")
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise ValueError(f"SEC archives: unknown part(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    folder = week_folder(Path(root), week)
    archives = SecArchives(folder / "companyfacts.zip", folder / "submissions.zip", folder / "company_tickers.json")
    if source == "demo":
        if not (folder / _DONE).exists():
            write_demo_archives(folder, as_of)
            (folder / _DONE).write_text(f"demo {as_of.isoformat()}\n")
        return archives
    client = client or EdgarClient(user_agent)  # refuses without a contact before any request
    folder.mkdir(parents=True, exist_ok=True)
    if "tickers" in parts and not archives.tickers.exists():
        partial = archives.tickers.with_name(archives.tickers.name + ".part")
        partial.write_text(json.dumps(client.get_json(TICKERS_URL)))
        partial.replace(archives.tickers)
    for part, url, target in (("submissions", SUBMISSIONS_URL, archives.submissions),
                              ("companyfacts", COMPANYFACTS_URL, archives.companyfacts)):
        if part in parts and not target.exists():
            client.download(url, target, progress=(lambda done, total, name=target.name:
                                                   progress(name, done, total)) if progress else None)
    prune_weeks(Path(root), week)
    return archives


def prune_weeks(root: Path, current: dt.date, keep: int = 2) -> list[Path]:
    """Remove downloaded week folders older than the `keep` newest up to `current` (about 3 GB each): the
    stored facts carry every filed date, so an old week's archives are never read again. Only folders named
    as a date are touched."""
    weeks = []
    for folder in root.iterdir() if root.exists() else ():
        try:
            day = dt.date.fromisoformat(folder.name)
        except ValueError:
            continue
        if folder.is_dir() and day <= current:
            weeks.append((day, folder))
    removed = [folder for _, folder in sorted(weeks)[:-keep]] if len(weeks) > keep else []
    for folder in removed:
        shutil.rmtree(folder)
    return removed


def ingest_index(warehouse: Warehouse, archives: SecArchives, week: dt.date) -> IndexLoaded:
    """The week's ticker map, then the filers and filing index of the map's CIKs."""
    started = time.perf_counter()
    tickers = parse_company_tickers(json.loads(archives.tickers.read_bytes()))
    stored = store_tickers(warehouse, week, tickers)
    ciks = sorted(set(tickers.get_column("cik").to_list()))
    loaded = load_submissions_zip(warehouse, archives.submissions, ciks)
    return IndexLoaded(stored, loaded, ciks, time.perf_counter() - started)


def ingest_facts(warehouse: Warehouse, archives: SecArchives, ciks: Collection[int] | None) -> FactsLoaded:
    """The raw facts of `ciks` (all members when None), company by company, by COPY."""
    return load_companyfacts(warehouse, iter_zip_company_facts(archives.companyfacts, ciks))


def stored_financials(warehouse: Warehouse, ciks: Sequence[int] | None = None) -> pl.DataFrame:
    """The standardized rows of `ciks` (all when None), FINANCIALS_SCHEMA."""
    frame = financials(warehouse, list(FINANCIALS_SCHEMA), ciks)
    return frame.cast(FINANCIALS_SCHEMA) if frame.height else pl.DataFrame(schema=FINANCIALS_SCHEMA)


def stored_ciks(warehouse: Warehouse) -> list[int]:
    return fact_ciks(warehouse)


def standardize(warehouse: Warehouse, ciks: Sequence[int] | None = None, companies_per_batch: int = 100,
                progress: Callable[[int], None] | None = None) -> Standardized:
    """Rebuild fundamentals.sec_financials of `ciks` (every company with stored facts when None) from the
    stored raw facts only, `companies_per_batch` at a time (memory: one batch's facts)."""
    started = time.perf_counter()
    ciks = list(ciks) if ciks is not None else stored_ciks(warehouse)
    facts_read = rows = 0
    preview = pl.DataFrame()
    for batch in _chunks(ciks, companies_per_batch):
        facts = warehouse.read_table(names.SEC_FACTS, {"cik": batch}, schema=FACTS_SCHEMA)
        versions = with_fiscal_periods(filing_versions(facts)) if facts.height else pl.DataFrame(
            schema=FINANCIALS_SCHEMA)
        warehouse.replace_rows(names.SEC_FINANCIALS, versions, {"cik": batch})
        facts_read, rows = facts_read + facts.height, rows + versions.height
        if not preview.height and versions.height:
            preview = _preview(versions)
        if progress is not None:
            progress(len(batch))
    return Standardized(len(ciks), facts_read, rows, time.perf_counter() - started, preview)


def with_fiscal_periods(versions: pl.DataFrame) -> pl.DataFrame:
    """fiscal_year and fiscal_period (FY, Q1-Q4) of each row from the company's own fiscal year end: the most
    common end month of its 12-month periods (a 52/53-week year ending early in a month counts for the month
    before, as Apple's year ending 2023-09-30 and 2022-09-24 both end in September). A company without a
    12-month figure gets no labels rather than a guess."""
    shifted = (pl.col("period_end") - dt.timedelta(days=7))
    year_end = (versions.filter(months=12).group_by("cik")
                .agg(shifted.dt.month().mode().min().alias("fye_month")))
    month = shifted.dt.month()
    offset = (month - pl.col("fye_month") - 1) % 12  # whole months since the fiscal year started
    quarter = (offset // 3 + 1).cast(pl.Int32)
    labelled = versions.join(year_end, on="cik", how="left").with_columns(
        fiscal_year=(shifted.dt.year() + (month > pl.col("fye_month")).cast(pl.Int32)).cast(pl.Int32),
        fiscal_period=pl.when(pl.col("fye_month").is_null()).then(None)
        .when((pl.col("months") == 12) | (pl.col("months").is_null() & (quarter == 4))).then(pl.lit("FY"))
        .otherwise(pl.lit("Q") + quarter.cast(pl.String)))
    return labelled.with_columns(
        fiscal_year=pl.when(pl.col("fye_month").is_not_null()).then("fiscal_year")).select(
        FINANCIALS_SCHEMA.keys()).cast(FINANCIALS_SCHEMA)


def _preview(versions: pl.DataFrame) -> pl.DataFrame:
    """One company's newest annual figures, as the metadata shows them."""
    cik = versions.get_column("cik").min()
    rows = versions.filter(cik=cik, fiscal_period="FY")
    if not rows.height:
        rows = versions.filter(cik=cik)
    newest = rows.sort("period_end", "filed", descending=True).unique(["concept"], keep="first")
    return newest.sort("concept").select("cik", "concept", "unit", "period_end", "fiscal_year", "value", "form",
                                         "filed", "accession")


def _chunks(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


__all__ = ["FINANCIALS_SCHEMA", "VERSION_COLUMNS", "IndexLoaded", "Standardized", "fetch_archives",
           "ingest_facts", "ingest_index", "prune_weeks", "standardize", "stored_ciks", "stored_financials", "with_fiscal_periods"]
