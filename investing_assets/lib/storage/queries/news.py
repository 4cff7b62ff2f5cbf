"""Reads of the news tables."""

from __future__ import annotations

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def latest_headlines(warehouse: Warehouse, count: int) -> pl.DataFrame:
    """The newest stored session's `count` latest articles (session, symbol, title)."""
    return warehouse.read_frame(
        f"SELECT session, symbol, title FROM {names.NEWS_ARTICLES} "
        f"WHERE session = (SELECT max(session) FROM {names.NEWS_ARTICLES}) "
        "ORDER BY published_at DESC, symbol LIMIT %s", [count])
