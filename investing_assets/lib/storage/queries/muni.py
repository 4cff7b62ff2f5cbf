"""SQL of the muni tables: documents and their figures, the quarantine, model versions and risk scores.

Why a document is not written with `Warehouse.replace_rows`: one document is one unit of four tables
(documents, document_metrics, issuer_financials, quarantine), and its rows change together in one transaction
under an advisory lock on the document key, so two runs of the same document (a sensor run and a re-run) never
interleave. The documents row is an upsert that rewrites only when a column changed: an unchanged document keeps
its `extracted_at`, the day its figures count from in the scored books. The quarantine row keeps the count of
attempts across runs and is released (not deleted) when the document is read. `replace_rows` replaces a
partition's rows wholesale and can do none of this. Model versions are insert-only (every version is kept).
Risk scores are per-session partitions and do go through `replace_rows`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl
import psycopg
from psycopg.types.json import Jsonb

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

DOCUMENT_COLUMNS = ("file_name", "sha256", "size_bytes", "pages", "issuer", "fiscal_year_end", "scale",
                    "scale_text", "status", "reason", "message", "stored_path", "fiscal_year_end_page",
                    "fiscal_year_end_line", "fiscal_year_end_confidence")
METRIC_COLUMNS = ("metric", "value", "page", "line", "confidence", "reason", "candidate")
FINANCIAL_COLUMNS = ("issuer", "fiscal_year_end", "scale", *METRICS, "funded_ratio")
MODEL_COLUMNS = ("version", "trained_at", "partition_key", "parameters", "features", "training_data", "auc",
                 "brier", "base_rate_brier", "calibration", "feature_importance", "booster", "n_train", "n_test", "by_coverage")
_JSON_MODEL_COLUMNS = frozenset({"parameters", "features", "training_data", "calibration", "feature_importance",
                                 "by_coverage"})


# -- documents ----------------------------------------------------------------------------------------------------
def write_document(warehouse: Warehouse, key: str, document: Mapping[str, Any],
                   metric_rows: Iterable[Sequence[Any]] | None, financials: Mapping[str, Any] | None) -> None:
    """Replace one document's rows in one transaction.

    `document` holds DOCUMENT_COLUMNS. An extracted document passes its long-form `metric_rows` (METRIC_COLUMNS:
    metric, value, page, line, confidence, reason, candidate) and its wide `financials` (FINANCIAL_COLUMNS), and any quarantine entry it had is
    released; a set-aside one passes None for both and its quarantine entry is recorded from `document`.
    """
    with warehouse.connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"muni.document:{key}"])
        _upsert_document(cur, key, document)
        cur.execute(f"DELETE FROM {names.MUNI_DOCUMENT_METRICS} WHERE document_key = %s", [key])
        cur.execute(f"DELETE FROM {names.MUNI_ISSUER_FINANCIALS} WHERE document_key = %s", [key])
        if metric_rows is not None and financials is not None:
            _insert_figures(cur, key, metric_rows, financials)
            cur.execute(f"UPDATE {names.MUNI_QUARANTINE} SET released_at = now() "
                        "WHERE document_key = %s AND released_at IS NULL", [key])
        else:
            _upsert_quarantine(cur, key, document)


def _upsert_document(cur: psycopg.Cursor, key: str, document: Mapping[str, Any]) -> None:
    """Rewritten (and `extracted_at` renewed) only when a column differs from what is stored."""
    columns = ", ".join(DOCUMENT_COLUMNS)
    excluded = ", ".join(f"excluded.{c}" for c in DOCUMENT_COLUMNS)
    current = ", ".join(f"d.{c}" for c in DOCUMENT_COLUMNS)
    cur.execute(
        f"INSERT INTO {names.MUNI_DOCUMENTS} AS d (document_key, {columns}) "
        f"VALUES (%s, {', '.join(['%s'] * len(DOCUMENT_COLUMNS))}) "
        f"ON CONFLICT (document_key) DO UPDATE SET ({columns}, extracted_at) = ({excluded}, now()) "
        f"WHERE ({current}) IS DISTINCT FROM ({excluded})",
        [key, *(document[c] for c in DOCUMENT_COLUMNS)],
    )


def _insert_figures(cur: psycopg.Cursor, key: str, metric_rows: Iterable[Sequence[Any]],
                    financials: Mapping[str, Any]) -> None:
    cur.executemany(
        f"INSERT INTO {names.MUNI_DOCUMENT_METRICS} (document_key, {', '.join(METRIC_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * (len(METRIC_COLUMNS) + 1))})",
        [(key, *row) for row in metric_rows],
    )
    cur.execute(
        f"INSERT INTO {names.MUNI_ISSUER_FINANCIALS} (document_key, {', '.join(FINANCIAL_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * (len(FINANCIAL_COLUMNS) + 1))})",
        [key, *(financials[c] for c in FINANCIAL_COLUMNS)],
    )


def _upsert_quarantine(cur: psycopg.Cursor, key: str, document: Mapping[str, Any]) -> None:
    """One entry per document and reason; a repeated failure counts an attempt and reopens the entry."""
    cur.execute(
        f"INSERT INTO {names.MUNI_QUARANTINE} (document_key, reason, file_name, message, sha256, size_bytes, "
        "quarantined_path) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        f"ON CONFLICT (document_key, reason) DO UPDATE SET attempts = {names.MUNI_QUARANTINE}.attempts + 1, "
        "message = excluded.message, quarantined_path = excluded.quarantined_path, at = now(), "
        "released_at = NULL",
        [key, document["reason"], document["file_name"], document["message"], document["sha256"],
         document["size_bytes"], document["stored_path"]],
    )


def read_document(warehouse: Warehouse, key: str) -> dict[str, Any] | None:
    """The stored documents row of one key, or None."""
    frame = warehouse.read_frame(f"SELECT * FROM {names.MUNI_DOCUMENTS} WHERE document_key = %s", [key])
    return frame.row(0, named=True) if frame.height else None


def documents_page(warehouse: Warehouse, limit: int, offset: int,
                   status: str | None = None) -> tuple[pl.DataFrame, int]:
    """One page of the documents (newest read first, without stored paths), and how many there are."""
    frame = warehouse.read_frame(
        "SELECT document_key, file_name, sha256, size_bytes, pages, issuer, fiscal_year_end, scale, scale_text, "
        f"status, reason, message, extracted_at, count(*) OVER () AS total FROM {names.MUNI_DOCUMENTS} "
        "WHERE %s::text IS NULL OR status = %s ORDER BY extracted_at DESC, document_key LIMIT %s OFFSET %s",
        [status, status, limit, offset])
    if frame.height:
        return frame.drop("total"), frame.item(0, "total")
    where = {"status": [status]} if status else None
    return frame.drop("total", strict=False), warehouse.count(names.MUNI_DOCUMENTS, where)


def read_document_metrics(warehouse: Warehouse, key: str) -> pl.DataFrame:
    """The long-form metrics of one document, in storage order."""
    return warehouse.read_frame(
        f"SELECT {', '.join(METRIC_COLUMNS)} FROM {names.MUNI_DOCUMENT_METRICS} WHERE document_key = %s",
        [key])


def read_extracted_financials(warehouse: Warehouse) -> pl.DataFrame:
    """Every extracted document's wide figures with its file name and the New York day it was read (`read_on`),
    by issuer (the document key when the issuer is unknown), then fiscal year end."""
    return warehouse.read_frame(
        "SELECT f.*, d.file_name, (d.extracted_at AT TIME ZONE 'America/New_York')::date AS read_on "
        f"FROM {names.MUNI_ISSUER_FINANCIALS} f JOIN {names.MUNI_DOCUMENTS} d USING (document_key) "
        "WHERE d.status = 'extracted' "
        "ORDER BY coalesce(f.issuer, f.document_key), f.fiscal_year_end NULLS FIRST, f.document_key")


# -- models -------------------------------------------------------------------------------------------------------
def insert_model(warehouse: Warehouse, model: Mapping[str, Any]) -> None:
    """Keep one model version (MODEL_COLUMNS); a version already stored is left as it is."""
    values = [Jsonb(model[c]) if c in _JSON_MODEL_COLUMNS else model[c] for c in MODEL_COLUMNS]
    with warehouse.connect() as conn:
        conn.execute(
            f"INSERT INTO {names.MUNI_MODELS} ({', '.join(MODEL_COLUMNS)}) "
            f"VALUES ({', '.join(['%s'] * len(MODEL_COLUMNS))}) ON CONFLICT (version) DO NOTHING",
            values,
        )


def read_latest_model(warehouse: Warehouse, month: str | None) -> dict[str, Any] | None:
    """The newest model (all of MODEL_COLUMNS but partition_key and training_data), or with `month` (an ISO
    first-of-month) the newest whose partition month is not after it, else the oldest one."""
    columns = [c for c in MODEL_COLUMNS if c not in ("partition_key", "training_data")]
    with warehouse.connect() as conn:
        cur = conn.execute(
            f"SELECT {', '.join(columns)} FROM {names.MUNI_MODELS} "
            "ORDER BY (%s::text IS NULL OR coalesce(partition_key, left(trained_at::text, 10)) <= %s) DESC, "
            "CASE WHEN %s::text IS NULL OR coalesce(partition_key, left(trained_at::text, 10)) <= %s "
            "THEN trained_at END DESC NULLS LAST, trained_at ASC, version DESC LIMIT 1",
            [month, month, month, month])
        row = cur.fetchone()
    return dict(zip(columns, row, strict=True)) if row is not None else None


# -- risk scores --------------------------------------------------------------------------------------------------
def replace_risk_scores(warehouse: Warehouse, rows: pl.DataFrame, sessions: Sequence[dt.date]) -> None:
    """The sessions' scores become `rows`; no rows clears the sessions."""
    if rows.height:
        warehouse.replace_rows(names.MUNI_RISK_SCORES, rows, {"session": sessions})
    else:
        with warehouse.connect() as conn:
            conn.execute(f"DELETE FROM {names.MUNI_RISK_SCORES} WHERE session = ANY(%s)", [sessions])


def newest_scored_session(warehouse: Warehouse) -> dt.date | None:
    with warehouse.connect() as conn:
        return conn.execute(f"SELECT max(session) FROM {names.MUNI_RISK_SCORES}").fetchone()[0]


def read_scored_book(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """One session's scores in the scoring's own columns and order (riskiest first, ties by issuer's bytes), with
    the model version: what the scores publish to the hot cache."""
    return warehouse.read_frame(
        "SELECT issuer, issuer_name, source, document_key, fiscal_year_end, status, inputs_present, probability, "
        f"bucket, top_drivers, model_version FROM {names.MUNI_RISK_SCORES} WHERE session = %s "
        'ORDER BY probability DESC NULLS LAST, issuer COLLATE "C"', [session])


def read_risk_scores(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """One session's scores, riskiest first."""
    return warehouse.read_frame(
        "SELECT issuer, issuer_name, source, model_version, probability, bucket, top_drivers, status, "
        f"inputs_present FROM {names.MUNI_RISK_SCORES} WHERE session = %s "
        "ORDER BY probability DESC NULLS LAST, issuer", [session])
