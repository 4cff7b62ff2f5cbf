"""Which session a command works on: a date the user typed is checked against the calendar and refused in one
line (future, not a session, before INVESTING_START), and the default is the last closed session with data."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import psycopg

from investing_assets import settings
from investing_assets.lib.core import calendar

if TYPE_CHECKING:
    from investing_assets.lib.sources.protocol import BarSource

# The default asks the source for these recent sessions first (two weeks: a live source has them), then for
# the rest back to the first session (a folder of old exports).
_RECENT_SESSIONS = 10


def first_session() -> dt.date:
    """The calendar's first session: the first on or after INVESTING_START."""
    start = settings.trading_day_start()
    if not calendar.EARLIEST_START <= start <= calendar.last_session():
        raise SystemExit(f"INVESTING_START={start.isoformat()} is outside the NYSE calendar: use a date from "
                         f"{calendar.first_session().isoformat()} to {calendar.last_session().isoformat()}")
    return calendar.first_session_on_or_after(start)


def refusal(day: dt.date, now: dt.datetime | None = None) -> str | None:
    """Why `day` cannot be a command's session, in one line; None when it can."""
    last = calendar.last_closed_session(now)
    if day > last:
        return (f"{day.isoformat()} is in the future or still trading: the last closed session is "
                f"{last.isoformat()}")
    first = first_session()
    if day < first:
        return (f"{day.isoformat()} is before the calendar's first session {first.isoformat()} "
                "(set INVESTING_START earlier to reach it)")
    if not calendar.is_session(day):
        return f"{day.isoformat()} is not an NYSE session ({calendar.describe_day(day)}); " \
               f"{calendar.nearest_sessions(day)}"
    return None


def checked_session(command: str, day: dt.date) -> dt.date:
    """`day` if it is a closed session inside the calendar; else SystemExit with the reason."""
    reason = refusal(day)
    if reason:
        raise SystemExit(f"investing {command}: {reason}")
    return day


def checked_days(command: str, days: int, end: dt.date, option: str | None = None) -> int:
    """--days: no more sessions than the calendar holds up to `end` (`option` names what asked for them, when
    it is not `--days {days}` itself)."""
    available = len(calendar.sessions_between(first_session(), end))
    if days > available:
        raise SystemExit(f"investing {command}: {option or f'--days {days}'} reaches before the calendar's first "
                         f"session {first_session().isoformat()}: at most {available} sessions end on "
                         f"{end.isoformat()}")
    return days


def default_session(command: str, symbols: Sequence[str] | None) -> dt.date:
    """The last closed session with a bar of `symbols` (warehouse first, else the source), said on stderr."""
    from investing_assets.cli.common import market_sources

    last = calendar.last_closed_session()
    found, origin = _stored_session(symbols, last), "warehouse"
    if found is None:
        source = market_sources().bars()
        found = _source_session(source, symbols, last)
        origin = f"source {source.name}"
    if found is None:
        who = ", ".join(symbols) if symbols else "any symbol"
        raise SystemExit(f"investing {command}: no bars for {who} from {first_session().isoformat()} to the "
                         f"last closed session {last.isoformat()}")
    note = "" if found == last else f" (the last closed session {last.isoformat()} has none)"
    print(f"session {found.isoformat()}: the last closed session with data in the {origin}{note}", file=sys.stderr)
    return found


def _source_session(source: BarSource, symbols: Sequence[str] | None, last: dt.date) -> dt.date | None:
    """The newest session the source has a bar on: the recent sessions first, then the whole calendar."""
    first = first_session()
    recent = calendar.sessions_ending(last, _RECENT_SESSIONS)
    for search in (calendar.sessions_between(max(first, recent[0]), last),
                   calendar.sessions_between(first, recent[0] - dt.timedelta(days=1))):
        bars = source.daily_bars(search, list(symbols) if symbols else None) if search else None
        if bars is not None and bars.height:
            return bars.get_column("session").max()
    return None


def _stored_session(symbols: Sequence[str] | None, last: dt.date) -> dt.date | None:
    if not settings.pg_url():
        return None
    from investing_assets.lib.storage.queries.market import latest_bar_session
    from investing_assets.lib.storage.warehouse import Warehouse

    try:
        return latest_bar_session(Warehouse(settings.pg_url()), symbols, last)
    except psycopg.Error as exc:
        print(f"warehouse unavailable ({exc.__class__.__name__}); asking the source", file=sys.stderr)
        return None
