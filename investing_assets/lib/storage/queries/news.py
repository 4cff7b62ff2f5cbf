"""Reads of the news tables."""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def latest_headlines(warehouse: Warehouse, count: int) -> pl.DataFrame:
    """The newest stored session's `count` latest articles (session, symbol, title)."""
    return warehouse.read_frame(
        f"SELECT session, symbol, title FROM {names.NEWS_ARTICLES} "
        f"WHERE session = (SELECT max(session) FROM {names.NEWS_ARTICLES}) "
        "ORDER BY published_at DESC, symbol LIMIT %s", [count])


def symbol_news(warehouse: Warehouse, symbol: str, first: dt.date, last: dt.date) -> pl.DataFrame:
    """The symbol's articles of the sessions [first, last], newest first (without the article text)."""
    return warehouse.read_frame(
        f"SELECT session, published_at, title, publisher, site, url, source FROM {names.NEWS_ARTICLES} "
        "WHERE symbol = %s AND session BETWEEN %s AND %s ORDER BY published_at DESC, url",
        [symbol, first, last])
