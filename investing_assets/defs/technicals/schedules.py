"""The 01:00 daily market scan, and the watchlist grid's daily run (one run per day's symbols)."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared.partitions import watchlist
from investing_assets.defs.shared.schedules import session_schedule, tick_day
from investing_assets.defs.technicals.jobs import daily_market_scan, watchlist_reports
from investing_assets.lib.core import calendar


@dg.schedule(name="watchlist_reports_close", job=watchlist_reports, cron_schedule="45 16 * * 1-5",
             execution_timezone=calendar.TIMEZONE,
             description="16:45 on sessions: every watchlist symbol's report for the day, as one run.")
def watchlist_reports_close(context: dg.ScheduleEvaluationContext):
    day = tick_day(context)
    if not calendar.is_session(day):
        return dg.SkipReason(f"{day.isoformat()} is not an NYSE session")
    symbols = sorted(context.instance.get_dynamic_partitions(watchlist.name))
    if not symbols:
        return dg.SkipReason("the watchlist is empty: add symbols to the `watchlist` partitions")
    key = day.isoformat()
    return dg.RunRequest(run_key=f"watchlist:{key}", tags={
        "dagster/asset_partition_range_start": f"{key}|{symbols[0]}",
        "dagster/asset_partition_range_end": f"{key}|{symbols[-1]}",
    })


SCHEDULES = [
    session_schedule("daily_market_scan_0100", daily_market_scan, "0 1 * * *", previous=True,
                     description="01:00: scan the last session (patterns, events, discoveries, correlations)."),
    watchlist_reports_close,
]
