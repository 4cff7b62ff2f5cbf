"""Quotes per asset class, the latest scan, and any session's discoveries."""

from __future__ import annotations

import datetime as dt

from investing_assets.lib.services.market import latest_quotes_document
from investing_assets.lib.services.reads.cached import read_through
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
from investing_assets.lib.services.scan import latest_scan_document
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import quotes_of_session
from investing_assets.lib.storage.queries.technicals import discoveries_page, symbols_scanned

ASSET_CLASSES = tuple(names.QUOTE_KEYS)


def quotes(stores: Stores, asset_class: str, window: Window, session: dt.date | None = None) -> Result:
    """The newest session's quotes of an asset class (Redis first), or with `session` that session's (PostgreSQL)."""
    if asset_class not in names.QUOTE_KEYS:
        raise NotFound(f"unknown asset class {asset_class!r}: one of {', '.join(ASSET_CLASSES)}")
    if session is None:
        found = read_through(stores.cache, names.QUOTE_KEYS[asset_class],
                             lambda: latest_quotes_document(stores.warehouse, asset_class))
        if found is None:
            raise NotFound(f"no {asset_class} quotes stored yet: materialize {asset_class}_quotes")
        rows, as_of = found.document["data"], found.document["as_of"]
        origin, version = found.origin, found.version
    else:
        check_session(session)
        rows, as_of = plain_rows(quotes_of_session(stores.warehouse, asset_class, session)), session.isoformat()
        origin, version = "warehouse", None
        if not rows:
            raise NotFound(f"no {asset_class} quotes stored for {session.isoformat()}")
    label = label_of((row.get("source") for row in rows), stores.market_source)
    return page(rows, window, as_of=as_of, origin=origin, label=label, version=version)


def latest_scan(stores: Stores, window: Window) -> Result:
    """The newest scanned session's top discoveries, ranked (Redis first)."""
    found = read_through(stores.cache, names.SCAN_LATEST_KEY, lambda: latest_scan_document(stores.warehouse))
    if found is None:
        raise NotFound("no scan stored yet: materialize scan_results")
    return page(found.document["data"], window, as_of=found.document["as_of"], origin=found.origin,
                label=label_of((), stores.market_source), version=found.version)


def discoveries(stores: Stores, session: dt.date, window: Window) -> Result:
    """Every discovery of one scanned session in the scan's ranking, a page at a time (PostgreSQL)."""
    check_session(session)
    frame, total = discoveries_page(stores.warehouse, session, window.limit, window.offset)
    if total == 0 and symbols_scanned(stores.warehouse, session) == 0:
        raise NotFound(f"no scan stored for {session.isoformat()}: materialize scan_results for it")
    rows = [{"rank": window.offset + k + 1, **row} for k, row in enumerate(plain_rows(frame))]
    return Result(rows, session.isoformat(), "warehouse", label_of((), stores.market_source), total=total,
                  window=window)
