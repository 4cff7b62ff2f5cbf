"""The seed's fixed-income agents as plain functions: the muni local agent (read a dropped report, keep its
figures or set it aside with a reason), bond-risk training and daily scoring.

Dagster assets and the `investing muni` CLI both call these. Choices worth knowing:
- Training data is the synthetic issuer panel (`issuer_panel`, documented there). Extracted documents are not
  added as training rows: a report carries no distress outcome to learn from, so documents are scored, never
  learned from.
- The scored book is every issuer with extracted financials (its latest fiscal year, with the year before for
  growth) plus, so the daily scores have a meaningful population on a fresh machine, the latest year of a
  separate synthetic book (`synthetic_issuers`, 0 to score documents only).
- Scores use the newest stored model (by trained_at); each row names its model_version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from psycopg.types.json import Jsonb

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.drop_folder import (
    CHANGED,
    HASH_CHARS,
    MISSING,
    DropFolder,
    digest_of,
    document_key,
    sha256_file,
)
from investing_assets.lib.muni.issuer_panel import FEATURES, features_from_metrics, generate_panel
from investing_assets.lib.muni.pdf_extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PAGES,
    DocumentRejected,
    Extraction,
    extract_with_timeout,
)
from investing_assets.lib.muni.risk_model import ISSUER_ID, TrainedModel, score, train
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse

log = logging.getLogger(__name__)

RISK_CACHE_KEY = "cache:muni_risk:latest"
DEFAULT_TIMEOUT_S = 120.0
SYNTHETIC_BOOK_ISSUERS = 200
BOOK_SEED = 20_240_610  # not the training seed: the book is other issuers than the ones learned from


class RefusedPath(ValueError):
    """A path the drop folder does not manage (a symlink, or outside the inbox, archive and quarantine)."""


class NoModel(LookupError):
    """Scoring needs a trained model first."""


# --------------------------------------------------------------------------------------------------------------
# Documents
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DocumentOutcome:
    key: str
    file_name: str
    status: str  # "extracted" | "quarantined"
    sha256: str | None = None
    size: int | None = None
    extraction: Extraction | None = None
    reason: str | None = None
    message: str | None = None
    stored_path: Path | None = None  # archive copy, or the quarantined file
    reason_file: Path | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def extracted(self) -> bool:
        return self.status == "extracted"


def process_partition(key: str, warehouse: Warehouse, folder: DropFolder, *, path_hint: str | None = None,
                      timeout_s: float = DEFAULT_TIMEOUT_S, max_bytes: int = DEFAULT_MAX_BYTES,
                      max_pages: int = DEFAULT_MAX_PAGES,
                      extract_target: Callable[..., Any] | None = None) -> DocumentOutcome:
    """One `muni_document` partition: find its bytes (archive, the sensor's path, quarantine), then process.

    When the bytes are nowhere: a document already stored keeps its rows (nothing is lost by re-running it);
    a new one is recorded as quarantined with reason "missing".
    """
    started = time.perf_counter()
    path = folder.locate(key, path_hint)
    stored = _stored_document(warehouse, key)
    name = Path(path_hint).name if path_hint else (stored or {}).get("file_name") or (
        path.name if path is not None and folder.where(path) != "archive" else f"{key}.pdf")
    if path is not None:
        return process_document(path, warehouse, folder=folder, key=key, file_name=name, timeout_s=timeout_s,
                                max_bytes=max_bytes, max_pages=max_pages, extract_target=extract_target)
    if stored is not None:
        outcome = _outcome_from_row(stored)
        outcome.notes.append("no copy of the file was found; the stored result is kept unchanged")
        outcome.seconds = time.perf_counter() - started
        return outcome
    message = (f"{name} was registered by the drop-folder sensor but is gone (moved or deleted before its run); "
               "drop it again to read it")
    return _set_aside_absent(warehouse, folder, key, name, MISSING, message, path_hint, started)


def process_document(path: Path, warehouse: Warehouse, *, folder: DropFolder, key: str | None = None,
                     file_name: str | None = None, timeout_s: float = DEFAULT_TIMEOUT_S,
                     max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES,
                     extract_target: Callable[..., Any] | None = None) -> DocumentOutcome:
    """Extract one file under the timeout guard, then archive it and store its figures, or quarantine it.

    The three tables (documents, document_metrics, issuer_financials) change in one transaction and are keyed
    by the document key, so a re-run leaves the same rows. `extract_target` replaces the parser in the child
    process (tests use it to simulate a parser that hangs).
    """
    started = time.perf_counter()
    if folder.where(path) is None:
        raise RefusedPath(f"{path} is a symlink or outside the drop folder, its archive and its quarantine")
    file_name = file_name or path.name
    try:
        size, sha = path.stat().st_size, sha256_file(path)
    except FileNotFoundError:
        if key and folder.archived(key).is_file() and path != folder.archived(key):  # archived meanwhile
            return process_document(folder.archived(key), warehouse, folder=folder, key=key, file_name=file_name,
                                    timeout_s=timeout_s, max_bytes=max_bytes, max_pages=max_pages,
                                    extract_target=extract_target)
        return _set_aside_absent(warehouse, folder, key or document_key(file_name, "0" * 64), file_name, MISSING,
                                 f"{file_name} vanished before it could be read", str(path), started)
    key = key or document_key(file_name, sha)
    if digest_of(key) != sha[:HASH_CHARS]:
        message = (f"{file_name} now holds other content (sha256 {sha[:HASH_CHARS]}... instead of "
                   f"{digest_of(key)}...): it was replaced after the sensor saw it; the new content is read as "
                   "its own document")
        return _set_aside_absent(warehouse, folder, key, file_name, CHANGED, message, str(path), started)
    try:
        extraction = extract_with_timeout(path, timeout_s, max_bytes=max_bytes, max_pages=max_pages,
                                          _target=extract_target)
    except DocumentRejected as rejected:
        record = folder.quarantine_file(path, rejected.reason, rejected.message, sha256=sha, size=size,
                                        document_key=key, original=str(path))
        outcome = DocumentOutcome(key, file_name, "quarantined", sha, size, reason=rejected.reason,
                                  message=rejected.message, stored_path=record.file, reason_file=record.reason_file)
    else:
        archived = folder.archive_file(path, key)
        folder.release(key)  # e.g. a copy set aside for a timeout before this one was read
        outcome = DocumentOutcome(key, file_name, "extracted", sha, size, extraction=extraction,
                                  stored_path=archived)
    write_outcome(warehouse, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _set_aside_absent(warehouse: Warehouse, folder: DropFolder, key: str, name: str, reason: str, message: str,
                      original: str | None, started: float) -> DocumentOutcome:
    stored = _stored_document(warehouse, key)
    if stored is not None and stored["status"] == "extracted":  # e.g. a concurrent run of it just finished
        outcome = _outcome_from_row(stored)
        outcome.notes.append(f"{message}; the document was already read, its stored result is kept")
        outcome.seconds = time.perf_counter() - started
        return outcome
    record = folder.record_absent(name, reason, message, document_key=key, original=original)
    outcome = DocumentOutcome(key, name, "quarantined", reason=reason, message=message,
                              reason_file=record.reason_file)
    write_outcome(warehouse, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


_DOCUMENT_COLUMNS = ("file_name", "sha256", "size_bytes", "pages", "issuer", "fiscal_year_end", "scale",
                     "scale_text", "status", "reason", "message", "stored_path")


def write_outcome(warehouse: Warehouse, outcome: DocumentOutcome) -> None:
    """Replace the document's rows in one transaction; an unchanged document keeps even its extracted_at."""
    ex = outcome.extraction
    values = {
        "file_name": outcome.file_name, "sha256": outcome.sha256, "size_bytes": outcome.size,
        "pages": ex.pages if ex else None, "issuer": ex.issuer if ex else None,
        "fiscal_year_end": ex.fiscal_year_end if ex else None, "scale": ex.scale if ex else None,
        "scale_text": ex.scale_text if ex else None, "status": outcome.status, "reason": outcome.reason,
        "message": outcome.message, "stored_path": str(outcome.stored_path) if outcome.stored_path else None,
    }
    columns = ", ".join(_DOCUMENT_COLUMNS)
    excluded = ", ".join(f"excluded.{c}" for c in _DOCUMENT_COLUMNS)
    current = ", ".join(f"d.{c}" for c in _DOCUMENT_COLUMNS)
    with warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"muni.document:{outcome.key}"])
        cur.execute(
            f"INSERT INTO muni.documents AS d (document_key, {columns}) "
            f"VALUES (%s, {', '.join(['%s'] * len(_DOCUMENT_COLUMNS))}) "
            f"ON CONFLICT (document_key) DO UPDATE SET ({columns}, extracted_at) = ({excluded}, now()) "
            f"WHERE ({current}) IS DISTINCT FROM ({excluded})",
            [outcome.key, *(values[c] for c in _DOCUMENT_COLUMNS)],
        )
        cur.execute("DELETE FROM muni.document_metrics WHERE document_key = %s", [outcome.key])
        cur.execute("DELETE FROM muni.issuer_financials WHERE document_key = %s", [outcome.key])
        if ex is not None:
            cur.executemany(
                "INSERT INTO muni.document_metrics (document_key, metric, value, page, line, confidence) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(outcome.key, *row) for row in ex.to_frame().iter_rows()],
            )
            figures = {m: (v.value if v else None) for m, v in ((m, ex.values.get(m)) for m in METRICS)}
            metric_columns = ", ".join(METRICS)
            cur.execute(
                f"INSERT INTO muni.issuer_financials (document_key, issuer, fiscal_year_end, scale, "
                f"{metric_columns}, funded_ratio) VALUES ({', '.join(['%s'] * (len(METRICS) + 5))})",
                [outcome.key, ex.issuer, ex.fiscal_year_end, ex.scale, *figures.values(), ex.funded_ratio],
            )
            cur.execute("UPDATE muni.quarantine SET released_at = now() "
                        "WHERE document_key = %s AND released_at IS NULL", [outcome.key])
        else:
            cur.execute(
                "INSERT INTO muni.quarantine (document_key, reason, file_name, message, sha256, size_bytes, "
                "quarantined_path) VALUES (%s, %s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (document_key, reason) DO UPDATE SET attempts = muni.quarantine.attempts + 1, "
                "message = excluded.message, quarantined_path = excluded.quarantined_path, at = now(), "
                "released_at = NULL",
                [outcome.key, outcome.reason, outcome.file_name, outcome.message, outcome.sha256, outcome.size,
                 values["stored_path"]],
            )


