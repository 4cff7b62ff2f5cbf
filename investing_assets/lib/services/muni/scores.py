"""Scores: each session's book of issuers scored with the model of its time, written per session and the newest
published to the hot cache.

The book is every issuer with extracted financials (its latest fiscal year known by the session, with the year
before for growth) plus, so the daily scores have a meaningful population on a fresh machine, the latest year
of a separate synthetic book (`synthetic_issuers`, 0 to score documents only). Each row names its
model_version.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.coverage import SCORED, coverage
from investing_assets.lib.muni.issuer_panel import FEATURES, features_from_metrics, generate_panel
from investing_assets.lib.muni.risk_model import ISSUER_ID, TrainedModel, score
from investing_assets.lib.services.muni.models import latest_model
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries import muni as queries
from investing_assets.lib.storage.warehouse import Warehouse

SYNTHETIC_BOOK_ISSUERS = 200
BOOK_SEED = 20_240_610  # not the training seed: the book is other issuers than the ones learned from


class NoModel(LookupError):
    """Scoring needs a trained model first."""


_BOOK_SCHEMA = {ISSUER_ID: pl.String, "issuer_name": pl.String, "source": pl.String, "document_key": pl.String,
                "fiscal_year_end": pl.Date, "status": pl.String, "inputs_present": pl.Int32,
                **{name: pl.Float64 for name in FEATURES}}


@dataclass
class Scores:
    frame: pl.DataFrame  # the newest session's scores, riskiest first
    model_version: str
    sessions: list[dt.date]
    documents: int
    synthetic: int
    cached: bool | None  # None: not the newest session, so the cache was left alone
    rows: int = 0  # written for all the sessions (each session's book holds the reports published by then)


def score_issuers(warehouse: Warehouse, cache: HotCache | None, sessions: dt.date | Sequence[dt.date], *,
                  synthetic_issuers: int = SYNTHETIC_BOOK_ISSUERS, book_seed: int = BOOK_SEED,
                  num_threads: int | None = None) -> Scores:
    """Score each session's book with the model of the newest session's time, replace the sessions' rows, cache
    the newest.

    A session's book holds the reports published by then (see `document_book`), so re-scoring a past session
    after newer reports arrived gives its rows again. (One model for the run's sessions: a range that spans a
    retrain is scored with the later model.)"""
    sessions = [sessions] if isinstance(sessions, dt.date) else sorted(sessions)
    model = latest_model(warehouse, as_of=sessions[-1])
    if model is None:
        raise NoModel("no model in muni.models yet: materialize muni_risk_model (or run adhoc_bond_risk_training)")
    stored = queries.read_extracted_financials(warehouse)
    synthetic = synthetic_book(synthetic_issuers, book_seed)
    scored_books: dict[tuple[str, ...], pl.DataFrame] = {}
    frames: dict[dt.date, pl.DataFrame] = {}
    for session in sessions:
        documents = _book_from_rows(stored, as_of=session)
        signature = tuple(documents.get_column("document_key").to_list())
        if signature not in scored_books:  # the book changes a few times a year: score each one once
            scored_books[signature] = _scored_book(model, pl.concat([documents, synthetic]), num_threads)
        frames[session] = scored_books[signature]
    parts = [frame.with_columns(session=pl.lit(session), model_version=pl.lit(model.version))
             for session, frame in frames.items() if frame.height]
    rows = pl.concat(parts) if parts else pl.DataFrame()
    queries.replace_risk_scores(warehouse, rows, sessions)
    newest = frames[sessions[-1]]
    shown = newest.with_columns(pl.col("top_drivers").str.json_decode(pl.List(pl.String)))
    cached = _publish_if_newest(warehouse, cache, shown, model.version, sessions[-1]) if cache else None
    return Scores(shown, model.version, sessions, documents=newest.filter(pl.col("source") == "document").height,
                  synthetic=newest.filter(pl.col("source") == "synthetic").height, cached=cached, rows=rows.height)


def _scored_book(model: TrainedModel, book: pl.DataFrame, num_threads: int | None) -> pl.DataFrame:
    """The book with probability, bucket and top drivers (JSON text, as stored), riskiest first; an issuer whose
    document gave too few inputs (`coverage`) has none of the three, and comes last."""
    scored = score(model, book, num_threads=num_threads) if book.height else pl.DataFrame(
        schema={ISSUER_ID: pl.String, "probability": pl.Float64, "bucket": pl.String,
                "top_drivers": pl.List(pl.String)})
    published = pl.col("status") == SCORED
    frame = (pl.concat([book.select(ISSUER_ID, "issuer_name", "source", "document_key", "fiscal_year_end",
                                    "status", "inputs_present"), scored.drop(ISSUER_ID)], how="horizontal")
             .with_columns(pl.when(published).then(pl.col("probability")).alias("probability"),
                           pl.when(published).then(pl.col("bucket")).alias("bucket"),
                           pl.when(published).then(pl.col("top_drivers")).otherwise(pl.lit([], pl.List(pl.String)))
                           .alias("top_drivers"))
             .rename({ISSUER_ID: "issuer"})
             .sort("probability", "issuer", descending=[True, False], nulls_last=True))
    drivers = pl.Series("top_drivers", [json.dumps(d) for d in frame["top_drivers"].to_list()], dtype=pl.String)
    return frame.with_columns(drivers)


def _publish_if_newest(warehouse: Warehouse, cache: HotCache, frame: pl.DataFrame, version: str,
                       session: dt.date) -> bool | None:
    """A backfill of an older day never makes the cache older."""
    newest = queries.newest_scored_session(warehouse)
    if newest is not None and newest > session:
        return None
    payload = {"session": session, "model_version": version, "issuers": frame.to_dicts()}
    return cache.publish(names.MUNI_RISK_LATEST_KEY, payload, as_of=session)


def latest_scores_document(warehouse: Warehouse) -> tuple[dict[str, Any], dt.date] | None:
    """What the scores cache holds, read back from the newest scored session (the read API refills a cold cache
    with it): the same payload the scoring publishes. None before any session is scored."""
    session = queries.newest_scored_session(warehouse)
    if session is None:
        return None
    book = queries.read_scored_book(warehouse, session)  # one run scores a session with one model
    payload = {"session": session, "model_version": book.item(0, "model_version"),
               "issuers": book.drop("model_version").to_dicts()}
    return payload, session


# Annual financial reports are due six months after the fiscal year ends (the GFOA certificate's deadline).
# A report counts from then, or from the day it was read if that came first, so scoring a past day never uses
# a report published after it, and a report read today counts today.
PUBLICATION_LAG = dt.timedelta(days=180)


def document_book(warehouse: Warehouse, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per issuer with extracted financials: its latest fiscal year known by `as_of` (all when None),
    the year before giving growth."""
    return _book_from_rows(queries.read_extracted_financials(warehouse), as_of)


