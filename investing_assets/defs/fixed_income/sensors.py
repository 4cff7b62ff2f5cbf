"""The drop-folder sensor: watch the muni drop folder and give each new, completely written PDF its own partition
and a run (one run for up to BATCH_DOCUMENTS dropped together).

The sensor only registers files (a partition + a run keyed by the partition key); every content check happens
in the run, whose metadata then shows why a file was quarantined. What needs no reading is settled here, from
names and hashes: links are refused before anything reads them, hidden and too deep files are quarantined with
their reason, and a copy of a document already registered or read is moved to `<archive>/duplicates/` with a note
naming that document (the bytes of a document whose file was lost run it again instead).
"""

import json
import logging
import time
from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.assets import BATCH_DOCUMENTS, PATH_TAG, PATHS_TAG, SHA_TAG
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.defs.shared.run_health import live_runs
from investing_assets.lib.muni.drop_folder import Candidate, DropFolder, TickPlan

SENSOR_INTERVAL_S = 30
SINGLE_RUNS_UP_TO = 4  # dagster.yaml's max_concurrent_runs: a few documents each get a run and run side by side


@dg.sensor(name="muni_drop_folder", job=jobs.muni_document_extraction, minimum_interval_seconds=SENSOR_INTERVAL_S,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description="Each new, completely written PDF in the muni drop folder becomes a `muni_document` "
                       "partition and a run; the same content again starts nothing.")
def muni_drop_folder(context: dg.SensorEvaluationContext, muni_drop: DropFolderResource) -> dg.SensorResult:
    folder = muni_drop.get()
    plan = folder.plan(_load_cursor(context.cursor), now=time.time(),
                       known_keys=known_keys(context.instance, folder), settle_seconds=muni_drop.settle_seconds)
    report(context.log, folder, plan)
    cursor = json.dumps(plan.state, separators=(",", ":"))
    if not plan.new:
        return dg.SensorResult(skip_reason=plan.summary(), cursor=cursor)
    fresh = [c.key for c in plan.new if not c.again]
    return dg.SensorResult(run_requests=run_requests(plan.new), cursor=cursor,
                           dynamic_partitions_requests=[muni_document.build_add_request(fresh)] if fresh else [])


def run_requests(candidates: Sequence[Candidate], key_suffix: str = "") -> list[dg.RunRequest]:
    """A run per document when no more arrive than run at once, else runs of up to BATCH_DOCUMENTS (a run's
    process start costs more than reading a few documents). Only documents registered together (consecutive
    partitions, in the order they were added) share a run, as a partition range."""
    fresh = [c for c in candidates if not c.again]
    requests = [run_request(c, run_key=f"{c.key}@{c.entry.mtime_ns}{key_suffix}") for c in candidates if c.again]
    size = 1 if len(fresh) <= SINGLE_RUNS_UP_TO else BATCH_DOCUMENTS
    for start in range(0, len(fresh), size):
        batch = fresh[start:start + size]
        if len(batch) == 1:
            requests.append(run_request(batch[0], run_key=f"{batch[0].key}{key_suffix}"))
        else:
            requests.append(dg.RunRequest(run_key=f"{batch[0].key}..{batch[-1].key}{key_suffix}", tags={
                ASSET_PARTITION_RANGE_START_TAG: batch[0].key, ASSET_PARTITION_RANGE_END_TAG: batch[-1].key,
                PATHS_TAG: json.dumps({c.key: c.entry.rel for c in batch}, separators=(",", ":"))}))
    return requests


def run_documents(run: dg.DagsterRun) -> set[str]:
    """The documents a run reads: its partition, or each of a batch."""
    if PATHS_TAG in run.tags:
        return set(json.loads(run.tags[PATHS_TAG]))
    return {run.tags["dagster/partition"]} if "dagster/partition" in run.tags else set()


def run_request(candidate: Candidate, run_key: str | None = None) -> dg.RunRequest:
    """Keyed by the partition, so a document starts once; a lost document's bytes back again start it once more
    per drop (its file's mtime)."""
    default = f"{candidate.key}@{candidate.entry.mtime_ns}" if candidate.again else candidate.key
    return dg.RunRequest(run_key=run_key or default, partition_key=candidate.key,
                         tags={PATH_TAG: candidate.entry.rel, SHA_TAG: candidate.sha256})


def known_keys(instance: dg.DagsterInstance, folder: DropFolder) -> set[str]:
    """Documents already registered (partitions) or already read (archive); keys end with the content hash."""
    return set(instance.get_dynamic_partitions(muni_document.name)) | folder.known_keys()


def in_flight(instance: dg.DagsterInstance) -> set[str]:
    """Partitions with a run queued or running, under any job (the UI materializes through the asset job); a run
    whose process is gone is not among them: it never ends."""
    return {key for run in live_runs(instance) for key in run_documents(run)}


def partitions_to_run_again(instance: dg.DagsterInstance, folder: DropFolder) -> list[str]:
    """Registered documents to run again, none queued or running under any job (the UI materializes through the
    asset job): never materialized and not set aside (a run that crashed or was lost), or set aside for a
    timeout or a dead worker with attempts left. A quarantined document's run failed on purpose and would fail
    the same way, so it waits for a person. Only registered keys: a quarantine note can outlive its partition,
    and a run for that would fail the tick. A run whose process is gone is not in flight: it never ends."""
    registered = set(instance.get_dynamic_partitions(muni_document.name))
    idle = registered - in_flight(instance)
    done = set(instance.get_materialized_partitions(keys.MUNI_DOCUMENTS))
    return sorted((idle - done - set(folder.set_aside())) | (idle & set(folder.retryable())))


def report(log: logging.Logger | dg.DagsterLogManager, folder: DropFolder, plan: TickPlan) -> None:
    """Say what happened to every file that needs a word; move refused files (links, hidden, too deep) to the
    quarantine and copies of known documents to the duplicates folder, each with its note."""
    for refusal in plan.refused:
        try:
            record = folder.refuse(refusal)
        except OSError as exc:  # cannot even move it: say so every tick, but keep watching the rest
            log.error(f"refused {refusal.rel} ({refusal.reason}) but could not move it aside: {exc}")
            continue
        where = f"; moved to {record.file}, reason in {record.reason_file.name}" if record else ""
        log.warning(f"refused {refusal.rel} ({refusal.reason}): {refusal.message}{where}")
    for candidate in plan.duplicates:
        try:
            record = folder.keep_duplicate(candidate)
        except OSError as exc:  # the next tick tries again
            log.error(f"{candidate.entry.rel} is a copy of document {candidate.same_as} but could not be moved "
                      f"aside: {exc}")
            continue
        if record is not None:
            log.info(f"{candidate.entry.rel}: same content as document {candidate.same_as}; moved to "
                     f"{record.file}, note in {record.reason_file.name}")
    for candidate in plan.new:
        if candidate.again:
            log.info(f"{candidate.entry.rel}: the bytes of document {candidate.key}, whose file was lost; read "
                     "again from here")
        else:
            log.info(f"{candidate.entry.rel}: new document {candidate.key}")
    if plan.unsettled:
        log.info(f"still being written: {', '.join(e.rel for e in plan.unsettled[:10])}")


def _load_cursor(cursor: str | None) -> dict:
    try:
        state = json.loads(cursor) if cursor else {}
    except ValueError:
        return {}  # a damaged cursor only costs re-hashing: content already known still starts nothing
    return state if isinstance(state, dict) else {}
