"""Rolling correlations over the warehouse: each symbol vs its sector and the market, pairs, a sector matrix."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjust_bars
from investing_assets.lib.analytics.correlations import CorrelationResult, rolling_correlations
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window, sectors_by_session
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass
class CorrelationOutcome:
    rows: int
    latest: CorrelationResult | None  # the newest session's result
    dropped: int
    by_session: dict[dt.date, CorrelationResult] = field(default_factory=dict)


def write_correlations(warehouse: Warehouse, sessions: Sequence[dt.date], window: int = 60,
                       basis: str = ADJUSTED) -> CorrelationOutcome:
    """Rolling correlations per session: each symbol vs its sector and the market, extreme pairs, sector matrix.

    A session reads only its own window: its bars and the sectors as of that session (never the run's last); the
    returns are on `basis` prices (lib.analytics.adjustment), so a split is no -50% day."""
    sessions = list(sessions)
    bars, _ = read_bars_window(warehouse, sessions[0], sessions[-1], window + 1)
    actions = actions_for_bars(warehouse, bars)
    sectors = sectors_by_session(warehouse, sessions, window)
    by_symbol, pairs, sector_rows, latest, results = [], [], [], None, {}
    for session in sessions:
        result = rolling_correlations(adjust_bars(bars, actions, as_of=session, basis=basis),
                                      sectors.filter(pl.col("session") == session).drop("session"), session, window)
        results[session] = result
        by_symbol.append(result.by_symbol.with_columns(session=pl.lit(session)))
        for kind, frame in (("most", result.top_pairs), ("least", result.bottom_pairs)):
            pairs.append(frame.with_columns(session=pl.lit(session), kind=pl.lit(kind),
                                            rank=pl.int_range(1, frame.height + 1, dtype=pl.Int32)))
        sector_rows.append(result.sector_frame().unpivot(index="sector", variable_name="sector_b",
                                                         value_name="correlation")
                           .rename({"sector": "sector_a"}).with_columns(session=pl.lit(session)))
        latest = result
    scope = {"session": sessions}
    symbols_frame = pl.concat(by_symbol).select("session", "symbol", "sector", "corr_sector", "corr_market")
    written = warehouse.replace_many([
        (names.SYMBOL_CORRELATIONS, symbols_frame, scope),
        (names.CORRELATION_PAIRS, pl.concat(pairs).select("session", "kind", "rank", "symbol_a", "symbol_b",
                                                          "correlation"), scope),
        (names.SECTOR_CORRELATIONS, pl.concat(sector_rows).select("session", "sector_a", "sector_b",
                                                                   "correlation"), scope),
    ])
    return CorrelationOutcome(sum(w.inserted for w in written), latest,
                              latest.dropped.height if latest is not None else 0, results)
