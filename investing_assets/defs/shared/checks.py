"""Check results every area builds the same way: counts read back from PostgreSQL, never from the frame."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import dagster as dg

from investing_assets.lib.storage.queries.checks import Violations, repeated_keys
from investing_assets.lib.storage.warehouse import Warehouse


def blocking_result(name: str, asset_key: dg.AssetKey, offending: int, description: str | None = None,
                    **metadata: object) -> dg.AssetCheckResult:
    """Passed when nothing offends; ERROR severity, so a blocking check stops everything downstream."""
    return dg.AssetCheckResult(check_name=name, asset_key=asset_key, passed=offending == 0,
                               severity=dg.AssetCheckSeverity.ERROR, metadata=metadata,
                               description=description if offending else None)


def violations_result(name: str, asset_key: dg.AssetKey, found: Violations, what: str,
                      **metadata: object) -> dg.AssetCheckResult:
    """A blocking result that, when it fails, names the offending symbols and sessions (`what` says of what)."""
    named = {"symbol_sessions": found.describe()} if found.count else {}
    return blocking_result(name, asset_key, found.count, f"{found.count} {what}: {found.describe()}",
                           **metadata, **named)


def unique_key_result(warehouse: Warehouse, table: str, asset_key: dg.AssetKey,
                      sessions: Sequence[dt.date]) -> dg.AssetCheckResult:
    """The (session, symbol) key that the writer keeps without a unique index (sql/006_history_keys.sql)."""
    found = repeated_keys(warehouse, table, sessions)
    return violations_result("unique_symbol_session", asset_key, found, "(symbol, session) keys stored twice",
                             repeated_keys=found.count, sessions=len(sessions))


UNIQUE_SYMBOL_SESSION = "unique_symbol_session"


def unique_key_spec(asset_key: dg.AssetKey) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(UNIQUE_SYMBOL_SESSION, asset=asset_key, blocking=True,
                             description="no duplicate (symbol, session)")
