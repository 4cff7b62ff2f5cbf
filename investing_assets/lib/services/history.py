"""Per-symbol full history (the `price_history` asset): a name's past sessions that daily_bars never stored.

It lives in its own table, market.symbol_history, so each bar table has one writer: daily_bars writes sessions of
the whole universe, this writes one symbol's whole history. Readers of long history combine them through
lib/storage/queries/market.read_bars, where daily_bars' bar wins on every session it has."""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written
from investing_assets.lib.core.symbols import check_symbol
from investing_assets.lib.core.validation import validate_priced_bars
from investing_assets.lib.sources.protocol import BarSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def write_symbol_history(source: BarSource, warehouse: Warehouse, symbol: str,
                         start: dt.date = calendar.CALENDAR_START, end: dt.date | None = None) -> Written:
    """Replace the symbol's stored history with the source's bars from `start` to `end`, in one transaction;
    market.daily_bars is never touched."""
    check_symbol(symbol)
    sessions = calendar.sessions_between(start, end or last_closed_session())
    bars = validate_priced_bars(source.daily_bars(sessions, [symbol]), [symbol])
    if bars.height == 0:  # replacing a symbol's history with nothing would erase it
        raise BadMarketData(f"source returned no bars for {symbol} between {sessions[0]} and {sessions[-1]}; "
                            "its stored history was kept")
    rows = bars.with_columns(source=pl.lit(source.name))
    warehouse.replace_rows(names.SYMBOL_HISTORY, rows, {"symbol": [symbol]})
    span = f"{rows.get_column('session').min()} .. {rows.get_column('session').max()}" if rows.height else "none"
    return Written(rows.height, len(sessions), notes=[f"history {span}"], preview=rows.tail(5))
