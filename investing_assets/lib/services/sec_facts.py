"""SEC EDGAR raw facts into PostgreSQL: companyfacts bodies parsed company by company and COPYed per company.

Each company is one partition unit (scope cik), so a re-load replaces that company's facts whole and leaves
every other company alone. Several companies share one transaction (`companies_per_write`) to spare a commit
per company; memory stays bounded by that batch, never the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from investing_assets.lib.fundamentals.companyfacts import FACTS_SCHEMA, iter_zip_company_facts
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass(frozen=True)
class FactsLoaded:
    companies: int
    facts: int
    seconds: float


def store_company_facts(warehouse: Warehouse, companies: Sequence[pl.DataFrame]) -> FactsLoaded:
    """Replace the stored facts of these companies (one frame each, as parsed) in one transaction."""
    frames = [f for f in companies if f.height]
    if not frames:
        return FactsLoaded(0, 0, 0.0)
    facts = pl.concat(frames, how="vertical")
    ciks = facts.get_column("cik").unique().sort().to_list()
    result = warehouse.replace_rows(names.SEC_FACTS, facts, {"cik": ciks})
    return FactsLoaded(len(ciks), facts.height, result.seconds)


def load_companyfacts(warehouse: Warehouse, companies: Iterable[pl.DataFrame],
                      companies_per_write: int = 50) -> FactsLoaded:
    """Stream parsed companies into the warehouse, `companies_per_write` at a time.

    One batch is written on a worker thread while the next is parsed (JSON decoding holds the GIL, the COPY
    mostly waits on the server), so the two overlap; at most one batch waits, which keeps memory bounded."""
    totals = FactsLoaded(0, 0, 0.0)
    pending: Future[FactsLoaded] | None = None

    def settle() -> None:
        nonlocal totals, pending
        if pending is not None:
            done = pending.result()  # a failed write raises here, before anything else is written
            totals = FactsLoaded(totals.companies + done.companies, totals.facts + done.facts,
                                 totals.seconds + done.seconds)
            pending = None

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sec-facts-copy") as writer:
        for batch in _batches(companies, companies_per_write):
            settle()
            pending = writer.submit(store_company_facts, warehouse, batch)
        settle()
    return totals


def _batches(companies: Iterable[pl.DataFrame], size: int) -> Iterator[list[pl.DataFrame]]:
    """Batches of `size` companies, the first ones smaller (an eighth, doubling): the writer, the slower side,
    starts after a few companies are parsed instead of waiting for a whole batch."""
    batch: list[pl.DataFrame] = []
    wanted = max(1, size // 8)
    for company in companies:
        batch.append(company)
        if len(batch) >= wanted:
            yield batch
            batch = []
            wanted = min(size, wanted * 2)
    if batch:
        yield batch


def load_companyfacts_zip(warehouse: Warehouse, archive: Path, companies_per_write: int = 50) -> FactsLoaded:
    """companyfacts.zip, read member by member."""
    return load_companyfacts(warehouse, iter_zip_company_facts(archive), companies_per_write)


def stored_company_facts(warehouse: Warehouse, ciks: Sequence[int]) -> pl.DataFrame:
    """The stored facts of these companies, in the parsed schema (for re-standardizing without a download)."""
    return warehouse.read_table(names.SEC_FACTS, {"cik": list(ciks)}, schema=FACTS_SCHEMA)
