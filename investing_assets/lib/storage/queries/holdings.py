"""Reads of market.etf_holdings: a session's holdings, the newest stored session, each ETF's weight total."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import schemas
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

_ORDER = "ORDER BY etf, weight DESC, symbol NULLS LAST, name"


def holdings_of_session(warehouse: Warehouse, session: dt.date, etfs: Sequence[str] | None = None) -> pl.DataFrame:
    """ETF_HOLDINGS of one stored session (all ETFs, or `etfs`), by ETF and weight descending."""
    which = "AND etf = ANY(%s)" if etfs is not None else ""
    frame = warehouse.read_frame(
        f"SELECT {', '.join(schemas.ETF_HOLDINGS)} FROM {names.ETF_HOLDINGS} WHERE session = %s {which} {_ORDER}",
        [session, *([list(etfs)] if etfs is not None else [])])
    return frame.cast(schemas.ETF_HOLDINGS) if frame.height else pl.DataFrame(schema=schemas.ETF_HOLDINGS)


def holdings_source(warehouse: Warehouse, session: dt.date, etf: str) -> str | None:
    """The source that served an ETF's stored holdings of a session (a partition is written by one source)."""
    return warehouse.read_frame(f"SELECT min(source) AS s FROM {names.ETF_HOLDINGS} WHERE session = %s AND etf = %s",
                                [session, etf]).item(0, 0)


def latest_holdings_session(warehouse: Warehouse, etf: str | None = None,
                            on_or_before: dt.date | None = None) -> dt.date | None:
    """The newest session with stored holdings (of `etf`, on or before `on_or_before`), None when there is none."""
    clauses, params = [], []
    if etf is not None:
        clauses.append("etf = %s")
        params.append(etf)
    if on_or_before is not None:
        clauses.append("session <= %s")
        params.append(on_or_before)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    return warehouse.read_frame(f"SELECT max(session) AS s FROM {names.ETF_HOLDINGS} {where}", params).item(0, 0)


def weight_sums(warehouse: Warehouse, sessions: Sequence[dt.date]) -> pl.DataFrame:
    """(session, etf, lines, weight) stored for the sessions: what the weights check reads back."""
    frame = warehouse.read_frame(
        f"SELECT session, etf, count(*) AS lines, sum(weight) AS weight FROM {names.ETF_HOLDINGS} "
        "WHERE session = ANY(%s) GROUP BY session, etf ORDER BY session, etf", [list(sessions)])
    schema = {"session": pl.Date, "etf": pl.String, "lines": pl.Int64, "weight": pl.Float64}
    return frame.cast(schema) if frame.height else pl.DataFrame(schema=schema)
