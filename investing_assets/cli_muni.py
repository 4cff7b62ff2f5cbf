"""`investing muni ...`: read and score one report without Dagster, and make sample reports for the drop folder."""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from investing_assets import settings
from investing_assets.lib.muni.pdf_extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_PAGES, DocumentRejected
from investing_assets.lib.storage.warehouse import Warehouse

DEMO_SAMPLES = 36


def register(subparsers: argparse._SubParsersAction) -> None:
    muni = subparsers.add_parser("muni", help="municipal reports: score one PDF, make sample reports")
    muni_sub = muni.add_subparsers()

    score = muni_sub.add_parser("score", help="extracted metrics with their pages, and the risk score")
    score.add_argument("pdf", type=Path)
    score.add_argument("--timeout", type=float, default=120.0, help="seconds before a stuck parser is stopped")
    score.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES)
    score.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES)
    score.set_defaults(func=cmd_score)

    samples = muni_sub.add_parser("samples", help="write synthetic reports into the drop folder")
    samples.add_argument("--count", type=int, default=DEMO_SAMPLES)
    samples.add_argument("--folder", type=Path, default=None, help="default: the drop folder (INVESTING_MUNI_DROP)")
    samples.add_argument("--seed", type=int, default=7)
    samples.set_defaults(func=cmd_samples)

    ingest = muni_sub.add_parser("ingest", help="read every new report in the drop folder now, as Dagster runs")
    ingest.set_defaults(func=cmd_ingest)


def cmd_score(args: argparse.Namespace) -> int:
    from investing_assets.lib.services.muni import score_document

    warehouse = Warehouse(settings.pg_url()) if settings.pg_url() else None
    try:
        result = score_document(args.pdf, warehouse, timeout_s=args.timeout, max_bytes=args.max_bytes,
                                max_pages=args.max_pages)
    except DocumentRejected as rejected:
        print(f"{args.pdf}: not readable ({rejected.reason}): {rejected.message}", file=sys.stderr)
        return 2
    ex = result.extraction
    print(f"File:             {args.pdf} ({ex.pages} pages)")
    print(f"Issuer:           {ex.issuer or '(not found)'}")
    print(f"Fiscal year end:  {ex.fiscal_year_end or '(not found)'}")
    print(f"Scale:            x{ex.scale:,}, as printed: {ex.scale_text or '(none: whole dollars)'}")
    print()
    print(f"  {'metric':<28} {'value':>20} {'page':>5} {'conf.':>6}  line")
    for metric, value in ex.values.items():
        if value is None:
            print(f"  {metric:<28} {'not stated':>20}")
        else:
            print(f"  {metric:<28} {value.value:>20,.0f} {value.page:>5} {value.confidence:>6.2f}  {value.line[:70]}")
    funded = f"{ex.funded_ratio:.1%}" if ex.funded_ratio is not None else "not stated"
    print(f"  {'pension funded ratio':<28} {funded:>20}")
    print()
    print(f"Risk: {result.probability:.2%} probability of distress within 3 years -> bucket {result.bucket}")
    print(f"      top drivers: {', '.join(result.drivers)}")
    print(f"      model {result.model_version}: {result.model_origin}")
    return 0


def cmd_samples(args: argparse.Namespace) -> int:
    folder = _drop_folder(args.folder)
    written = write_samples(folder, args.count, args.seed)
    print(f"wrote {len(written)} sample report(s) into {folder.root}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """Needs DAGSTER_HOME and the server URLs (`. .investing/env.sh`), like `dagster asset materialize`."""
    import logging

    import dagster as dg

    from investing_assets.definitions import defs
    from investing_assets.defs.fixed_income.ingest import ingest_now

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with dg.DagsterInstance.get() as instance:
        ran, failed = ingest_now(defs, instance, logging.getLogger("muni.ingest"))
    print(f"read {ran} new report(s) from the drop folder; {failed} run(s) failed")
    return 1 if failed else 0


def write_samples(folder, count: int, seed: int = 7) -> list[Path]:
    """Generate in a hidden folder beside the inbox, then move each finished file in: never half-written."""
    from investing_assets.lib.synthetic.muni_reports import generate_documents

    with tempfile.TemporaryDirectory(prefix=".samples-", dir=folder.root) as scratch:
        return [folder.drop(path) for path in generate_documents(scratch, count, seed=seed)]


def demo(env: dict[str, str], end: dt.date, materialize: Callable[..., None]) -> None:
    """The demo's muni step: sample reports for the sensor, this month's model and the day's scores."""
    folder = _drop_folder(None)
    written = write_samples(folder, DEMO_SAMPLES)
    print(f"\n== muni: {len(written)} sample reports in {folder.root} (read now, one run each; "
          "later drops are picked up by the sensor under `make dev`), the month's risk model, the day's "
          "scores ==", flush=True)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "investing_assets.cli", "muni", "ingest"], env=env,
                            cwd=settings.PROJECT_ROOT, capture_output=True, text=True)
    if result.returncode != 0:  # the run logs only matter when something failed
        sys.stderr.write(result.stdout[-3000:] + result.stderr[-6000:])
        raise SystemExit("reading the sample reports failed")
    print(f"   {len(written)} reports extracted as Dagster runs in {time.perf_counter() - started:.1f} s", flush=True)
    materialize(["muni_risk_model"], end.replace(day=1), end.replace(day=1), env)
    materialize(["muni_risk_scores"], end, end, env)


def _drop_folder(path: Path | None):
    from investing_assets.lib.muni.drop_folder import DropFolder

    if path is not None:
        return DropFolder(path).ensure()
    # the same settings the Dagster resource reads, so samples land where the sensor looks
    from investing_assets.defs.fixed_income.resources import build_drop_folder_resource

    return build_drop_folder_resource().get()
