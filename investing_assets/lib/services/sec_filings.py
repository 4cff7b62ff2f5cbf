"""SEC EDGAR around the facts into PostgreSQL: the week's ticker <-> CIK map and the filers' filing index.

The map is one unit per weekly snapshot (scope week), so a re-run of a week replaces that week's map only and an
old session can still be read with the map of its time. Filers and filings are replaced per cik, several filers
per transaction, like the raw facts (lib/services/sec_facts.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import TICKERS_SCHEMA
from investing_assets.lib.fundamentals.submissions import Submission, combined, iter_zip_submissions
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.sec import ticker_map
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass(frozen=True)
class SubmissionsLoaded:
    companies: int
    filings: int
    seconds: float


def store_tickers(warehouse: Warehouse, week: dt.date, tickers: pl.DataFrame) -> int:
    """The week's company_tickers.json (cik, symbol, title); a symbol listed twice for one CIK is kept once."""
    frame = (tickers.select(TICKERS_SCHEMA.keys()).unique(["symbol", "cik"], keep="first", maintain_order=True)
             .with_columns(week=pl.lit(week, dtype=pl.Date)).select("week", *TICKERS_SCHEMA))
    warehouse.replace_rows(names.SEC_TICKERS, frame, {"week": [week]})
    return frame.height


def load_submissions(warehouse: Warehouse, filers: Iterable[list[Submission]],
                     filers_per_write: int = 200) -> SubmissionsLoaded:
    """Each filer's body and older pages (as iter_zip_submissions yields them), `filers_per_write` at a time."""
    companies = filings = 0
    seconds = 0.0
    for batch in _batches(filers, filers_per_write):
        rows, index = combined([page for filer in batch for page in filer])
        ciks = sorted({filer[0].cik for filer in batch})
        results = warehouse.replace_many([(names.SEC_COMPANIES, rows, {"cik": ciks}),
                                          (names.SEC_FILINGS, index, {"cik": ciks})])
        companies, filings = companies + rows.height, filings + index.height
        seconds += sum(r.seconds for r in results)
    return SubmissionsLoaded(companies, filings, seconds)


def load_submissions_zip(warehouse: Warehouse, archive: Path, ciks: Collection[int] | None = None,
                         filers_per_write: int = 200) -> SubmissionsLoaded:
    """submissions.zip, only the filers in `ciks` (the ticker map's: the zip also holds ~a million insiders)."""
    return load_submissions(warehouse, iter_zip_submissions(archive, ciks), filers_per_write)


def stored_tickers(warehouse: Warehouse, on_or_before: dt.date | None = None) -> pl.DataFrame:
    """The newest stored weekly map (on or before a week, when given) as cik, symbol, title."""
    frame = ticker_map(warehouse, on_or_before)
    return frame.cast(TICKERS_SCHEMA) if frame.height else pl.DataFrame(schema=TICKERS_SCHEMA)


def _batches(items: Iterable[list[Submission]], size: int) -> Iterator[list[list[Submission]]]:
    batch: list[list[Submission]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
