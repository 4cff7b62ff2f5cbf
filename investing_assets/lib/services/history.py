"""Per-symbol full history: onboarding a new name, or repairing one after an unadjusted split."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written
from investing_assets.lib.core.symbols import check_symbol
from investing_assets.lib.core.validation import validate_bars
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def write_symbol_history(source: Any, warehouse: Warehouse, symbol: str,
                         start: dt.date = calendar.CALENDAR_START, end: dt.date | None = None) -> Written:
    """Replace every stored bar of one symbol with the source's full history, in one transaction."""
    check_symbol(symbol)
    sessions = calendar.sessions_between(start, end or last_closed_session())
    bars = validate_bars(source.daily_bars(sessions, [symbol]), [symbol])
    if bars.height == 0:  # replacing a symbol's history with nothing would erase it
        raise BadMarketData(f"source returned no bars for {symbol} between {sessions[0]} and {sessions[-1]}; "
                            "its stored history was kept")
    rows = bars.with_columns(source=pl.lit(source.name))
    warehouse.replace_rows(names.DAILY_BARS, rows, {"symbol": [symbol]})
    span = f"{rows.get_column('session').min()} .. {rows.get_column('session').max()}" if rows.height else "none"
    return Written(rows.height, len(sessions), notes=[f"history {span}"], preview=rows.tail(5))
