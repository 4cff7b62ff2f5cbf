"""Bench: SEC companyfacts raw facts into PostgreSQL, and their standardization (issue 14 targets).

Synthetic companyfacts.zip of the real shape (one JSON per company: taxonomy -> tag -> unit -> facts, each fact
repeated by the next year's filing as a comparative, as EDGAR does). End to end = read the zip member by member,
parse, check the key, digest, delete each company's rows and COPY them (`load_companyfacts_zip`; CSV, as the rows
are mostly text: `pg_binary.worthwhile`). The baseline is a plain CSV COPY of the same rows into an unindexed table, in the same run. Standardizing is timed
on the same facts and extrapolated linearly to the issue's 10 M facts.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import tempfile
import time
import zipfile
from pathlib import Path

import polars as pl

from investing_assets.bench import Figure
from investing_assets.bench.servers import PlainCopy, bench_database
from investing_assets.lib.fundamentals.companyfacts import iter_zip_company_facts
from investing_assets.lib.fundamentals.concepts import CONCEPTS
from investing_assets.lib.fundamentals.standardize import filing_versions
from investing_assets.lib.services.sec_facts import load_companyfacts_zip
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

COMPANIES = 200
TAGS_PER_COMPANY = 120  # the standardized concepts' first us-gaap tags plus filler tags, as real filers have
YEARS = 8
TARGET_FACTS_PER_S = 300_000
TARGET_STANDARDIZE_S = 60.0
REPEATS = 2


def _company(cik: int, rng: random.Random) -> dict:
    mapped = [(tax, tag) for c in CONCEPTS for tax, tag in c.tags[:1]]
    filler = [("us-gaap", f"FillerConcept{i:03d}") for i in range(TAGS_PER_COMPANY - len(mapped))]
    facts: dict[str, dict] = {}
    for taxonomy, tag in mapped + filler:
        unit = "USD/shares" if "PerShare" in tag else "shares" if "Shares" in tag else "USD"
        instant = tag in ("Assets", "Liabilities", "StockholdersEquity", "EntityCommonStockSharesOutstanding")
        rows = []
        for year in range(2017, 2017 + YEARS):
            for quarter in range(1, 5):  # 10-Q year-to-date for Q1-Q3, 10-K for the year
                end = dt.date(year, 3 * quarter, 30 if quarter in (2, 3) else 31)
                form = "10-K" if quarter == 4 else "10-Q"
                for filer_year in (year, year + 1):  # the fact, then the next year's comparative
                    filed = dt.date(filer_year, min(3 * quarter + 1, 12), 28) + dt.timedelta(days=30)
                    fact = {"end": end.isoformat(), "val": round(rng.uniform(1e6, 1e10)),
                            "accn": f"{cik:010d}-{filer_year % 100:02d}-{quarter:06d}", "fy": filer_year,
                            "fp": "FY" if quarter == 4 else f"Q{quarter}", "form": form,
                            "filed": filed.isoformat()}
                    if not instant:
                        fact["start"] = dt.date(year, 1, 1).isoformat()
                    if filer_year == year:
                        fact["frame"] = f"CY{year}Q{quarter}" + ("I" if instant else "")
                    rows.append(fact)
        facts.setdefault(taxonomy, {})[tag] = {"label": tag, "description": "", "units": {unit: rows}}
    return {"cik": f"{cik:010d}", "entityName": f"Company {cik}", "facts": facts}


def _archive(path: Path) -> None:
    rng = random.Random(14)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for cik in range(100_001, 100_001 + COMPANIES):
            out.writestr(f"CIK{cik:010d}.json", json.dumps(_company(cik, rng)))


def bench() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch, bench_database() as (url, _):
        archive = Path(scratch) / "companyfacts.zip"
        _archive(archive)
        facts = pl.concat(list(iter_zip_company_facts(archive)))
        warehouse = Warehouse(url)
        baseline = PlainCopy(warehouse, names.SEC_FACTS, facts)
        copy_times, load_times = [], []
        for _ in range(REPEATS):
            copy_times.append(baseline.seconds())
            started = time.perf_counter()
            loaded = load_companyfacts_zip(warehouse, archive)
            load_times.append(time.perf_counter() - started)
            assert loaded.facts == facts.height
        standardize_times = []
        for _ in range(REPEATS):
            started = time.perf_counter()
            filing_versions(facts)
            standardize_times.append(time.perf_counter() - started)
    copy_rate = facts.height / min(copy_times)
    load_rate = facts.height / min(load_times)
    ten_million_s = min(standardize_times) * 10_000_000 / facts.height
    return [
        Figure("plain CSV COPY of the facts into an unindexed table", copy_rate, "facts/s", "baseline", True,
               f"{facts.height:,} facts, {COMPANIES} companies"),
        Figure("companyfacts.zip -> fundamentals.sec_facts end to end", load_rate, "facts/s",
               f">= {TARGET_FACTS_PER_S:,}", load_rate >= TARGET_FACTS_PER_S,
               f"{load_rate / copy_rate:.2f}x plain COPY; zip read, JSON parse, key check, per-company replace"),
        Figure("standardizing 10 M facts (extrapolated)", ten_million_s, "s", f"<= {TARGET_STANDARDIZE_S:.0f}",
               ten_million_s <= TARGET_STANDARDIZE_S,
               f"{min(standardize_times):.2f} s for {facts.height:,} facts, in one frame"),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
