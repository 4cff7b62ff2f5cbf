"""Muni drop-folder bench: PDF extraction speed on the real state reports (target >= 50 pages/s on one core),
extraction accuracy on the real reports against their hand-read truth (`lib/muni/real_reports.py`, the table the
tests check too) and on generated reports (every stated field exact, no value where none is stated),
the same reports through the service's child-process timeout guard, and 10,000 issuers scored through the
service (newest stored model -> book -> SHAP scores -> PostgreSQL -> Redis; target < 5 s).

`muni_model` already times training and the bare `score()` call; this measures what the assets run around them.
Run: ``python -m investing_assets.bench.muni_extraction``.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from investing_assets import settings
from investing_assets.bench import Figure, skipped
from investing_assets.bench.muni_model import SCORE_ISSUERS, SCORE_SECONDS_TARGET
from investing_assets.bench.servers import bench_database, spare_redis
from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.muni.extract import extract
from investing_assets.lib.muni.real_reports import ACFR_RELATIVE, REPORTS, accuracy
from investing_assets.lib.services import muni
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.names import MUNI_RISK_SCORES
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.muni_reports import generate_issuer, write_document

ACFR_DIR = settings.PROJECT_ROOT.joinpath(*ACFR_RELATIVE).resolve()
PAGES_PER_SECOND_TARGET = 50.0
SYNTHETIC_DOCUMENTS, SYNTHETIC_SEED = 60, 7


def bench() -> list[Figure]:
    reports = [ACFR_DIR / f"{name}.pdf" for name in sorted(REPORTS) if (ACFR_DIR / f"{name}.pdf").is_file()]
    with bench_database() as (pg_url, server_redis), spare_redis(server_redis) as redis_url:  # no live cache touched
        warehouse = Warehouse(pg_url)
        figures = _extraction(reports, warehouse) if reports else _skipped()
        figures.append(synthetic_accuracy())
        figures.append(_scoring(warehouse, HotCache(redis_url)))
    return figures


def _skipped() -> list[Figure]:
    why = f"none of the {len(REPORTS)} real reports in {ACFR_DIR}"
    return [skipped("muni_extraction.real_fields_exact", "of stated", "= 1.000 and no spurious value", why),
            skipped("muni_extraction.pages_per_second_one_core", "pages/s", f">= {PAGES_PER_SECOND_TARGET:.0f}", why),
            skipped("muni_extraction.pages_per_second_through_service", "pages/s",
                    f">= {PAGES_PER_SECOND_TARGET:.0f}", why)]


def real_accuracy(extractions: dict) -> Figure:
    """Fields exact (value and page) of the fields the hand-read truth says each real report states."""
    scored = accuracy(extractions)
    missed = "; ".join(f"{name}: {', '.join(sorted(metrics))}" for name, metrics in scored.wrong.items())
    absent = len(REPORTS) - len(extractions)
    return Figure("muni_extraction.real_fields_exact", scored.share, "of stated", "= 1.000 and no spurious value",
                  scored.exact == scored.stated and scored.spurious == 0,
                  f"{scored.exact} of {scored.stated} stated fields exact over {len(extractions)} real reports"
                  + (f" ({absent} absent)" if absent else "")
                  + f", {scored.spurious} value(s) where the report states none" + (f"; wrong: {missed}" if missed else ""))


def synthetic_accuracy(documents: int = SYNTHETIC_DOCUMENTS) -> Figure:
    """Fields exact of fields stated, and nulls kept null, over generated reports of every layout."""
    exact = stated = spurious = 0
    with tempfile.TemporaryDirectory() as scratch:
        for number in range(documents):
            issuer = generate_issuer(SYNTHETIC_SEED, number)
            path = Path(scratch) / f"sample_{number}.pdf"
            truth = write_document(issuer, path, issuer.layout)
            got = extract(path)
            for metric, expected in truth.items():
                value = got.values[metric]
                if expected is None:
                    spurious += value is not None
                else:
                    stated += 1
                    exact += value is not None and value.value == expected
    share = exact / stated
    return Figure("muni_extraction.synthetic_fields_exact", share, "of stated", "= 1.000 and no spurious value",
                  share == 1.0 and spurious == 0,
                  f"{exact} of {stated} stated fields exact over {documents} generated reports, "
                  f"{spurious} value(s) where the report states none")


def _extraction(reports: list[Path], warehouse: Warehouse) -> list[Figure]:
    pages, extractions = 0, {}
    cpu_started, wall_started = time.process_time(), time.perf_counter()
    for path in reports:
        extractions[path.stem] = got = extract(path)
        pages += got.pages
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
        real_accuracy(extractions),
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
