"""Muni risk scores (the latest book Redis first, any session's from PostgreSQL) and the documents read, each
metric with the page and line it came from."""

from __future__ import annotations

import datetime as dt
import re

from investing_assets.lib.services.muni.scores import latest_scores_document
from investing_assets.lib.services.reads.cached import read_through
from investing_assets.lib.services.reads.results import (
    Label,
    NotFound,
    Refused,
    Result,
    Stores,
    Window,
    page,
    plain,
    plain_rows,
)
from investing_assets.lib.services.reads.sessions import check_session
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries import muni as queries

DOCUMENT_KEY = re.compile(r"[a-z0-9-]{1,64}")  # muni.documents' own CHECK
STATUSES = ("extracted", "quarantined")
SYNTHETIC_BOOK_NOTE = ("synthetic: rows with source 'synthetic' are made-up issuers that pad the book read from "
                       "documents (lib/services/muni/scores.py), not real credits")


def risk_scores(stores: Stores, window: Window, session: dt.date | None = None) -> Result:
    """A session's scores, riskiest first: the newest from the cache (refilled from PostgreSQL when cold), any
    other from PostgreSQL."""
    if session is None:
        found = read_through(stores.cache, names.MUNI_RISK_LATEST_KEY, lambda: latest_scores_document(stores.warehouse))
        if found is None:
            raise NotFound("no muni risk scores stored yet: materialize muni_risk_scores")
        data = found.document["data"]
        rows, model_version, as_of = data["issuers"], data["model_version"], found.document["as_of"]
        origin, version = found.origin, found.version
    else:
        check_session(session)
        book = queries.read_scored_book(stores.warehouse, session)
        if book.height == 0:
            raise NotFound(f"no muni risk scores stored for {session.isoformat()}")
        model_version = book.item(0, "model_version")
        rows, as_of = plain_rows(book.drop("model_version")), session.isoformat()
        origin, version = "warehouse", None
    synthetic = any(row["source"] == "synthetic" for row in rows)
    label = Label(True, SYNTHETIC_BOOK_NOTE) if synthetic else Label()
    result = page(rows, window, as_of=as_of, origin=origin, label=label, version=version)
    result.extra["model_version"] = model_version
    return result


def documents(stores: Stores, window: Window, status: str | None = None) -> Result:
    """The documents read from the drop folder, newest first: what was found in each, or why it was set aside."""
    if status is not None and status not in STATUSES:
        raise NotFound(f"unknown status {status!r}: one of {', '.join(STATUSES)}")
    frame, total = queries.documents_page(stores.warehouse, window.limit, window.offset, status)
    return Result(plain_rows(frame), None, "warehouse", total=total, window=window)


def document(stores: Stores, key: str) -> Result:
    """One document and each of its metrics with the page, line and confidence it was read with."""
    if not DOCUMENT_KEY.fullmatch(key):
        raise Refused(f"refused document key {key!r}: a key is 1-64 of a-z, 0-9 and '-'")
    row = queries.read_document(stores.warehouse, key)
    if row is None:
        raise NotFound(f"unknown document {key}: no document with that key was read")
    row.pop("stored_path", None)  # where this machine keeps the file: not the reader's business
    metrics = plain_rows(queries.read_document_metrics(stores.warehouse, key).sort("metric"))
    return Result({**plain(row), "metrics": metrics}, None, "warehouse")


def document_metrics(stores: Stores, key: str, window: Window) -> Result:
    """A document's metrics as a list (for CSV)."""
    found = document(stores, key)
    return page(found.data["metrics"], window, as_of=None, origin="warehouse")
