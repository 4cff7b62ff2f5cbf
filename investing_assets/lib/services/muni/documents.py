"""Documents: read a dropped report under the timeout guard, then archive it and keep its figures, or set it
aside in the quarantine with a machine-readable reason. Re-running a document leaves the same rows."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

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
from investing_assets.lib.muni.extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    DocumentRejected,
    Extraction,
    extract_with_timeout,
)
from investing_assets.lib.storage.queries import muni as queries
from investing_assets.lib.storage.warehouse import Warehouse

DEFAULT_TIMEOUT_S = 120.0


class RefusedPath(ValueError):
    """A path the drop folder does not manage (a symlink, or outside the inbox, archive and quarantine)."""


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
                      max_pages: int = DEFAULT_MAX_PAGES, max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                      extract_target: Callable[..., Any] | None = None) -> DocumentOutcome:
    """One `muni_document` partition: find its bytes (archive, the sensor's path, quarantine, a copy set aside
    as its duplicate), then process.

    When the bytes are nowhere: a document already stored keeps its rows (nothing is lost by re-running it);
    a new one is recorded as quarantined with reason "missing".
    """
    started = time.perf_counter()
    path = folder.locate(key, path_hint)
    stored = queries.read_document(warehouse, key)
    name = Path(path_hint).name if path_hint else (stored or {}).get("file_name") or (
        path.name if path is not None and folder.where(path) != "archive" else f"{key}.pdf")
    if path is not None:
        return process_document(path, warehouse, folder=folder, key=key, file_name=name, timeout_s=timeout_s,
                                max_bytes=max_bytes, max_pages=max_pages, max_memory_mb=max_memory_mb,
                                extract_target=extract_target)
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
                     max_memory_mb: int = DEFAULT_MAX_MEMORY_MB,
                     extract_target: Callable[..., Any] | None = None) -> DocumentOutcome:
    """Extract one file under the timeout and memory guard, then archive it and store its figures, or
    quarantine it.

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
                                    max_memory_mb=max_memory_mb, extract_target=extract_target)
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
                                          max_memory_mb=max_memory_mb, _target=extract_target)
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
    stored = queries.read_document(warehouse, key)
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


def write_outcome(warehouse: Warehouse, outcome: DocumentOutcome) -> None:
    """Replace the document's rows in one transaction; an unchanged document keeps even its extracted_at."""
    ex = outcome.extraction
    document = {
        "file_name": outcome.file_name, "sha256": outcome.sha256, "size_bytes": outcome.size,
        "pages": ex.pages if ex else None, "issuer": ex.issuer if ex else None,
        "fiscal_year_end": ex.fiscal_year_end if ex else None, "scale": ex.scale if ex else None,
        "scale_text": ex.scale_text if ex else None, "status": outcome.status, "reason": outcome.reason,
        "message": outcome.message, "stored_path": str(outcome.stored_path) if outcome.stored_path else None,
        **_fiscal_year_end_source(ex),
    }
    if ex is None:
        queries.write_document(warehouse, outcome.key, document, None, None)
        return
    financials = {"issuer": ex.issuer, "fiscal_year_end": ex.fiscal_year_end, "scale": ex.scale,
                  **{m: (v.value if v else None) for m, v in ((m, ex.values.get(m)) for m in METRICS)},
                  "funded_ratio": ex.funded_ratio}
    queries.write_document(warehouse, outcome.key, document, ex.to_frame().iter_rows(), financials)


def _fiscal_year_end_source(ex: Extraction | None) -> dict[str, Any]:
    source = ex.fiscal_year_end_source if ex else None
    return {"fiscal_year_end_page": source.page if source else None,
            "fiscal_year_end_line": source.line if source else None,
            "fiscal_year_end_confidence": source.confidence if source else None}


def _outcome_from_row(row: dict[str, Any]) -> DocumentOutcome:
    return DocumentOutcome(row["document_key"], row["file_name"], row["status"], row["sha256"], row["size_bytes"],
                           reason=row["reason"], message=row["message"],
                           stored_path=Path(row["stored_path"]) if row["stored_path"] else None)


def document_metrics(warehouse: Warehouse, key: str) -> pl.DataFrame:
    """The stored long-form metrics of one document, in METRICS order."""
    frame = queries.read_document_metrics(warehouse, key)
    order = {m: i for i, m in enumerate(METRICS)}
    return frame.sort(pl.col("metric").replace_strict(order, default=len(order))) if frame.height else frame

