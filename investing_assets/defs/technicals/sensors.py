"""Indicators follow the bars: when `pricing_updates` succeeds for a session, its indicators run next.

The bars belong to the market area and the indicators to this one, so they are two jobs; a run-status sensor
(not a second schedule a few minutes later) makes the order hold however long the bars take.
"""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.market.jobs import pricing_updates
from investing_assets.defs.technicals.jobs import indicator_updates

PARTITION_TAG = "dagster/partition"
RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")


@dg.run_status_sensor(name="indicators_after_pricing", run_status=dg.DagsterRunStatus.SUCCESS,
                      monitored_jobs=[pricing_updates], request_job=indicator_updates,
                      default_status=dg.DefaultSensorStatus.RUNNING,
                      description="Each successful `pricing_updates` run launches `indicator_updates` for the "
                                  "same session (or range).")
def indicators_after_pricing(context: dg.RunStatusSensorContext):
    tags = context.dagster_run.tags
    run_key = f"indicators_after:{context.dagster_run.run_id}"
    if PARTITION_TAG in tags:
        return dg.RunRequest(run_key=run_key, partition_key=tags[PARTITION_TAG])
    if all(tag in tags for tag in RANGE_TAGS):
        return dg.RunRequest(run_key=run_key, tags={tag: tags[tag] for tag in RANGE_TAGS})
    return dg.SkipReason(f"run {context.dagster_run.run_id} names no session")
