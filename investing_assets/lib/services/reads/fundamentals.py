"""Industry aggregates and index valuations of a session (default: the newest stored)."""

from __future__ import annotations

import datetime as dt

from investing_assets.lib.services.reads.results import (
    NotFound,
    Result,
    Stores,
    Window,
    label_of,
    page,
    plain_rows,
)
from investing_assets.lib.services.reads.sessions import check_session
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.fundamentals import index_valuations_of, industry_aggregates_of
from investing_assets.lib.storage.queries.summary import newest_session

LEVELS = ("sector", "industry")


def industry(stores: Stores, window: Window, session: dt.date | None = None, level: str | None = None) -> Result:
    """Sector and industry aggregates (or one level's) of a session."""
    day = _session(stores, names.INDUSTRY_AGGREGATES, session, "industry aggregates", "industry_aggregates")
    if level is not None and level not in LEVELS:
        raise NotFound(f"unknown level {level!r}: one of {', '.join(LEVELS)}")
    rows = plain_rows(industry_aggregates_of(stores.warehouse, day, level))
    if not rows:
        raise NotFound(f"no industry aggregates stored for {day.isoformat()}")
    return page(rows, window, as_of=day.isoformat(), origin="warehouse", label=label_of((), stores.market_source))


def valuations(stores: Stores, window: Window, session: dt.date | None = None) -> Result:
    """Each index's forward P/E and earnings yield on a session."""
    day = _session(stores, names.INDEX_VALUATIONS, session, "index valuations", "index_valuations")
    rows = plain_rows(index_valuations_of(stores.warehouse, day))
    if not rows:
        raise NotFound(f"no index valuations stored for {day.isoformat()}")
    return page(rows, window, as_of=day.isoformat(), origin="warehouse", label=label_of((), stores.market_source))


def _session(stores: Stores, table: str, session: dt.date | None, what: str, asset: str) -> dt.date:
    if session is not None:
        return check_session(session)
    newest = newest_session(stores.warehouse, table)
    if newest is None:
        raise NotFound(f"no {what} stored yet: materialize {asset}")
    return newest
