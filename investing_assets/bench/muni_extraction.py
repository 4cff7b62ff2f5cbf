"""Muni drop-folder bench: PDF extraction speed on the real state reports (target >= 50 pages/s on one core),
the same reports through the service's child-process timeout guard, and 10,000 issuers scored through the
service (newest stored model -> book -> SHAP scores -> PostgreSQL -> Redis; target < 5 s).

`muni_model` already times training and the bare `score()` call; this measures what the assets run around them.
Run: ``python -m investing_assets.bench.muni_extraction``.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import time
from pathlib import Path

from investing_assets import settings
from investing_assets.bench import Figure
from investing_assets.bench.muni_model import SCORE_ISSUERS, SCORE_SECONDS_TARGET
from investing_assets.bench.servers import bench_database
from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.muni.extract import extract
from investing_assets.lib.services import muni
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.names import MUNI_RISK_SCORES
from investing_assets.lib.storage.warehouse import Warehouse

ACFR_DIR = (settings.PROJECT_ROOT / ".." / "shared" / "data" / "muni_acfr").resolve()
PAGES_PER_SECOND_TARGET = 50.0


def bench() -> list[Figure]:
    reports = sorted(ACFR_DIR.glob("*.pdf")) if ACFR_DIR.is_dir() else []
    with bench_database() as (pg_url, redis_url):
        warehouse = Warehouse(pg_url)
        figures = _extraction(reports, warehouse) if reports else [_skipped()]
        figures.append(_scoring(warehouse, HotCache(redis_url)))
    return figures


def _skipped() -> Figure:
    return Figure("muni_extraction.pages_per_second_one_core", math.nan, "pages/s",
                  f">= {PAGES_PER_SECOND_TARGET:.0f}", True, f"skipped: no real reports in {ACFR_DIR}")


def _extraction(reports: list[Path], warehouse: Warehouse) -> list[Figure]:
    pages = 0
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for path in reports:
        pages += extract(path).pages
    cpu = time.process_time() - cpu_started
    wall = time.perf_counter() - wall_started
    rate = pages / cpu

    # the production path: a spawned child per document (timeout guard), archive move, one-transaction write
    with tempfile.TemporaryDirectory() as scratch:
        folder = DropFolder(Path(scratch) / "drop").ensure()
        started = time.perf_counter()
        for path in reports:
            copy = folder.root / path.name
            copy.write_bytes(path.read_bytes())
            outcome = muni.process_document(copy, warehouse, folder=folder)
            assert outcome.extracted, outcome.message
        guarded = time.perf_counter() - started
    names = ", ".join(p.stem for p in reports)
    return [
        Figure("muni_extraction.pages_per_second_one_core", rate, "pages/s", f">= {PAGES_PER_SECOND_TARGET:.0f}",
               rate >= PAGES_PER_SECOND_TARGET,
               f"{pages} pages of {names} in {cpu:.2f} s CPU ({wall:.2f} s wall), in-process extract()"),
        Figure("muni_extraction.pages_per_second_through_service", pages / guarded, "pages/s",
               f">= {PAGES_PER_SECOND_TARGET:.0f}", pages / guarded >= PAGES_PER_SECOND_TARGET,
               f"process_document: spawned child with timeout, archive, PostgreSQL write; {guarded:.2f} s wall "
               f"for {len(reports)} documents"),
    ]


def _scoring(warehouse: Warehouse, cache: HotCache) -> Figure:
    muni.train_model(warehouse, muni.PanelSpec(issuers=2_000, years=10))  # not timed: muni_model times training
    session = dt.date(2026, 11, 20)
    started = time.perf_counter()
    scores = muni.score_issuers(warehouse, cache, session, synthetic_issuers=SCORE_ISSUERS)
    seconds = time.perf_counter() - started
    stored = warehouse.count(MUNI_RISK_SCORES, {"session": [session]})
    assert stored == SCORE_ISSUERS + scores.documents, stored
    return Figure("muni_extraction.score_10k_issuers_through_service", seconds, "s",
                  f"< {SCORE_SECONDS_TARGET:.0f} s", seconds < SCORE_SECONDS_TARGET,
                  f"{stored:,} issuers: newest model from muni.models, synthetic book, SHAP drivers, "
                  f"replace_rows into muni.risk_scores, Redis publish ({scores.cached=})")


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