def _stored_document(warehouse: Warehouse, key: str) -> dict[str, Any] | None:
    frame = warehouse.read_frame("SELECT * FROM muni.documents WHERE document_key = %s", [key])
    return frame.row(0, named=True) if frame.height else None


def _outcome_from_row(row: dict[str, Any]) -> DocumentOutcome:
    return DocumentOutcome(row["document_key"], row["file_name"], row["status"], row["sha256"], row["size_bytes"],
                           reason=row["reason"], message=row["message"],
                           stored_path=Path(row["stored_path"]) if row["stored_path"] else None)


def document_metrics(warehouse: Warehouse, key: str) -> pl.DataFrame:
    """The stored long-form metrics of one document, in METRICS order."""
    frame = warehouse.read_frame(
        "SELECT metric, value, page, line, confidence FROM muni.document_metrics WHERE document_key = %s", [key])
    order = {m: i for i, m in enumerate(METRICS)}
    return frame.sort(pl.col("metric").replace_strict(order, default=len(order))) if frame.height else frame


# --------------------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelSpec:
    """The synthetic panel a model learns from (see issuer_panel for how it is grounded)."""

    issuers: int = 5_000
    years: int = 10
    seed: int = 0


def train_model(warehouse: Warehouse, panel: PanelSpec = PanelSpec(), *, partition_key: str | None = None,
                params: dict[str, Any] | None = None, seed: int = 0, trained_at: dt.datetime | None = None,
                num_threads: int | None = None) -> TrainedModel:
    """Train on the synthetic panel and keep the version in muni.models (every version is kept)."""
    frame = generate_panel(panel.issuers, panel.years, seed=panel.seed)
    model = train(frame, seed=seed, params=params, trained_at=trained_at, num_threads=num_threads)
    store_model(warehouse, model, partition_key=partition_key,
                training_data={"source": "synthetic issuer panel", **asdict(panel), "rows": frame.height,
                               "documents": "not used: extracted reports carry no distress outcome"})
    return model


