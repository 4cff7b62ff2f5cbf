"""The seed's market cadences, in New York time. Each tick targets one session and skips non-sessions."""


import datetime as dt

import dagster as dg

from investing_assets.lib.core import calendar

TZ = calendar.TIMEZONE


def session_schedule(name: str, job, cron: str, *, previous: bool = False,
                     description: str) -> dg.ScheduleDefinition:
    """A schedule that asks for the tick's session (or the one before it, for morning corrections)."""

    @dg.schedule(name=name, job=job, cron_schedule=cron, execution_timezone=TZ, description=description)
    def _schedule(context: dg.ScheduleEvaluationContext):
        day = calendar.in_new_york(context.scheduled_execution_time).date()
        if previous:
            target = calendar.last_session_on_or_before(day - dt.timedelta(days=1))
        elif calendar.is_session(day):
            target = day
        else:
            return dg.SkipReason(f"{day.isoformat()} is not an NYSE session")
        key = target.isoformat()
        return dg.RunRequest(run_key=f"{name}:{key}", partition_key=key)

    return _schedule


def build_schedules() -> list[dg.ScheduleDefinition]:
    from investing_assets.defs.market import jobs

    return [
        session_schedule("pricing_updates_morning", jobs.pricing_updates, "0 10 * * *", previous=True,
                         description="10:00: the previous session again, picking up vendor corrections."),
        session_schedule("pricing_updates_close", jobs.pricing_updates, "30 16 * * *",
                         description="16:30: today's closing bars and indicators."),
        session_schedule("commodities_crypto_midday", jobs.commodities_crypto, "0 11 * * 1-5", previous=True,
                         description="11:00 weekdays: the previous session's commodity and crypto closes."),
        session_schedule("commodities_crypto_close", jobs.commodities_crypto, "15 16 * * 1-5",
                         description="16:15 weekdays: today's commodity and crypto quotes."),
        session_schedule("etf_index_quotes_close", jobs.etf_index_quotes, "30 16 * * *",
                         description="16:30: ETF and index quotes with constituents."),
    ]
