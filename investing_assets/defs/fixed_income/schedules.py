"""Fixed-income cadences, in New York time: the monthly model, the 4-hourly drop-folder sweep, daily scores."""

import time

import dagster as dg

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.fixed_income.sensors import (
    in_flight,
    known_keys,
    partitions_to_run_again,
    report,
    run_requests,
)
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.defs.shared.schedules import session_schedule
from investing_assets.lib.core import calendar

TZ = calendar.TIMEZONE


@dg.schedule(name="monthly_muni_risk_refresh", job=jobs.monthly_muni_risk_refresh, cron_schedule="0 0 10 * *",
             execution_timezone=TZ, description="10th of each month, 00:00: a new model version for the month.")
def monthly_muni_risk_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    month = calendar.in_new_york(context.scheduled_execution_time).date().replace(day=1).isoformat()
    return dg.RunRequest(run_key=f"monthly_muni_risk_refresh:{month}", partition_key=month)


@dg.schedule(name="muni_local_agent", job=jobs.muni_document_extraction, cron_schedule="0 */4 * * *",
             execution_timezone=TZ,
             description="Every 4 hours: register settled PDFs the sensor missed (e.g. while it was stopped), "
                         "re-run registered documents whose run failed or was lost, and read again documents "
                         "set aside for a timeout or a dead worker (3 attempts in all).")
def muni_local_agent(context: dg.ScheduleEvaluationContext, muni_drop: DropFolderResource):
    folder = muni_drop.get()
    instance = context.instance
    # no observations here: only files unchanged for the settle window count as completely written
    plan = folder.plan({}, now=time.time(), known_keys=known_keys(instance, folder),
                       settle_seconds=muni_drop.settle_seconds)
    report(context.log, folder, plan)
    fresh = [c.key for c in plan.new if not c.again]
    if fresh:  # a schedule cannot return partition requests the way a sensor does
        instance.add_dynamic_partitions(muni_document.name, fresh)
    tick = calendar.in_new_york(context.scheduled_execution_time).isoformat(timespec="minutes")
    busy = in_flight(instance)  # e.g. a lost document's bytes the sensor already sent to a run
    requests = run_requests([c for c in plan.new if c.key not in busy], key_suffix=f"@{tick}")
    new = {c.key for c in plan.new}
    again = [key for key in partitions_to_run_again(instance, folder) if key not in new]
    requests += [dg.RunRequest(run_key=f"{key}@{tick}", partition_key=key) for key in again]
    return requests or dg.SkipReason(f"nothing missed: {plan.summary()}")


SCHEDULES = [
    monthly_muni_risk_refresh,
    muni_local_agent,
    session_schedule("daily_bond_risk", jobs.daily_bond_risk, "0 12 * * *", previous=True,
                     description="12:00: score every issuer for the last closed session with the newest model."),
]
