"""Process the drop folder now, in this process, as Dagster runs: for `make demo` and machines without a daemon.

The same plan the sensor makes (with no settle wait: the caller vouches the files are complete), the same
partitions and run tags, each document one run recorded in the instance, so the UI shows them like sensor runs.
"""

import time

import dagster as dg

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.assets import muni_document
from investing_assets.defs.fixed_income.sensors import known_digests, report, run_request


def ingest_now(defs: dg.Definitions, instance: dg.DagsterInstance, log) -> tuple[int, int]:
    """Returns (documents run, runs that failed)."""
    folder = _drop_folder(defs)
    plan = folder.plan({}, now=time.time(), known_digests=known_digests(instance, folder), settle_seconds=0)
    report(log, folder, plan)
    if not plan.new:
        return 0, 0
    instance.add_dynamic_partitions(muni_document.name, [c.key for c in plan.new])
    job = defs.resolve_job_def(jobs.muni_document_extraction.name)
    failed = 0
    for candidate in plan.new:
        request = run_request(candidate)
        result = job.execute_in_process(instance=instance, partition_key=request.partition_key,
                                        tags=request.tags, raise_on_error=False)
        failed += not result.success
    return len(plan.new), failed


def _drop_folder(defs: dg.Definitions):
    resource = defs.resources["muni_drop"]
    return resource.get()
