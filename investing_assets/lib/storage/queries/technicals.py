"""Reads of the technicals tables: the scanner's discoveries."""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def latest_discoveries(warehouse: Warehouse, top: int = 20, session: dt.date | None = None) -> pl.DataFrame:
    """The best discoveries of a session (default: the newest scanned), ranked by score."""
    return warehouse.read_frame(
        "SELECT session, symbol, kind, pattern, direction, level, target, confidence, score, detail "
        f"FROM {names.PATTERN_DISCOVERIES} WHERE session = coalesce(%s, "
        f"(SELECT max(session) FROM {names.PATTERN_DISCOVERIES})) "
        "ORDER BY score DESC, kind, symbol, pattern LIMIT %s", [session, top])
