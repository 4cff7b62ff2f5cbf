"""Partition shapes, chosen by measured Dagster limits (about 40 ms of event writes per partition, and at most
~100k partitions per asset): universe-wide daily work is one partition per session, vectorized over all symbols;
only a bounded watchlist gets a date x symbol grid.

`trading_day` is weekday partitions minus NYSE holidays, so a holiday or weekend is never a partition and a
time-window mapping with a negative offset counts sessions, not calendar days.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from investing_assets import settings
from investing_assets.lib.core import calendar

TIMEZONE = calendar.TIMEZONE
DATE_FORMAT = "%Y-%m-%d"


def _trading_day(start: dt.date, end_offset: int = 1) -> dg.TimeWindowPartitionsDefinition:
    last = calendar.all_sessions()[-1]
    holidays = [dt.datetime.combine(day, dt.time()) for day in calendar.holidays_between(start, last)]
    # end_offset=1 makes today's session a partition, so the 16:30 run can write today's close.
    return dg.TimeWindowPartitionsDefinition(
        start=start.isoformat(),
        fmt=DATE_FORMAT,
        cron_schedule="0 0 * * 1-5",
        timezone=TIMEZONE,
        exclusions=holidays,
        end_offset=end_offset,
    )


trading_day = _trading_day(settings.trading_day_start())

# A date range is one run: assets read their lookback from the warehouse and write every session at once.
SINGLE_RUN = dg.BackfillPolicy.single_run()

symbol = dg.DynamicPartitionsDefinition(name="symbol")

# The analyst's deep-dive grid: a bounded watchlist (tens of symbols) over a recent window only.
watchlist = dg.DynamicPartitionsDefinition(name="watchlist")
watchlist_grid = dg.MultiPartitionsDefinition(
    {"date": _trading_day(settings.watchlist_start()), "symbol": watchlist}
)


# One per dropped report, added by the drop-folder sensor (key: file-name slug + short content hash).
muni_document = dg.DynamicPartitionsDefinition(name="muni_document")
# end_offset=1: the current month is a partition, so the 10th's refresh and an ad-hoc run train "this month".
muni_month = dg.MonthlyPartitionsDefinition(start_date="2025-01-01", timezone=TIMEZONE, end_offset=1)


def sessions_of(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The sessions a (possibly multi-partition, single-run) materialization covers; refuses any that has not
    closed, so today's partition holds the close, never a figure from before it."""
    key_range = context.partition_key_range
    start = dt.date.fromisoformat(key_range.start)
    end = dt.date.fromisoformat(key_range.end)
    try:
        return calendar.require_closed(calendar.sessions_between(start, end))
    except calendar.SessionNotClosed as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None


def lookback_mapping(sessions: int) -> dg.TimeWindowPartitionMapping:
    """A day depends on itself and the `sessions` before it: shown in the UI, read from the warehouse."""
    return dg.TimeWindowPartitionMapping(start_offset=-sessions, end_offset=0, allow_nonexistent_upstream_partitions=True)
