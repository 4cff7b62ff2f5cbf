"""Check results every area builds the same way: counts read back from PostgreSQL, never from the frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from investing_assets.lib.storage.queries.checks import count_repeated_keys
from investing_assets.lib.storage.warehouse import Warehouse


def blocking_result(name: str, asset_key: dg.AssetKey, offending: int, **metadata: object) -> dg.AssetCheckResult:
    """Passed when nothing offends; ERROR severity, so a blocking check stops everything downstream."""
    return dg.AssetCheckResult(check_name=name, asset_key=asset_key, passed=offending == 0,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata)


def unique_key_result(warehouse: Warehouse, table: str, asset_key: dg.AssetKey,
                      sessions: Sequence[dt.date]) -> dg.AssetCheckResult:
    """The (session, symbol) key that the writer keeps without a unique index (sql/006_history_keys.sql)."""
    bad = count_repeated_keys(warehouse, table, sessions)
    return blocking_result("unique_symbol_session", asset_key, bad, repeated_keys=bad, sessions=len(sessions))


UNIQUE_SYMBOL_SESSION = "unique_symbol_session"


def unique_key_spec(asset_key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(UNIQUE_SYMBOL_SESSION, asset=asset_key, blocking=True,
                             description="no duplicate (symbol, session)")
