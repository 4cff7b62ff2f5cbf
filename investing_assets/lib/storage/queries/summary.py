"""Reads only the end-of-run summary makes: how far a table reaches, and the riskiest muni issuers."""

from __future__ import annotations

import datetime as dt

import polars as pl
from psycopg import sql

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def newest_session(warehouse: Warehouse, table: str) -> dt.date | None:
    """The newest session stored in `table`; None when it is empty."""
    frame = warehouse.read_frame(sql.SQL("SELECT max(session) AS s FROM {}").format(warehouse.table(table)))
    return frame.item(0, 0) if frame.height else None


def riskiest_issuers(warehouse: Warehouse, count: int = 3) -> pl.DataFrame:
    """The highest distress probabilities scored from documents on the newest scored session."""
    return warehouse.read_frame(
        f"SELECT issuer_name, probability, bucket FROM {names.MUNI_RISK_SCORES} WHERE source = 'document' "
        f"AND session = (SELECT max(session) FROM {names.MUNI_RISK_SCORES}) ORDER BY probability DESC LIMIT %s",
        [count])
