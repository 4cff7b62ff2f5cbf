"""Blocking checks on what daily_bars stored for the run's sessions (read back from PostgreSQL, not the frame)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.checks import UNIQUE_SYMBOL_SESSION, unique_key_result, violations_result
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.checks import bar_violations
from investing_assets.lib.storage.warehouse import Warehouse

_DESCRIPTIONS = {
    "ohlc_sanity": "low <= open, close <= high for every stored bar",
    "positive_prices": "every stored price is above zero",
    UNIQUE_SYMBOL_SESSION: "no duplicate (symbol, session)",
    "universe_coverage": "every symbol in a session's universe (those listed that session) has a bar on it",
}
_FAILED = {
    "ohlc_sanity": "bar(s) with low above open/close or high below them",
    "positive_prices": "bar(s) with a non-positive or NaN price",
    "universe_coverage": "listed symbol-session(s) without a bar",
}
BAR_CHECKS = [dg.AssetCheckSpec(name, asset=keys.DAILY_BARS, blocking=True, description=text)
              for name, text in _DESCRIPTIONS.items()]


def bar_check_results(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Iterator[dg.AssetCheckResult]:
    days = list(sessions)
    for name, found in bar_violations(warehouse, days).items():
        yield violations_result(name, keys.DAILY_BARS, found, _FAILED[name], offending_rows=found.count,
                                sessions=len(days))
    yield unique_key_result(warehouse, names.DAILY_BARS, keys.DAILY_BARS, days)
