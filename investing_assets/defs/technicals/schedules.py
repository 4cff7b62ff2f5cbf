"""The seed's 01:00 daily market scan, and the watchlist grid's daily run (one run per day's symbols)."""

import dagster as dg

from investing_assets.defs.market.schedules import session_schedule
from investing_assets.defs.shared.partitions import trading_day, watchlist, watchlist_grid
from investing_assets.lib.core import calendar

daily_market_scan = dg.define_asset_job(
    "daily_market_scan", selection=["candlestick_patterns", "chart_patterns", "technical_events", "scan_results",
                                    "correlations"],
    partitions_def=trading_day,
    description="Scan the last session: patterns, events, ranked discoveries, correlations.",
)
watchlist_reports = dg.define_asset_job("watchlist_reports", selection=["watchlist_report"],
                                        partitions_def=watchlist_grid)


@dg.schedule(name="watchlist_reports_close", job=watchlist_reports, cron_schedule="45 16 * * 1-5",
             execution_timezone=calendar.TIMEZONE,
             description="16:45 on sessions: every watchlist symbol's report for the day, as one run.")
def watchlist_reports_close(context: dg.ScheduleEvaluationContext):
    day = calendar.in_new_york(context.scheduled_execution_time).date()
    if not calendar.is_session(day):
        return dg.SkipReason(f"{day.isoformat()} is not an NYSE session")
    names = sorted(context.instance.get_dynamic_partitions(watchlist.name))
    if not names:
        return dg.SkipReason("the watchlist is empty: add symbols to the `watchlist` partitions")
    key = day.isoformat()
    return dg.RunRequest(run_key=f"watchlist:{key}", tags={
        "dagster/asset_partition_range_start": f"{key}|{names[0]}",
        "dagster/asset_partition_range_end": f"{key}|{names[-1]}",
    })


def build_schedules() -> list:
    return [
        session_schedule("daily_market_scan_0100", daily_market_scan, "0 1 * * *", previous=True,
                         description="01:00: scan the last session (patterns, events, discoveries, correlations)."),
        watchlist_reports_close,
    ]

