"""Blocking checks on what daily_bars stored for the run's sessions (read back from PostgreSQL, not the frame)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.checks import UNIQUE_SYMBOL_SESSION, blocking_result, unique_key_result
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.checks import count_bar_violations
from investing_assets.lib.storage.warehouse import Warehouse

_DESCRIPTIONS = {
    "ohlc_sanity": "low <= open, close <= high for every stored bar",
    "positive_prices": "every stored price is above zero",
    UNIQUE_SYMBOL_SESSION: "no duplicate (symbol, session)",
    "universe_coverage": "every universe symbol has a bar each session",
}
BAR_CHECKS = [dg.AssetCheckSpec(name, asset=keys.DAILY_BARS, blocking=True, description=text)
              for name, text in _DESCRIPTIONS.items()]


def bar_check_results(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Iterator[dg.AssetCheckResult]:
    days = list(sessions)
    for name, bad in count_bar_violations(warehouse, days).items():
        yield blocking_result(name, keys.DAILY_BARS, bad, offending_rows=bad, sessions=len(days))
    yield unique_key_result(warehouse, names.DAILY_BARS, keys.DAILY_BARS, days)
