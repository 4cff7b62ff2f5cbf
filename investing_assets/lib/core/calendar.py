"""NYSE sessions from exchange-calendars: the one place that knows which days are trading days."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import exchange_calendars as xcals

EXCHANGE = "XNYS"
TIMEZONE = "America/New_York"
# Demo history and the calendar both start here so every default partition has a full indicator lookback.
CALENDAR_START = dt.date(2010, 1, 4)


NEW_YORK = ZoneInfo(TIMEZONE)


def in_new_york(when: dt.datetime | None = None) -> dt.datetime:
    """`when` (default: now) as New York wall time: schedules and "today" are the exchange's, not UTC's."""
    return (when or dt.datetime.now(dt.UTC)).astimezone(NEW_YORK)


@lru_cache(maxsize=1)
def _calendar() -> xcals.ExchangeCalendar:
    return xcals.get_calendar(EXCHANGE, start=CALENDAR_START.isoformat())


@lru_cache(maxsize=1)
def all_sessions() -> tuple[dt.date, ...]:
    """Every session the calendar knows (it runs about a year past today)."""
    return tuple(ts.date() for ts in _calendar().sessions)


@lru_cache(maxsize=1)
def _index() -> dict[dt.date, int]:
    return {d: i for i, d in enumerate(all_sessions())}


def is_session(day: dt.date) -> bool:
    return day in _index()


def session_index(day: dt.date) -> int:
    """Position of a session in the calendar; raises for a non-session so callers never guess."""
    try:
        return _index()[day]
    except KeyError:
        raise ValueError(f"{day.isoformat()} is not an NYSE session") from None


def sessions_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Sessions with start <= session <= end."""
    from bisect import bisect_left, bisect_right

    days = all_sessions()
    return list(days[bisect_left(days, start) : bisect_right(days, end)])


def sessions_ending(end: dt.date, count: int) -> list[dt.date]:
    """The `count` sessions up to and including `end` (or the last session before it)."""
    from bisect import bisect_right

    days = all_sessions()
    stop = bisect_right(days, end)
    return list(days[max(0, stop - count) : stop])


def last_session_on_or_before(day: dt.date) -> dt.date:
    found = sessions_ending(day, 1)
    if not found:
        raise ValueError(f"no NYSE session on or before {day.isoformat()}")
    return found[0]


def last_closed_session(now: dt.datetime | None = None) -> dt.date:
    """The newest session whose close (16:00 New York) has passed."""
    now = in_new_york(now)
    today = now.date()
    if is_session(today) and now.time() >= dt.time(16, 0):
        return today
    return last_session_on_or_before(today - dt.timedelta(days=1))


def require_closed(sessions: list[dt.date], now: dt.datetime | None = None) -> list[dt.date]:
    """The sessions, if every one has closed by `now`; a session still trading (or not begun) is refused by
    name, so nothing stores an intraday figure as the session's close."""
    last = last_closed_session(now)
    open_ = [d for d in sessions if d > last]
    if open_:
        raise SessionNotClosed(f"session {open_[0].isoformat()} has not closed yet (the close is 16:00 "
                               f"America/New_York; the last closed session is {last.isoformat()})")
    return sessions


class SessionNotClosed(ValueError):
    """A session asked for before its close."""


def holidays_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Weekdays that are not sessions: what Dagster's weekday partitions must exclude."""
    sessions = set(sessions_between(start, end))
    day, out = start, []
    while day <= end:
        if day.weekday() < 5 and day not in sessions:
            out.append(day)
        day += dt.timedelta(days=1)
    return out
