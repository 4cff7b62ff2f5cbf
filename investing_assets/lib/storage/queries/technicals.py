"""Reads of the technicals tables: the scanner's discoveries."""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

# The scan's own ranking (lib/analytics/scanner.scan_day): score, then the day's strength, then kind, symbol and
# pattern by their bytes, so what is read back is in the order the scan found it, and a tie never ranks by name
# while a strength tells the discoveries apart. Rows stored before day_strength existed have it null: last.
RANKED = 'score DESC, day_strength DESC NULLS LAST, kind COLLATE "C", symbol COLLATE "C", pattern COLLATE "C"'


def latest_discoveries(warehouse: Warehouse, top: int = 20, session: dt.date | None = None) -> pl.DataFrame:
    """The best discoveries of a session (default: the newest scanned), in the scan's ranking (RANKED)."""
    return warehouse.read_frame(
        "SELECT session, symbol, kind, pattern, direction, level, target, confidence, score, day_strength, detail "
        f"FROM {names.PATTERN_DISCOVERIES} WHERE session = coalesce(%s, "
        f"(SELECT max(session) FROM {names.PATTERN_DISCOVERIES})) "
        f"ORDER BY {RANKED} LIMIT %s", [session, top])
