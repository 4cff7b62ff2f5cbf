"""Which days a read may ask about: NYSE sessions that have closed, each refusal one line naming the day."""

from __future__ import annotations

import datetime as dt

from investing_assets.lib.core import calendar
from investing_assets.lib.services.reads.results import Refused


def check_session(day: dt.date, now: dt.datetime | None = None) -> dt.date:
    """`day` if it is an NYSE session that has closed by `now`; else Refused saying why."""
    if not calendar.EARLIEST_START <= day <= calendar.last_session():
        raise Refused(f"{day.isoformat()} is outside the NYSE calendar ({calendar.first_session().isoformat()} to "
                      f"{calendar.last_session().isoformat()})")
    if not calendar.is_session(day):
        raise Refused(f"{day.isoformat()} is not an NYSE session ({calendar.describe_day(day)}); "
                      f"{calendar.nearest_sessions(day)}")
    last = calendar.last_closed_session(now)
    if day > last:
        raise Refused(f"session {day.isoformat()} has not closed yet (the close is 16:00 America/New_York; the last "
                      f"closed session is {last.isoformat()})")
    return day
