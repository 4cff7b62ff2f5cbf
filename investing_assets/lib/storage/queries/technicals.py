"""Reads of the technicals tables: indicators and the scanner's discoveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import schemas
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def read_indicators_window(warehouse: Warehouse, first: dt.date, last: dt.date,
                           symbols: Sequence[str] | None = None) -> pl.DataFrame:
    """Stored indicators from `first` through `last`, by symbol and session."""
    where = {"symbol": list(symbols)} if symbols else None
    return warehouse.read_table(names.INDICATORS, where, between=("session", first, last),
                                schema=schemas.INDICATORS, order_by=("symbol", "session"))


def latest_discoveries(warehouse: Warehouse, top: int = 20, session: dt.date | None = None) -> pl.DataFrame:
    """The best discoveries of a session (default: the newest scanned), ranked by score."""
    return warehouse.read_frame(
        "SELECT session, symbol, kind, pattern, direction, level, target, confidence, score, detail "
        f"FROM {names.PATTERN_DISCOVERIES} WHERE session = coalesce(%s, "
        f"(SELECT max(session) FROM {names.PATTERN_DISCOVERIES})) "
        "ORDER BY score DESC, kind, symbol, pattern LIMIT %s", [session, top])