def store_model(warehouse: Warehouse, model: TrainedModel, *, partition_key: str | None,
                training_data: dict[str, Any]) -> None:
    with warehouse.connect() as conn:
        conn.execute(
            "INSERT INTO muni.models (version, trained_at, partition_key, parameters, features, training_data, auc, "
            "brier, base_rate_brier, calibration, feature_importance, booster, n_train, n_test) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (version) DO NOTHING",
            [model.version, model.trained_at, partition_key, Jsonb(model.parameters), Jsonb(model.features),
             Jsonb(training_data), model.auc, model.brier, model.base_rate_brier, Jsonb(model.calibration),
             Jsonb(model.feature_importance), model.booster_bytes, model.n_train, model.n_test],
        )


def latest_model(warehouse: Warehouse, as_of: dt.date | None = None) -> TrainedModel | None:
    """The newest model, or with `as_of` the newest whose month partition is not after that day's month.

    So re-scoring a past session uses the model of its time, not whatever was trained since; when every model
    is newer than the session (e.g. history scored on a fresh install), the oldest one is used.
    """
    month = as_of.replace(day=1).isoformat() if as_of else None
    with warehouse.connect() as conn:
        row = conn.execute(
            "SELECT version, trained_at, parameters, features, auc, brier, base_rate_brier, calibration, "
            "feature_importance, booster, n_train, n_test FROM muni.models "
            "ORDER BY (%s::text IS NULL OR coalesce(partition_key, left(trained_at::text, 10)) <= %s) DESC, "
            "CASE WHEN %s::text IS NULL OR coalesce(partition_key, left(trained_at::text, 10)) <= %s "
            "THEN trained_at END DESC NULLS LAST, trained_at ASC, version DESC LIMIT 1",
            [month, month, month, month]).fetchone()
    if row is None:
        return None
    (version, trained_at, parameters, features, auc, brier, base_brier, calibration, importance, booster,
     n_train, n_test) = row
    return TrainedModel(version=version, trained_at=trained_at, parameters=parameters, features=list(features),
                        auc=auc, brier=brier, base_rate_brier=base_brier, calibration=calibration,
                        feature_importance=importance, booster_bytes=bytes(booster), n_train=n_train,
                        n_test=n_test)


