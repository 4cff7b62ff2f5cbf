"""Reads of the technicals tables: the scanner's discoveries, and one symbol's stored indicators, patterns and
events over a window of sessions."""

from __future__ import annotations

import datetime as dt

import polars as pl
from psycopg import sql

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


_DISCOVERY_COLUMNS = ("session, symbol, kind, pattern, direction, level, target, start_session, key_points, "
                      "confidence, score, day_strength, detail")


def discoveries_page(warehouse: Warehouse, session: dt.date, limit: int, offset: int) -> tuple[pl.DataFrame, int]:
    """One page of a session's discoveries in the scan's ranking (RANKED), and how many the session holds."""
    frame = warehouse.read_frame(
        f"SELECT {_DISCOVERY_COLUMNS}, count(*) OVER () AS total FROM {names.PATTERN_DISCOVERIES} "
        f"WHERE session = %s ORDER BY {RANKED} LIMIT %s OFFSET %s", [session, limit, offset])
    if frame.height:
        return frame.drop("total"), frame.item(0, "total")
    return frame.drop("total", strict=False), warehouse.count(names.PATTERN_DISCOVERIES, {"session": [session]})


def symbols_scanned(warehouse: Warehouse, session: dt.date) -> int:
    """How many symbols the scan looked at on a session (0: the session was never scanned)."""
    return warehouse.count(names.SCAN_ELIGIBILITY, {"session": [session]})


# What a symbol's snapshot shows of each table: (table, columns, filter, order); indicators oldest first (a
# series), the rest newest first (what happened), discoveries of a day in the scan's ranking.
SYMBOL_TABLES = {
    "indicators": (names.INDICATORS, "*", "", "session"),
    "chart_patterns": (names.CHART_PATTERNS, "session, pattern, family, direction, start_session, key_points, "
                                             "breakout_level, target, height_atr, confidence", "",
                       "session DESC, pattern, start_session"),
    "candlestick_patterns": (names.CANDLESTICK_PATTERNS, "session, pattern, direction, strength, kind, reason",
                             "AND confirmed", "session DESC, pattern"),
    "events": (names.TECHNICAL_EVENTS, "session, event, direction, value, detail", "", "session DESC, event"),
    "discoveries": (names.PATTERN_DISCOVERIES, _DISCOVERY_COLUMNS, "", f"session DESC, {RANKED}"),
}


def symbol_rows(warehouse: Warehouse, part: str, symbol: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    """One symbol's stored rows of a SYMBOL_TABLES part with sessions in [first, last] (candlestick patterns: the
    confirmed ones, what the scanner surfaces)."""
    table, columns, extra, order = SYMBOL_TABLES[part]
    query = sql.SQL("SELECT {} FROM {} WHERE symbol = %s AND session BETWEEN %s AND %s {} ORDER BY {}").format(
        sql.SQL(columns), warehouse.table(table), sql.SQL(extra), sql.SQL(order))
    return warehouse.read_frame(query, [symbol, first, last])
