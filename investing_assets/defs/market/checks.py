"""Checks on what the market assets stored for the run's sessions (read back from PostgreSQL, not the frame):
blocking ones on daily_bars, the weight total of each ETF's holdings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import dagster as dg
import polars as pl

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.checks import (
    UNIQUE_SYMBOL_SESSION,
    blocking_result,
    unique_key_result,
    violations_result,
)
from investing_assets.defs.shared.metadata import markdown_table
from investing_assets.lib.services.etf_holdings import WEIGHT_TOLERANCE, stored_weight_problems
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.checks import bar_violations, repeated_holding_lines
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


WEIGHTS_SUM_TO_ONE = "weights_sum_to_one"
UNIQUE_HOLDING_LINE = "unique_holding_line"
HOLDINGS_CHECKS = [dg.AssetCheckSpec(WEIGHTS_SUM_TO_ONE, asset=keys.ETF_HOLDINGS, blocking=True,
                                     description=f"each ETF's holdings weights sum to 1 within {WEIGHT_TOLERANCE} "
                                                 "per session (cash lines included)"),
                   dg.AssetCheckSpec(UNIQUE_HOLDING_LINE, asset=keys.ETF_HOLDINGS, blocking=True,
                                     description="each ticker once per ETF and session (a line without one, its "
                                                 "name once): the key the writer keeps without a unique index")]


def holdings_check_results(warehouse: Warehouse, sessions: Sequence[dt.date]) -> Iterator[dg.AssetCheckResult]:
    sums, off = stored_weight_problems(warehouse, list(sessions))
    named = ", ".join(f"{row['etf']} {row['session'].isoformat()} ({row['weight']:.4f})"
                      for row in off.head(10).iter_rows(named=True))
    extremes = sums.group_by("etf").agg(lowest=pl.col("weight").min(), highest=pl.col("weight").max()).sort("etf")
    yield blocking_result(WEIGHTS_SUM_TO_ONE, keys.ETF_HOLDINGS, off.height,
                          f"{off.height} ETF-session(s) whose weights do not sum to 1 within {WEIGHT_TOLERANCE}: "
                          f"{named}{' ...' if off.height > 10 else ''}",
                          sessions=len(sessions), etf_sessions=sums.height, off_by_more=off.height,
                          weight_sums=dg.MetadataValue.md(markdown_table(extremes, max_rows=50)))
    found = repeated_holding_lines(warehouse, sessions)
    yield violations_result(UNIQUE_HOLDING_LINE, keys.ETF_HOLDINGS, found,
                            "(ETF, session)s with a holdings line stored twice", etf_sessions=found.count,
                            sessions=len(sessions))