# --------------------------------------------------------------------------------------------------------------
# Scores
# --------------------------------------------------------------------------------------------------------------

_BOOK_SCHEMA = {ISSUER_ID: pl.String, "issuer_name": pl.String, "source": pl.String, "document_key": pl.String,
                "fiscal_year_end": pl.Date, **{name: pl.Float64 for name in FEATURES}}


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
    stored = _stored_financials(warehouse)
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
    if rows.height:
        warehouse.replace_rows("muni.risk_scores", rows, {"session": sessions})
    else:
        with warehouse.connect() as conn:
            conn.execute("DELETE FROM muni.risk_scores WHERE session = ANY(%s)", [sessions])
    newest = frames[sessions[-1]]
    shown = newest.with_columns(pl.col("top_drivers").str.json_decode(pl.List(pl.String)))
    cached = _publish_if_newest(warehouse, cache, shown, model.version, sessions[-1]) if cache else None
    return Scores(shown, model.version, sessions, documents=newest.filter(pl.col("source") == "document").height,
                  synthetic=newest.filter(pl.col("source") == "synthetic").height, cached=cached, rows=rows.height)


def _scored_book(model: TrainedModel, book: pl.DataFrame, num_threads: int | None) -> pl.DataFrame:
    """The book with probability, bucket and top drivers (JSON text, as stored), riskiest first."""
    scored = score(model, book, num_threads=num_threads) if book.height else pl.DataFrame(
        schema={ISSUER_ID: pl.String, "probability": pl.Float64, "bucket": pl.String,
                "top_drivers": pl.List(pl.String)})
    frame = (pl.concat([book.select(ISSUER_ID, "issuer_name", "source", "document_key", "fiscal_year_end"),
                        scored.drop(ISSUER_ID)], how="horizontal")
             .rename({ISSUER_ID: "issuer"}).sort("probability", "issuer", descending=[True, False]))
    drivers = pl.Series("top_drivers", [json.dumps(d) for d in frame["top_drivers"].to_list()], dtype=pl.String)
    return frame.with_columns(drivers)


def _publish_if_newest(warehouse: Warehouse, cache: HotCache, frame: pl.DataFrame, version: str,
                       session: dt.date) -> bool | None:
    """A backfill of an older day never makes the cache older."""
    with warehouse.connect() as conn:
        newest = conn.execute("SELECT max(session) FROM muni.risk_scores").fetchone()[0]
    if newest is not None and newest > session:
        return None
    payload = {"session": session, "model_version": version, "issuers": frame.to_dicts()}
    return cache.publish(RISK_CACHE_KEY, payload, as_of=session)


