"""Checks on what daily_bars stored for the run's sessions (read back from PostgreSQL, not the frame)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg

from investing_assets.lib.storage.warehouse import Warehouse

_QUERIES = {
    "ohlc_sanity": "SELECT count(*) FROM market.daily_bars WHERE session = ANY(%s) "
                   "AND (low > least(open, close) OR high < greatest(open, close))",
    "positive_prices": "SELECT count(*) FROM market.daily_bars WHERE session = ANY(%s) "
                       "AND (least(open, high, low, close) <= 0 OR adj_close <= 0 "
                       "OR 'NaN'::float8 IN (open, high, low, close, adj_close))",
    "universe_coverage": "SELECT count(*) FROM market.universe u WHERE u.session = ANY(%s) AND NOT EXISTS "
                         "(SELECT 1 FROM market.daily_bars b WHERE b.symbol = u.symbol AND b.session = u.session)",
}


def bar_check_results(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Iterator[dg.AssetCheckResult]:
    days = list(sessions)
    with warehouse.connect() as conn:
        for name, query in _QUERIES.items():
            bad = conn.execute(query, [days]).fetchone()[0]
            yield dg.AssetCheckResult(
                check_name=name, asset_key="daily_bars", passed=bad == 0,
                severity=dg.AssetCheckSeverity.ERROR,
                metadata={"offending_rows": bad, "sessions": len(days)},
            )
    yield unique_key_result(warehouse, "market.daily_bars", "daily_bars", days)


def unique_key_result(warehouse: Warehouse, table: str, asset_key: str,
                      sessions: Sequence[dt.date]) -> dg.AssetCheckResult:
    """The (session, symbol) key that the writer keeps without a unique index (sql/006_history_keys.sql)."""
    with warehouse.connect() as conn:
        bad = conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM {warehouse.table(table).as_string(conn)} "
                           "WHERE session = ANY(%s) GROUP BY session, symbol HAVING count(*) > 1) d",
                           [list(sessions)]).fetchone()[0]
    return dg.AssetCheckResult(check_name="unique_symbol_session", asset_key=asset_key, passed=bad == 0,
                               severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"repeated_keys": bad, "sessions": len(sessions)})
