"""Counts of stored rows that break a data check, read back from PostgreSQL rather than from a written frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from psycopg import sql

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

_BAR_VIOLATIONS = {
    "ohlc_sanity": f"SELECT count(*) FROM {names.DAILY_BARS} WHERE session = ANY(%s) "
                   "AND (low > least(open, close) OR high < greatest(open, close))",
    "positive_prices": f"SELECT count(*) FROM {names.DAILY_BARS} WHERE session = ANY(%s) "
                       "AND (least(open, high, low, close) <= 0 OR adj_close <= 0 "
                       "OR 'NaN'::float8 IN (open, high, low, close, adj_close))",
    "universe_coverage": f"SELECT count(*) FROM {names.UNIVERSE} u WHERE u.session = ANY(%s) AND NOT EXISTS "
                         f"(SELECT 1 FROM {names.DAILY_BARS} b WHERE b.symbol = u.symbol AND b.session = u.session)",
}


def count_bar_violations(warehouse: Warehouse, sessions: Sequence[dt.date]) -> dict[str, int]:
    """Per bar check (ohlc_sanity, positive_prices, universe_coverage): the offending rows in the sessions."""
    days = list(sessions)
    with warehouse.connect() as conn:
        return {name: conn.execute(query, [days]).fetchone()[0] for name, query in _BAR_VIOLATIONS.items()}


def count_repeated_keys(warehouse: Warehouse, table: str, sessions: Sequence[dt.date]) -> int:
    """(session, symbol) keys stored more than once in the sessions: the key the writer keeps without a unique
    index (sql/006_history_keys.sql)."""
    query = sql.SQL("SELECT count(*) FROM (SELECT 1 FROM {} WHERE session = ANY(%s) "
                    "GROUP BY session, symbol HAVING count(*) > 1) d").format(warehouse.table(table))
    with warehouse.connect() as conn:
        return conn.execute(query, [list(sessions)]).fetchone()[0]
