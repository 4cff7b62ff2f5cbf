"""The drop-folder sensor: watch the muni drop folder and give each new, completely written PDF its own run.

The sensor only registers files (a partition + a run keyed by the partition key, so a re-drop of the same
content starts nothing); every content check happens in the run, whose metadata then shows why a file was
quarantined. Links are refused here, before anything reads them.
"""

import json
import logging
import time

import dagster as dg

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.assets import PATH_TAG, SHA_TAG
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.defs.shared.run_health import live_runs
from investing_assets.lib.muni.drop_folder import Candidate, DropFolder, TickPlan, digest_of

SENSOR_INTERVAL_S = 30


@dg.sensor(name="muni_drop_folder", job=jobs.muni_document_extraction, minimum_interval_seconds=SENSOR_INTERVAL_S,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Each new, completely written PDF in the muni drop folder becomes a `muni_document` "
                       "partition and a run; the same content again starts nothing.")
def muni_drop_folder(context: dg.SensorEvaluationContext, muni_drop: DropFolderResource) -> dg.SensorResult:
    folder = muni_drop.get()
    plan = folder.plan(_load_cursor(context.cursor), now=time.time(),
                       known_digests=known_digests(context.instance, folder),
                       settle_seconds=muni_drop.settle_seconds)
    report(context.log, folder, plan)
    keys = [c.key for c in plan.new]
    cursor = json.dumps(plan.state, separators=(",", ":"))
    if not keys:
        return dg.SensorResult(skip_reason=plan.summary(), cursor=cursor)
    return dg.SensorResult(run_requests=[run_request(c) for c in plan.new], cursor=cursor,
                           dynamic_partitions_requests=[muni_document.build_add_request(keys)])


def run_request(candidate: Candidate, run_key: str | None = None) -> dg.RunRequest:
    return dg.RunRequest(run_key=run_key or candidate.key, partition_key=candidate.key,
                         tags={PATH_TAG: candidate.entry.rel, SHA_TAG: candidate.sha256})


def known_digests(instance: dg.DagsterInstance, folder: DropFolder) -> set[str]:
    """Content already registered (partitions) or already read (archive): both end with the content hash."""
    return {digest_of(key) for key in instance.get_dynamic_partitions(muni_document.name)} | folder.known_digests()


def partitions_to_run_again(instance: dg.DagsterInstance, folder: DropFolder) -> list[str]:
    """Registered documents to run again, none queued or running under any job (the UI materializes through the
    asset job): never materialized and not set aside (a run that crashed or was lost), or set aside for a
    timeout or a dead worker with attempts left. A quarantined document's run failed on purpose and would fail
    the same way, so it waits for a person. Only registered keys: a quarantine note can outlive its partition,
    and a run for that would fail the tick. A run whose process is gone is not in flight: it never ends."""
    registered = set(instance.get_dynamic_partitions(muni_document.name))
    runs = live_runs(instance)
    idle = registered - {run.tags.get("dagster/partition") for run in runs}
    done = set(instance.get_materialized_partitions(keys.MUNI_DOCUMENTS))
    return sorted((idle - done - set(folder.set_aside())) | (idle & set(folder.retryable())))


def report(log: logging.Logger | dg.DagsterLogManager, folder: DropFolder, plan: TickPlan) -> None:
    """Say what happened to every file that needs a word, and move refused links aside."""
    for refusal in plan.refused:
        try:
            record = folder.refuse(refusal)
        except OSError as exc:  # cannot even move it: say so every tick, but keep watching the rest
            log.error(f"refused {refusal.rel} ({refusal.reason}) but could not move it aside: {exc}")
            continue
        where = f"; moved to {record.file}, reason in {record.reason_file.name}" if record else ""
        log.warning(f"refused {refusal.rel} ({refusal.reason}): {refusal.message}{where}")
    for candidate in plan.duplicates:
        log.info(f"{candidate.entry.rel}: same content as document {candidate.key} already registered; nothing "
                 "to do")
    for candidate in plan.new:
        log.info(f"{candidate.entry.rel}: new document {candidate.key}")
    if plan.unsettled:
        log.info(f"still being written: {', '.join(e.rel for e in plan.unsettled[:10])}")


def _load_cursor(cursor: str | None) -> dict:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        return {}  # a damaged cursor only costs re-hashing: content already known still starts nothing
    return state if isinstance(state, dict) else {}
