"""Fundamentals cadences: after each weekday's close, estimates at 02:00 and the aggregates on them at 04:00."""

from __future__ import annotations

from investing_assets.defs.fundamentals.jobs import analyst_estimates_update, industry_aggregation_update
from investing_assets.defs.shared.schedules import session_schedule

SCHEDULES = [
    session_schedule("analyst_estimates_daily", analyst_estimates_update, "0 2 * * 2-6", previous=True,
                     description="02:00 after each weekday: the consensus as of the session that closed "
                                 "the evening before."),
    session_schedule("industry_aggregation_daily", industry_aggregation_update, "0 4 * * 2-6", previous=True,
                     description="04:00 after each weekday: aggregates of the session closed the evening "
                                 "before, after its estimates (02:00)."),
]