# Annual financial reports are due six months after the fiscal year ends (the GFOA certificate's deadline).
# A report counts from then, or from the day it was read if that came first, so scoring a past day never uses
# a report published after it, and a report read today counts today.
PUBLICATION_LAG = dt.timedelta(days=180)


def document_book(warehouse: Warehouse, as_of: dt.date | None = None) -> pl.DataFrame:
    """One row per issuer with extracted financials: its latest fiscal year known by `as_of` (all when None),
    the year before giving growth."""
    return _book_from_rows(_stored_financials(warehouse), as_of)


def _stored_financials(warehouse: Warehouse) -> pl.DataFrame:
    return warehouse.read_frame(
        "SELECT f.*, d.file_name, (d.extracted_at AT TIME ZONE 'America/New_York')::date AS read_on "
        "FROM muni.issuer_financials f JOIN muni.documents d USING (document_key) WHERE d.status = 'extracted' "
        "ORDER BY coalesce(f.issuer, f.document_key), f.fiscal_year_end NULLS FIRST, f.document_key")


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
        records.append({ISSUER_ID: issuer, "issuer_name": current["issuer"] or current["file_name"],
                        "source": "document", "document_key": current["document_key"],
                        "fiscal_year_end": current["fiscal_year_end"], **features})
    return pl.DataFrame(records, schema=_BOOK_SCHEMA)


def synthetic_book(issuers: int, seed: int = BOOK_SEED) -> pl.DataFrame:
    """The latest year of synthetic issuers no model has trained on."""
    if issuers <= 0:
        return pl.DataFrame(schema=_BOOK_SCHEMA)
    panel = generate_panel(issuers + issuers // 10 + 10, 1, seed=seed).head(issuers)
    return panel.select(
        pl.col("issuer_id").alias(ISSUER_ID), "issuer_name", pl.lit("synthetic").alias("source"),
        pl.lit(None, pl.String).alias("document_key"), pl.lit(None, pl.Date).alias("fiscal_year_end"), *FEATURES,
    ).cast(_BOOK_SCHEMA)


def read_scores(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    return warehouse.read_frame(
        "SELECT issuer, issuer_name, source, model_version, probability, bucket, top_drivers "
        "FROM muni.risk_scores WHERE session = %s ORDER BY probability DESC, issuer", [session])


# --------------------------------------------------------------------------------------------------------------
# One document, no Dagster (the CLI)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class DocumentScore:
    extraction: Extraction
    features: dict[str, float | None]
    probability: float
    bucket: str
    drivers: list[str]
    model_version: str
    model_origin: str  # where the model came from, in words


def score_document(path: str | Path, warehouse: Warehouse | None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                   max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES) -> DocumentScore:
    """Extract one report and score it with the newest stored model, else a model trained here and now.

    Raises DocumentRejected for an unusable file. Nothing is written.
    """
    extraction = extract_with_timeout(Path(path), timeout_s, max_bytes=max_bytes, max_pages=max_pages)
    model, origin = _model_for_cli(warehouse)
    features = features_from_metrics({m: (v.value if v else None) for m, v in extraction.values.items()})
    row = pl.DataFrame({ISSUER_ID: [extraction.issuer or Path(path).name],
                        **{name: pl.Series([features.get(name)], dtype=pl.Float64) for name in FEATURES}})
    result = score(model, row).row(0, named=True)
    return DocumentScore(extraction, features, result["probability"], result["bucket"], result["top_drivers"],
                         model.version, origin)


def _model_for_cli(warehouse: Warehouse | None) -> tuple[TrainedModel, str]:
    if warehouse is None:
        why = "no warehouse configured (INVESTING_PG_URL unset)"
    else:
        try:
            stored = latest_model(warehouse)
        except psycopg.Error as exc:
            why = f"warehouse unavailable ({type(exc).__name__})"
        else:
            if stored is not None:
                return stored, f"latest stored model in muni.models, trained {stored.trained_at:%Y-%m-%d %H:%M} UTC"
            why = "muni.models holds no model yet"
    spec = PanelSpec(issuers=3_000)
    model = train(generate_panel(spec.issuers, spec.years, seed=spec.seed), seed=0)
    return model, (f"trained on the spot on the synthetic panel ({spec.issuers:,} issuers x {spec.years} years, "
                   f"held-out AUC {model.auc:.3f}) because {why}; not stored")
