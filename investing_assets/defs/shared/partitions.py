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
from investing_assets.defs.shared import keys
from investing_assets.lib.core import calendar

TIMEZONE = calendar.TIMEZONE
DATE_FORMAT = "%Y-%m-%d"


def first_partition(start: dt.date) -> dt.date:
    """The first session on or after `start` (the `INVESTING_START` setting); a date the calendar does not
    cover is refused in one line when the definitions load."""
    if not calendar.EARLIEST_START <= start <= calendar.last_session():
        raise ValueError(f"INVESTING_START={start.isoformat()} is outside the NYSE calendar: use a date from "
                         f"{calendar.first_session().isoformat()} to {calendar.last_session().isoformat()}")
    return calendar.first_session_on_or_after(start)


def _trading_day(start: dt.date, end_offset: int = 1) -> dg.TimeWindowPartitionsDefinition:
    first = first_partition(start)
    holidays = [dt.datetime.combine(day, dt.time()) for day in calendar.holidays_between(first, calendar.last_session())]
    # end_offset=1 makes today's session a partition, so the 16:30 run can write today's close.
    return dg.TimeWindowPartitionsDefinition(
        start=first.isoformat(),
        fmt=DATE_FORMAT,
        cron_schedule="0 0 * * 1-5",
        timezone=TIMEZONE,
        exclusions=holidays,
        end_offset=end_offset,
    )


FIRST_SESSION = first_partition(settings.trading_day_start())
trading_day = _trading_day(FIRST_SESSION)

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


def _first_saturday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


# SEC EDGAR's weekly snapshot: a week runs Saturday 02:00 to Saturday 02:00 America/New_York (the partition is named
# by its first Saturday) and is ingested when it ends, by the Saturday 02:00 schedule; it holds what was filed by
# the Friday before (lib/services/sec_ingest).
sec_week = dg.WeeklyPartitionsDefinition(start_date=_first_saturday(FIRST_SESSION).isoformat(), day_offset=6,
                                         hour_offset=2, timezone=TIMEZONE, fmt=DATE_FORMAT)


def week_of(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    """(the week's partition date, the last day whose filings it holds: the Friday before it ends)."""
    window = context.partition_time_window
    return window.start.date(), window.end.date() - dt.timedelta(days=1)


def sessions_of(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The sessions a (possibly multi-partition, single-run) materialization covers; refuses a range outside
    the calendar (naming its first session) and any session that has not closed, so today's partition holds
    the close, never a figure from before it."""
    key_range = context.partition_key_range
    start = dt.date.fromisoformat(key_range.start)
    end = dt.date.fromisoformat(key_range.end)
    try:
        return calendar.require_closed(require_in_calendar(start, end))
    except (calendar.SessionNotClosed, OutsideCalendar) as exc:
        raise dg.Failure(description=str(exc), allow_retries=False) from None


class OutsideCalendar(ValueError):
    """A range that starts before the first partition or holds no session."""


def require_in_calendar(start: dt.date, end: dt.date, first: dt.date | None = None) -> list[dt.date]:
    """The sessions from `start` to `end`, if the range lies inside the partitions (from `first`, default
    INVESTING_START's first session); else one line naming the first valid session."""
    first = first or FIRST_SESSION
    if start < first:
        raise OutsideCalendar(f"{start.isoformat()} is before the calendar's first session {first.isoformat()} "
                              "(set INVESTING_START earlier to reach it)")
    sessions = calendar.sessions_between(start, end)
    if not sessions:
        raise OutsideCalendar(f"no NYSE session from {start.isoformat()} to {end.isoformat()} "
                              f"(the calendar runs {first.isoformat()} to {calendar.last_session().isoformat()})")
    return sessions


def lookback_mapping(sessions: int) -> dg.TimeWindowPartitionMapping:
    """A day depends on itself and the `sessions` before it: shown in the UI, read from the warehouse."""
    return dg.TimeWindowPartitionMapping(start_offset=-sessions, end_offset=0, allow_nonexistent_upstream_partitions=True)


def symbol_history_dep() -> dg.AssetDep:
    """`price_history` as an input of an asset that reads bars through `read_bars`: any symbol's history may fill
    the sessions daily_bars lacks in its window, so the dep covers every `symbol` partition."""
    return dg.AssetDep(keys.PRICE_HISTORY, partition_mapping=dg.AllPartitionMapping())
