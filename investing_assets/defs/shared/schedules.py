"""The schedule shape every area uses: a New York cron tick asks for one closed session and skips otherwise."""

from __future__ import annotations

import datetime as dt

import dagster as dg

from investing_assets.lib.core import calendar


def tick_day(context: dg.ScheduleEvaluationContext) -> dt.date:
    """The tick's date on the exchange's clock."""
    return calendar.in_new_york(context.scheduled_execution_time).date()


def session_schedule(name: str, job, cron: str, *, previous: bool = False,
                     description: str) -> dg.ScheduleDefinition:
    """A schedule that asks for the tick's session (or the one before it, for morning corrections)."""

    @dg.schedule(name=name, job=job, cron_schedule=cron, execution_timezone=calendar.TIMEZONE,
                 description=description)
    def _schedule(context: dg.ScheduleEvaluationContext):
        day = tick_day(context)
        if previous:
            target = calendar.last_session_on_or_before(day - dt.timedelta(days=1))
        elif calendar.is_session(day):
            target = day
        else:
            return dg.SkipReason(f"{day.isoformat()} is not an NYSE session")
        if target > calendar.last_closed_session(context.scheduled_execution_time):
            return dg.SkipReason(f"{target.isoformat()} has not closed yet (16:00 America/New_York)")
        key = target.isoformat()
        return dg.RunRequest(run_key=f"{name}:{key}", partition_key=key)

    return _schedule
