"""NYSE sessions from exchange-calendars: the one place that knows which days are trading days.

The calendar covers XNYS from EARLIEST_START (the oldest NYSE holidays exchange-calendars models) to about a
year past today, so `INVESTING_START` can be any of those dates. Building the whole range costs about 0.35 s
more than the sessions since CALENDAR_START (measured: 0.21 s for 2010 on, 0.39 s more for 1885-2009), so the
older part is built only when something asks about a date before CALENDAR_START.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from functools import lru_cache
from zoneinfo import ZoneInfo

import exchange_calendars as xcals

EXCHANGE = "XNYS"
TIMEZONE = "America/New_York"
# Row 0 of `all_sessions()` / `session_index()`: the demo history's first session, fixed so the demo's rows
# never depend on a setting. Sessions before it are sessions all the same (`is_session`, `sessions_between`...).
CALENDAR_START = dt.date(2010, 1, 4)
EARLIEST_START = dt.date(1885, 1, 1)


NEW_YORK = ZoneInfo(TIMEZONE)


def in_new_york(when: dt.datetime | None = None) -> dt.datetime:
    """`when` (default: now) as New York wall time: schedules and "today" are the exchange's, not UTC's."""
    return (when or dt.datetime.now(dt.UTC)).astimezone(NEW_YORK)


def _sessions_of(start: dt.date, end: dt.date | None = None) -> tuple[dt.date, ...]:
    calendar = xcals.get_calendar(EXCHANGE, start=start.isoformat(), end=end.isoformat() if end else None)
    return tuple(ts.date() for ts in calendar.sessions)


@lru_cache(maxsize=1)
def all_sessions() -> tuple[dt.date, ...]:
    """The indexed sessions, CALENDAR_START to the calendar's end (about a year past today)."""
    return _sessions_of(CALENDAR_START)


@lru_cache(maxsize=1)
def _every_session() -> tuple[dt.date, ...]:
    """EARLIEST_START to the calendar's end: built on the first question about a date before CALENDAR_START."""
    return _sessions_of(EARLIEST_START, CALENDAR_START - dt.timedelta(days=1)) + all_sessions()


def _days(reaching: dt.date) -> tuple[dt.date, ...]:
    """The cheapest session tuple that holds `reaching` (or everything before it, when it is earlier)."""
    return all_sessions() if reaching >= CALENDAR_START else _every_session()


@lru_cache(maxsize=1)
def _index() -> dict[dt.date, int]:
    return {d: i for i, d in enumerate(all_sessions())}


def first_session() -> dt.date:
    """The oldest session the calendar knows."""
    return _every_session()[0]


def last_session() -> dt.date:
    """The newest session the calendar knows (about a year past today)."""
    return all_sessions()[-1]


def is_session(day: dt.date) -> bool:
    if day >= CALENDAR_START:
        return day in _index()
    days = _every_session()
    at = bisect_left(days, day)
    return at < len(days) and days[at] == day


def session_index(day: dt.date) -> int:
    """Row of a session since CALENDAR_START; raises for a non-session (or an earlier one) so callers never
    guess."""
    try:
        return _index()[day]
    except KeyError:
        if day < CALENDAR_START and is_session(day):
            raise ValueError(f"{day.isoformat()} is before {CALENDAR_START.isoformat()}, where session "
                             "rows start") from None
        raise ValueError(f"{day.isoformat()} is not an NYSE session") from None


def ordinals(days: list[dt.date]) -> list[int]:
    """Positions of sessions in one numbering, for counting the sessions between them (a difference of 1 is
    consecutive); the numbering itself means nothing across calls. Raises for a non-session."""
    table = _days(min(days)) if days else all_sessions()
    out = []
    for day in days:
        at = bisect_left(table, day)
        if at == len(table) or table[at] != day:
            raise ValueError(f"{day.isoformat()} is not an NYSE session")
        out.append(at)
    return out


def sessions_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Sessions with start <= session <= end."""
    days = _days(start)
    return list(days[bisect_left(days, start) : bisect_right(days, end)])


def sessions_ending(end: dt.date, count: int) -> list[dt.date]:
    """The `count` sessions up to and including `end` (or the last session before it); fewer when the
    calendar starts inside them."""
    days = _days(end)
    stop = bisect_right(days, end)
    if stop < count and days is all_sessions():
        days = _every_session()
        stop = bisect_right(days, end)
    return list(days[max(0, stop - count) : stop])


def sessions_starting(start: dt.date, count: int) -> list[dt.date]:
    """The `count` sessions from `start` (or the first session after it) on; fewer at the calendar's end."""
    days = _days(start)
    at = bisect_left(days, start)
    return list(days[at : at + count])


def last_session_on_or_before(day: dt.date) -> dt.date:
    found = sessions_ending(day, 1)
    if not found:
        raise ValueError(f"no NYSE session on or before {day.isoformat()}")
    return found[0]


def first_session_on_or_after(day: dt.date) -> dt.date:
    found = sessions_starting(day, 1)
    if not found:
        raise ValueError(f"no NYSE session on or after {day.isoformat()} (the calendar ends "
                         f"{last_session().isoformat()})")
    return found[0]


def nearest_sessions(day: dt.date) -> str:
    """'the nearest sessions are X and Y' for a day that is not one: what a refusal names."""
    before = sessions_ending(day - dt.timedelta(days=1), 1)
    after = sessions_starting(day + dt.timedelta(days=1), 1)
    named = [f"{d.isoformat()} ({d.strftime('%a')})" for d in before + after]
    return f"the nearest session{'s are' if len(named) > 1 else ' is'} {' and '.join(named)}"


def describe_day(day: dt.date) -> str:
    """Why a date is not a session, in words: 'a Saturday', 'an NYSE holiday (Thursday)'."""
    return f"a {day.strftime('%A')}" if day.weekday() >= 5 else f"an NYSE holiday ({day.strftime('%A')})"


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
