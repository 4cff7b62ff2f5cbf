"""`investing muni score | samples | ingest`: read and score one report without Dagster, make sample reports for
the drop folder, and read the drop folder now as Dagster runs (for `make demo` and machines without a daemon)."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from investing_assets import settings
from investing_assets.cli.arguments import (
    existing_file,
    folder_path,
    non_negative_int,
    positive_float,
    positive_int,
)
from investing_assets.lib.core.muni_metrics import RATIO_METRICS
from investing_assets.lib.muni.coverage import MIN_FEATURES
from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.muni.extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    DocumentRejected,
)
from investing_assets.lib.services.muni import DEFAULT_TIMEOUT_S
from investing_assets.lib.storage.warehouse import Warehouse

DEMO_SAMPLES = 36

def register(sub: argparse._SubParsersAction) -> None:
    muni = sub.add_parser("muni", help="municipal reports: score one PDF, make sample reports")
    muni_sub = muni.add_subparsers()

    score = muni_sub.add_parser("score", help="extracted metrics with their pages, and the risk score")
    score.add_argument("pdf", type=existing_file)
    score.add_argument("--timeout", type=positive_float, default=DEFAULT_TIMEOUT_S,
                       help="seconds before a stuck parser is stopped")
    score.add_argument("--max-bytes", type=positive_int, default=DEFAULT_MAX_BYTES)
    score.add_argument("--max-pages", type=positive_int, default=DEFAULT_MAX_PAGES)
    score.add_argument("--max-memory-mb", type=non_negative_int, default=DEFAULT_MAX_MEMORY_MB,
                       help="memory the reading may take (0: no limit)")
    score.add_argument("--json", action="store_true",
                       help="print the whole result as JSON: values, pages, reasons, coverage, score")
    score.set_defaults(func=cmd_score)

    samples = muni_sub.add_parser("samples", help="write synthetic reports into the drop folder")
    samples.add_argument("--count", type=positive_int, default=DEMO_SAMPLES)
    samples.add_argument("--folder", type=folder_path, default=None, help="default: the drop folder (INVESTING_MUNI_DROP)")
    samples.add_argument("--seed", type=non_negative_int, default=7)
    samples.set_defaults(func=cmd_samples)

    ingest = muni_sub.add_parser("ingest", help="read every new report in the drop folder now, as Dagster runs")
    ingest.set_defaults(func=cmd_ingest)


def cmd_score(args: argparse.Namespace) -> int:
    from investing_assets.lib.services.muni import score_document

    warehouse, why = cli_warehouse()
    try:
        result = score_document(args.pdf, warehouse, timeout_s=args.timeout, max_bytes=args.max_bytes,
                                max_pages=args.max_pages, max_memory_mb=args.max_memory_mb, why_no_warehouse=why)
    except DocumentRejected as rejected:
        print(f"{args.pdf}: not readable ({rejected.reason}): {rejected.message}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"file": str(args.pdf), **result.to_dict()}, indent=2, default=str))
    else:
        _print_score(args.pdf, result)
    return 0


def cli_warehouse() -> tuple[Warehouse | None, str | None]:
    """Where the stored models are: INVESTING_PG_URL, else the embedded PostgreSQL under INVESTING_HOME when it
    exists (`make demo` and Dagster train into it); None and why when there is neither."""
    if settings.pg_url():
        return Warehouse(settings.pg_url()), None
    home = settings.home()
    if not (home / "pg" / "postmaster.pid").exists():
        return None, f"INVESTING_PG_URL unset and no embedded PostgreSQL running under {home}"
    from investing_assets.lib.storage import embedded

    try:
        return Warehouse(embedded.start_postgres(home)), None
    except Exception as exc:  # an embedded cluster that will not come up: score without it, and say why
        return None, f"INVESTING_PG_URL unset and the embedded PostgreSQL under {home} failed ({type(exc).__name__})"


def _print_score(pdf: Path, result) -> None:
    ex = result.extraction
    fye = ex.fiscal_year_end_source
    print(f"File:             {pdf} ({ex.pages} pages)")
    print(f"Issuer:           {ex.issuer or '(not found)'}")
    where = f" (page {fye.page}: {fye.line!r}, confidence {fye.confidence:.2f})" if fye else ""
    print(f"Fiscal year end:  {ex.fiscal_year_end or '(not found)'}{where}")
    print(f"Scale:            x{ex.scale:,}, as printed: {ex.scale_text or '(none: whole dollars)'}")
    print()
    print(f"  {'metric':<42} {'value':>20} {'page':>5} {'conf.':>6}  line / reason")
    for metric, value in ex.values.items():
        if value is None:
            gap = ex.missing.get(metric)
            reason = gap.reason.replace("_", " ") if gap else "not stated"
            candidate = f"  p. {gap.page}: {gap.candidate[:60]}" if gap and gap.candidate else ""
            print(f"  {metric:<42} {reason:>20}{candidate}")
        elif metric in RATIO_METRICS:
            print(f"  {metric:<42} {value.value:>20.1%} {value.page:>5} {value.confidence:>6.2f}  {value.line[:60]}")
        else:
            print(f"  {metric:<42} {value.value:>20,.0f} {value.page:>5} {value.confidence:>6.2f}  {value.line[:60]}")
    funded = f"{ex.funded_ratio:.1%}" if ex.funded_ratio is not None else "not stated"
    print(f"  {'pension funded ratio (GASB 68)':<42} {funded:>20}")
    print()
    cov = result.coverage
    print(f"Inputs: {len(cov.present)} of {len(cov.present) + len(cov.missing)} model features present "
          f"({', '.join(cov.present) or 'none'})")
    if cov.missing:
        print(f"        missing: {', '.join(cov.missing)}")
    if result.probability is None:
        print("Risk: not published (insufficient_inputs): below the minimum of the fund balance ratio and "
              f"{MIN_FEATURES} features")
        return
    print(f"Risk: {result.probability:.2%} probability of distress within 3 years -> bucket {result.bucket}")
    print(f"      coverage {cov.level}: {_level_quality(result.held_out_at_level)}")
    drivers = "; ".join(f"{d['feature']} = {_shown(d['value'])} ({d['direction']})" for d in result.drivers)
    print(f"      top drivers: {drivers}")
    print(f"      model {result.model_version}: {result.model_origin}")


def _level_quality(row: dict | None) -> str:
    """How well the model ranks and calibrates issuer-years with this many inputs, held out."""
    if not row or row.get("auc") is None:
        return "held-out quality at this level not measured by this model version"
    return (f"held-out AUC {row['auc']:.3f}, Brier {row['brier']:.4f} (base rate {row['base_rate_brier']:.4f}) "
            f"over {row['rows']:,} issuer-years with as many inputs")


def _shown(value: float | None) -> str:
    return "missing" if value is None else f"{value:,.4g}"


def cmd_samples(args: argparse.Namespace) -> int:
    folder = drop_folder(args.folder)
    written = write_samples(folder, args.count, args.seed)
    print(f"wrote {len(written)} sample report(s) into {folder.root}")
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    """The servers and the instance's home are set up first, as for `make demo`; the runs then read them."""
    from investing_assets.cli.common import environment, prepare_environment
    from investing_assets.launch.launcher import DaemonBusy, Launcher

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        with environment(prepare_environment()), Launcher.open("investing muni ingest") as launcher:
            ingested = ingest_now(launcher, logging.getLogger("muni.ingest"))
    except DaemonBusy as busy:
        print(f"investing muni ingest: {busy} (its sensor reads the drop folder by itself)", file=sys.stderr)
        return 1
    print(ingested.summary())
    return 1 if ingested.quarantined or ingested.failed else 0


