"""SEC EDGAR raw facts into PostgreSQL: companyfacts bodies parsed company by company and COPYed per company.

Each company is one partition unit (scope cik), so a re-load replaces that company's facts whole and leaves
every other company alone. Several companies share one transaction (`companies_per_write`) to spare a commit
per company; memory stays bounded by that batch, never the archive.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    """Stream parsed companies into the warehouse, `companies_per_write` at a time."""
    total_companies = total_facts = 0
    seconds = 0.0
    batch: list[pl.DataFrame] = []
    for company in companies:
        batch.append(company)
        if len(batch) >= companies_per_write:
            loaded = store_company_facts(warehouse, batch)
            total_companies, total_facts, seconds = (total_companies + loaded.companies,
                                                     total_facts + loaded.facts, seconds + loaded.seconds)
            batch = []
    loaded = store_company_facts(warehouse, batch)
    return FactsLoaded(total_companies + loaded.companies, total_facts + loaded.facts, seconds + loaded.seconds)


def load_companyfacts_zip(warehouse: Warehouse, archive: Path, companies_per_write: int = 50) -> FactsLoaded:
    """companyfacts.zip, read member by member."""
    return load_companyfacts(warehouse, iter_zip_company_facts(archive), companies_per_write)


def stored_company_facts(warehouse: Warehouse, ciks: Sequence[int]) -> pl.DataFrame:
    """The stored facts of these companies, in the parsed schema (for re-standardizing without a download)."""
    return warehouse.read_table(names.SEC_FACTS, {"cik": list(ciks)}, schema=FACTS_SCHEMA)
