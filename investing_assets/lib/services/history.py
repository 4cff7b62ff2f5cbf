"""Per-symbol full history: onboarding a new name, or repairing one after an unadjusted split."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from investing_assets.lib import calendar
from investing_assets.lib.services.market import Written
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.validation import check_symbol, validate_bars


def last_closed_session(now: dt.datetime | None = None) -> dt.date:
    """The newest session whose close (16:00 New York) has passed."""
    now = now or dt.datetime.now(ZoneInfo(calendar.TIMEZONE))
    now = now.astimezone(ZoneInfo(calendar.TIMEZONE))
    today = now.date()
    if calendar.is_session(today) and now.time() >= dt.time(16, 0):
        return today
    return calendar.last_session_on_or_before(today - dt.timedelta(days=1))


def write_symbol_history(source: Any, warehouse: Warehouse, symbol: str,
                         start: dt.date = calendar.CALENDAR_START, end: dt.date | None = None) -> Written:
    """Replace every stored bar of one symbol with the source's full history, in one transaction."""
    check_symbol(symbol)
    sessions = calendar.sessions_between(start, end or last_closed_session())
    bars = validate_bars(source.daily_bars(sessions, [symbol]), [symbol])
    rows = bars.with_columns(source=pl.lit(source.name))
    warehouse.replace_rows("market.daily_bars", rows, {"symbol": [symbol]})
    span = f"{rows.get_column('session').min()} .. {rows.get_column('session').max()}" if rows.height else "none"
    return Written(rows.height, len(sessions), notes=[f"history {span}"], preview=rows.tail(5))