@dataclass
class Ingested:
    """Each file's end, by its path in the drop folder: read, quarantined (its run failed on purpose, the
    reason beside it in the quarantine folder) or failed for another reason (see the run in the UI); or, with no
    run, a copy of a known document (moved to the duplicates folder) or refused (a link, a hidden name, too deep:
    quarantined with its reason)."""

    extracted: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    copies: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return len(self.extracted) + len(self.quarantined) + len(self.failed)

    def summary(self) -> str:
        line = (f"read {len(self.extracted)} of {self.ran} new report(s) from the drop folder; "
                f"{len(self.quarantined)} quarantined, {len(self.failed)} other run failure(s)")
        if self.copies:
            line += f"; {len(self.copies)} copy(ies) of known documents moved to the duplicates folder"
        if self.refused:
            line += f"; {len(self.refused)} refused (links, hidden names, too deep) and quarantined"
        return line


def ingest_now(launcher, log: logging.Logger) -> Ingested:
    """The plan the sensor makes (no settle wait: the caller vouches the files are complete), the same
    partitions and runs (one per document, or per batch when many arrive together), as if the sensor had
    launched them; then what the 4-hourly sweep would run again (documents whose run failed or whose process
    died). This process is the home's daemon meanwhile, so it also does the run monitor's part first: runs whose
    process is gone are marked failed."""
    from dagster import RunRequest

    from investing_assets.defs.fixed_income.jobs import muni_document_extraction
    from investing_assets.defs.fixed_income.sensors import (
        known_keys,
        partitions_to_run_again,
        report,
        run_documents,
        run_requests,
    )
    from investing_assets.defs.shared.partitions import muni_document
    from investing_assets.defs.shared.run_health import fail_zombies

    instance = launcher.instance
    for run_id in fail_zombies(instance):
        log.warning(f"run {run_id[:8]} had lost its process: marked failed")
    folder = drop_folder(None)
    plan = folder.plan({}, now=time.time(), known_keys=known_keys(instance, folder), settle_seconds=0)
    report(log, folder, plan)
    ingested = Ingested(copies=[c.entry.rel for c in plan.duplicates], refused=[r.rel for r in plan.refused])
    if plan.new:
        instance.add_dynamic_partitions(muni_document.name, [c.key for c in plan.new if not c.again])
    names = {c.key: c.entry.rel for c in plan.new}
    requests = run_requests(plan.new)
    requests += [RunRequest(partition_key=key) for key in partitions_to_run_again(instance, folder) if key not in names]
    for request in requests:
        launched = launcher.run_job(muni_document_extraction.name, request.partition_key, tags=request.tags)
        (run_id,) = launched.runs
        passed = launcher.check_outcomes(run_id, "extracted")
        documents = sorted(run_documents(instance.get_run_by_id(run_id)))
        for key in documents:
            read = passed.get(key, passed.get(None))  # a one-document run's check is the run's
            where = ingested.extracted if read else ingested.quarantined if read is False else ingested.failed
            where.append(names.get(key, key))
    return ingested


def write_samples(folder: DropFolder, count: int, seed: int = 7) -> list[Path]:
    """Generate in a hidden folder inside the inbox, moving each file in the moment it is written: never
    half-written in the inbox, and never left in the scratch folder long enough to settle there (a settled
    hidden file is quarantined as `hidden`)."""
    from investing_assets.lib.synthetic.muni_reports import iter_documents

    with tempfile.TemporaryDirectory(prefix=".samples-", dir=folder.root) as scratch:
        return [folder.drop(path) for path in iter_documents(scratch, count, seed=seed)]


def drop_folder(path: Path | None) -> DropFolder:
    """The given folder, or the one the sensor watches (the same settings the Dagster resource reads)."""
    if path is not None:
        return DropFolder(path).ensure()
    drop = settings.muni_drop()
    return DropFolder(drop.path, quarantine=drop.quarantine, archive=drop.archive).ensure()