def known_from(year_end: dt.date | None, read_on: dt.date) -> dt.date:
    """The first session a report counts for: published (year end + lag) or read, whichever came first."""
    return read_on if year_end is None else min(year_end + PUBLICATION_LAG, read_on)


def _book_from_rows(stored: pl.DataFrame, as_of: dt.date | None) -> pl.DataFrame:
    latest: dict[str, list[dict[str, Any]]] = {}
    for row in stored.iter_rows(named=True):
        if as_of is not None and known_from(row["fiscal_year_end"], row["read_on"]) > as_of:
            continue
        latest.setdefault(row["issuer"] or row["document_key"], []).append(row)
    records = []
    for issuer, years in latest.items():
        current = years[-1]
        earlier = [r for r in years[:-1] if r["fiscal_year_end"] and current["fiscal_year_end"]
                   and r["fiscal_year_end"] < current["fiscal_year_end"]]
        prior = {m: earlier[-1][m] for m in METRICS} if earlier else None
        features = features_from_metrics({m: current[m] for m in METRICS}, prior=prior)
        covered = coverage(features)
        records.append({ISSUER_ID: issuer, "issuer_name": current["issuer"] or current["file_name"],
                        "source": "document", "document_key": current["document_key"],
                        "fiscal_year_end": current["fiscal_year_end"], "status": covered.status,
                        "inputs_present": len(covered.present), **features})
    return pl.DataFrame(records, schema=_BOOK_SCHEMA)


def synthetic_book(issuers: int, seed: int = BOOK_SEED) -> pl.DataFrame:
    """The latest year of synthetic issuers no model has trained on."""
    if issuers <= 0:
        return pl.DataFrame(schema=_BOOK_SCHEMA)
    panel = generate_panel(issuers + issuers // 10 + 10, 1, seed=seed).head(issuers)
    return panel.select(
        pl.col("issuer_id").alias(ISSUER_ID), "issuer_name", pl.lit("synthetic").alias("source"),
        pl.lit(None, pl.String).alias("document_key"), pl.lit(None, pl.Date).alias("fiscal_year_end"),
        pl.lit(SCORED).alias("status"), pl.sum_horizontal(pl.col(f).is_not_null() for f in FEATURES)
        .alias("inputs_present"), *FEATURES,
    ).cast(_BOOK_SCHEMA)


def read_scores(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """One session's stored scores, riskiest first."""
    return queries.read_risk_scores(warehouse, session)

