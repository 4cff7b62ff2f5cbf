"""Reads of the fundamentals tables: analyst estimates, index constituents' weights, industry inputs, valuations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def revisions(warehouse: Warehouse, session: dt.date, top: int = 10) -> pl.DataFrame:
    """The largest moves of the nearest fiscal year's EPS consensus since the previous stored snapshot."""
    estimates = names.ANALYST_ESTIMATES
    return warehouse.read_frame(
        f"WITH previous AS (SELECT max(session) AS s FROM {estimates} WHERE session < %s), "
        f"nearest AS (SELECT DISTINCT ON (symbol) symbol, period_end, eps_avg FROM {estimates} "
        "WHERE session = %s AND period = 'annual' ORDER BY symbol, period_end) "
        "SELECT n.symbol, n.period_end, p.eps_avg AS eps_before, n.eps_avg AS eps_now, "
        "round((100 * (n.eps_avg / p.eps_avg - 1))::numeric, 2)::float8 AS revision_pct "
        f"FROM nearest n JOIN {estimates} p ON p.symbol = n.symbol AND p.period = 'annual' "
        "AND p.period_end = n.period_end AND p.session = (SELECT s FROM previous) "
        "WHERE p.eps_avg > 0 AND n.eps_avg IS NOT NULL ORDER BY abs(n.eps_avg / p.eps_avg - 1) DESC, n.symbol "
        "LIMIT %s",
        [session, session, top])


def index_weights(warehouse: Warehouse, sessions: Sequence[dt.date]) -> pl.DataFrame:
    """(session, index_code, symbol, weight) of the sessions' stored index constituents, in key order: a sum of
    floats depends on the order it adds them in, and a plan's row order on how many sessions it reads."""
    return warehouse.read_frame(f"SELECT session, index_code, symbol, weight FROM {names.INDEX_CONSTITUENTS} "
                                "WHERE session = ANY(%s) ORDER BY session, index_code, symbol", [list(sessions)])


def industry_members(warehouse: Warehouse, sessions: list[dt.date]) -> pl.DataFrame:
    """Per session and universe member: classification, shares, SMA 50, and the nearest fiscal year's EPS consensus
    now and on the previous NYSE session (null when that session's estimates are not stored: never an older
    snapshot, so no value depends on what else happens to be loaded). The closes come from the bars
    (lib/analytics/industry.member_closes), on the analytics' price basis. In key order, as index_weights."""
    pairs = [calendar.sessions_ending(d, 2) for d in sessions]
    previous = [pair[0] if len(pair) == 2 else None for pair in pairs]  # none before the calendar's first
    return warehouse.read_frame(
        f"""
        WITH days AS (SELECT * FROM unnest(%s::date[], %s::date[]) AS d(d, d_1)),
             nearest AS (SELECT DISTINCT ON (session, symbol) session, symbol, period_end, eps_avg
                         FROM {names.ANALYST_ESTIMATES} WHERE session = ANY(%s) AND period = 'annual'
                         AND eps_avg IS NOT NULL ORDER BY session, symbol, period_end)
        SELECT u.session, u.symbol, u.sector, u.industry, u.shares_outstanding, i.sma_50,
               n.eps_avg AS forward_eps,
               (SELECT e.eps_avg FROM {names.ANALYST_ESTIMATES} e
                 WHERE e.symbol = u.symbol AND e.period = 'annual' AND e.period_end = n.period_end
                   AND e.session = days.d_1) AS forward_eps_before
        FROM {names.UNIVERSE} u
        JOIN days ON days.d = u.session
        LEFT JOIN {names.INDICATORS} i ON i.session = u.session AND i.symbol = u.symbol
        LEFT JOIN nearest n ON n.session = u.session AND n.symbol = u.symbol
        WHERE u.session = ANY(%s)
        ORDER BY u.session, u.symbol
        """, [sessions, previous, sessions, sessions])


def latest_index_valuations(warehouse: Warehouse) -> pl.DataFrame:
    """Every index's forward and trailing valuations on the newest stored session."""
    return warehouse.read_frame(
        f"SELECT session, index_code, forward_pe, earnings_yield, trailing_pe, price_to_book, dividend_yield "
        f"FROM {names.INDEX_VALUATIONS} "
        f"WHERE session = (SELECT max(session) FROM {names.INDEX_VALUATIONS}) ORDER BY index_code")


def latest_sector_valuations(warehouse: Warehouse) -> pl.DataFrame:
    """Every sector's forward and trailing valuations on the newest stored session, largest cap first."""
    return warehouse.read_frame(
        f"SELECT session, name, market_cap, forward_pe, trailing_pe, price_to_book, dividend_yield "
        f"FROM {names.INDUSTRY_AGGREGATES} WHERE level = 'sector' "
        f"AND session = (SELECT max(session) FROM {names.INDUSTRY_AGGREGATES}) ORDER BY market_cap DESC NULLS LAST")


def symbol_estimates(warehouse: Warehouse, symbol: str, as_of: dt.date) -> pl.DataFrame:
    """The symbol's newest consensus snapshot on or before `as_of`: every fiscal period it forecasts."""
    estimates = names.ANALYST_ESTIMATES
    return warehouse.read_frame(
        f"SELECT * FROM {estimates} WHERE symbol = %s AND session = (SELECT max(session) FROM {estimates} "
        "WHERE symbol = %s AND session <= %s) ORDER BY period, period_end", [symbol, symbol, as_of])


def industry_aggregates_of(warehouse: Warehouse, session: dt.date, level: str | None = None) -> pl.DataFrame:
    """One session's sector and industry aggregates (or one level's), by level, sector, name."""
    return warehouse.read_frame(
        f"SELECT * FROM {names.INDUSTRY_AGGREGATES} WHERE session = %s AND (%s::text IS NULL OR level = %s) "
        "ORDER BY level DESC, sector, name", [session, level, level])


def index_valuations_of(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """One session's index valuations, by index code."""
    return warehouse.read_frame(
        f"SELECT * FROM {names.INDEX_VALUATIONS} WHERE session = %s ORDER BY index_code", [session])
