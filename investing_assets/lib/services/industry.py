"""Industry aggregation and index valuations per session, from what the other assets stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.industry import INDEX_VALUATIONS, MEMBERS, aggregates, index_valuations
from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.storage.warehouse import Warehouse

RETURN_SESSIONS = 21


@dataclass
class IndustryRun:
    sessions: list[dt.date]
    aggregates: pl.DataFrame  # every session's rows
    valuations: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    def latest(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("session") == self.sessions[-1]).drop("session")


def write_industry_aggregates(warehouse: Warehouse, sessions: Sequence[dt.date]) -> IndustryRun:
    """Both tables for every session, in one transaction; missing estimates, indicators or constituents leave
    their columns null and say so, missing bars or universe fail the run."""
    sessions = sorted(sessions)
    members, notes = _members(warehouse, sessions)
    weights = warehouse.read_frame("SELECT session, index_code, symbol, weight FROM market.index_constituents "
                                   "WHERE session = ANY(%s)", [sessions])
    groups, valuations = [], []
    for session in sessions:
        today = members.filter(pl.col("session") == session).drop("session")
        groups.append(aggregates(today).with_columns(session=pl.lit(session)))
        day_weights = weights.filter(pl.col("session") == session).drop("session") if weights.height else weights
        if day_weights.height:
            valuations.append(index_valuations(day_weights, today).with_columns(session=pl.lit(session)))
    missing = [d.isoformat() for d in sessions
               if not weights.height or weights.filter(pl.col("session") == d).is_empty()]
    if missing:
        notes.append(f"no index constituents stored for {', '.join(missing[:5])}: no index valuations there")
    run = IndustryRun(sessions, pl.concat(groups), pl.concat(valuations) if valuations else pl.DataFrame(), notes)
    scope = {"session": sessions}
    writes = [("fundamentals.industry_aggregates", run.aggregates, scope)]
    writes.append(("fundamentals.index_valuations", run.valuations if run.valuations.height else
                   pl.DataFrame(schema={"session": pl.Date, **INDEX_VALUATIONS}), scope))
    warehouse.replace_many(writes)
    return run


def _members(warehouse: Warehouse, sessions: list[dt.date]) -> tuple[pl.DataFrame, list[str]]:
    """MEMBERS per session: universe, closes now / a session / 21 sessions ago, SMA 50, nearest-year EPS."""
    window = calendar.sessions_ending(sessions[0], RETURN_SESSIONS + 1)[:-1] + sessions
    frame = warehouse.read_frame(
        """
        WITH days AS (SELECT d, lag(d) OVER w AS d_1, lag(d, %s) OVER w AS d_21
                      FROM unnest(%s::date[]) AS d WINDOW w AS (ORDER BY d)),
             nearest AS (SELECT DISTINCT ON (session, symbol) session, symbol, period_end, eps_avg
                         FROM fundamentals.analyst_estimates WHERE session = ANY(%s) AND period = 'annual'
                         AND eps_avg IS NOT NULL ORDER BY session, symbol, period_end),
             bars AS (SELECT session, symbol, close FROM market.daily_bars WHERE session = ANY(%s))
        SELECT u.session, u.symbol, u.sector, u.industry, u.shares_outstanding,
               b.close, b1.close AS close_1d, b21.close AS close_21d, i.sma_50,
               n.eps_avg AS forward_eps,
               (SELECT e.eps_avg FROM fundamentals.analyst_estimates e
                 WHERE e.symbol = u.symbol AND e.period = 'annual' AND e.period_end = n.period_end
                   AND e.session < u.session ORDER BY e.session DESC LIMIT 1) AS forward_eps_before
        FROM market.universe u
        JOIN days ON days.d = u.session
        LEFT JOIN bars b ON b.session = u.session AND b.symbol = u.symbol
        LEFT JOIN bars b1 ON b1.session = days.d_1 AND b1.symbol = u.symbol
        LEFT JOIN bars b21 ON b21.session = days.d_21 AND b21.symbol = u.symbol
        LEFT JOIN technicals.indicators i ON i.session = u.session AND i.symbol = u.symbol
        LEFT JOIN nearest n ON n.session = u.session AND n.symbol = u.symbol
        WHERE u.session = ANY(%s)
        """, [RETURN_SESSIONS, window, sessions, window, sessions])
    if frame.is_empty():
        raise BadMarketData(f"no universe stored for {sessions[0].isoformat()}..{sessions[-1].isoformat()}: "
                            "materialize `universe` and `daily_bars` first")
    frame = frame.cast({c: t for c, t in MEMBERS.items() if c in frame.columns} | {"session": pl.Date})
    notes = []
    for session in sessions:
        day = frame.filter(pl.col("session") == session)
        if day.is_empty() or day.get_column("close").null_count() == day.height:
            raise BadMarketData(f"no bars or universe stored for {session.isoformat()}: materialize `universe` "
                                "and `daily_bars` first")
    for column, asset in (("forward_eps", "analyst_estimates"), ("sma_50", "indicators"),
                          ("shares_outstanding", "shares outstanding in the universe (no caps, returns or P/E)")):
        empty = sorted({d.isoformat() for d, n, total in frame.group_by("session").agg(
            pl.col(column).null_count(), pl.len()).iter_rows() if n == total})
        if empty:
            notes.append(f"no {asset} stored for {', '.join(empty[:5])}: its columns are empty there")
    return frame, notes
