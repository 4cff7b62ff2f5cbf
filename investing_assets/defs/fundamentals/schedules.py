"""Fundamentals cadences: after each weekday's close, estimates at 02:00 and the aggregates on them at 04:00;
the SEC EDGAR week on Saturdays at 02:00."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.fundamentals.jobs import (
    analyst_estimates_update,
    industry_aggregation_update,
    sec_weekly_ingest,
)
from investing_assets.defs.shared.schedules import session_schedule

SCHEDULES = [
    session_schedule("analyst_estimates_daily", analyst_estimates_update, "0 2 * * 2-6", previous=True,
                     description="02:00 after each weekday: the consensus as of the session that closed "
                                 "the evening before."),
    session_schedule("industry_aggregation_daily", industry_aggregation_update, "0 4 * * 2-6", previous=True,
                     description="04:00 after each weekday: aggregates of the session closed the evening "
                                 "before, after its estimates (02:00)."),
    dg.build_schedule_from_partitioned_job(
        sec_weekly_ingest, name="sec_weekly", hour_of_day=2, minute_of_hour=0, day_of_week=6,
        description="Saturday 02:00 America/New_York: the SEC EDGAR week that just ended (ticker map, filing "
                    "index, raw facts, standardized financials)."),
]
