"""Reads of the market tables: universe, bars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.schemas import DAILY_BARS
from investing_assets.lib.storage.warehouse import Warehouse


def read_bars_window(warehouse: Warehouse, first: dt.date, last: dt.date, lookback: int,
                     symbols: Sequence[str] | None = None) -> tuple[pl.DataFrame, list[dt.date]]:
    """Bars from `lookback` sessions before `first` through `last`; returns them and the window's sessions."""
    window = calendar.sessions_ending(first, lookback + 1)[:-1] + calendar.sessions_between(first, last)
    where = {"symbol": list(symbols)} if symbols else None
    schema = {k: v for k, v in DAILY_BARS.items()}
    bars = warehouse.read_table(
        "market.daily_bars", where, between=("session", window[0], window[-1]), schema=schema,
        order_by=("symbol", "session"),
    )
    return bars, window
