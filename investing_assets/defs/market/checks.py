"""Checks on what daily_bars stored for the run's sessions (read back from PostgreSQL, not the frame)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg

from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.checks import count_bar_violations, count_repeated_keys
from investing_assets.lib.storage.warehouse import Warehouse


def bar_check_results(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Iterator[dg.AssetCheckResult]:
    days = list(sessions)
    for name, bad in count_bar_violations(warehouse, days).items():
        yield dg.AssetCheckResult(
            check_name=name, asset_key="daily_bars", passed=bad == 0,
            severity=dg.AssetCheckSeverity.ERROR,
            metadata={"offending_rows": bad, "sessions": len(days)},
        )
    yield unique_key_result(warehouse, names.DAILY_BARS, "daily_bars", days)


def unique_key_result(warehouse: Warehouse, table: str, asset_key: str,
                      sessions: Sequence[dt.date]) -> dg.AssetCheckResult:
    """The (session, symbol) key that the writer keeps without a unique index (sql/006_history_keys.sql)."""
    bad = count_repeated_keys(warehouse, table, sessions)
    return dg.AssetCheckResult(check_name="unique_symbol_session", asset_key=asset_key, passed=bad == 0,
                               severity=dg.AssetCheckSeverity.ERROR,
                               metadata={"repeated_keys": bad, "sessions": len(sessions)})
