"""Unusable files are refused before parsing, each with a machine-readable reason.

The checks run cheapest first: existence and size, the %PDF- header and %%EOF trailer bytes, then MuPDF's
open (password, page count), then whether enough pages carry a text layer to be worth reading.
"""

from __future__ import annotations

import math
from pathlib import Path

import pymupdf

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000

REJECT_REASONS: tuple[str, ...] = (
    "missing",
    "empty",
    "not_pdf",
    "truncated",
    "encrypted",
    "no_text_layer",
    "too_large",
    "too_many_pages",
    "timeout",
    "worker_died",
    "unreadable",
)


class DocumentRejected(Exception):
    """The file cannot be used; `reason` is one of REJECT_REASONS, `message` says why for a human."""

    def __init__(self, reason: str, message: str):
        if reason not in REJECT_REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}; expected one of {', '.join(REJECT_REASONS)}")
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message

    def __reduce__(self):  # survive pickling across the timeout guard's process boundary
        return (DocumentRejected, (self.reason, self.message))


_HEAD_BYTES = 1024  # the spec tolerates junk before %PDF- within the first KB
_TAIL_BYTES = 4096  # %%EOF must be near the end; a cut file loses it
_TEXT_PAGE_MIN_CHARS = 40
_TEXT_PAGE_MIN_FRACTION = 0.10


def open_checked(path: str | Path, max_bytes: int, max_pages: int) -> pymupdf.Document:
    """Open the file as a PDF after the cheap byte-level checks; the caller closes the document.

    Truncation policy: MuPDF silently repairs a cut file (it rebuilds the xref from what is left), so a cut file
    would "open" and quietly lose its last pages. We reject when "%%EOF" is missing from the last 4 KB. A file
    that ends properly but whose xref MuPDF had to rebuild (`doc.is_repaired`) is accepted: that damage is
    common in real reports and harmless to the text.
    """
    p = Path(path)
    if not p.is_file():
        raise DocumentRejected("missing", f"no such file: {p}")
    size = p.stat().st_size
    if size == 0:
        raise DocumentRejected("empty", f"{p.name} is zero bytes")
    if size > max_bytes:
        raise DocumentRejected("too_large", f"{p.name} is {size:,} bytes, over the limit of {max_bytes:,}")
    with p.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
        fh.seek(max(0, size - _TAIL_BYTES))
        tail = fh.read()
    if b"%PDF-" not in head:
        raise DocumentRejected("not_pdf", f"{p.name} does not start with a %PDF- header")
    if b"%%EOF" not in tail:
        raise DocumentRejected("truncated", f"{p.name} has no %%EOF marker at its end: the file is cut short")
    try:
        doc = pymupdf.open(p, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for garbage
        raise DocumentRejected("unreadable", f"{p.name} cannot be parsed as a PDF: {exc}") from exc
    try:
        if doc.needs_pass:
            raise DocumentRejected("encrypted", f"{p.name} is encrypted and needs a password to open")
        if doc.page_count == 0:
            raise DocumentRejected("unreadable", f"{p.name} has no pages")
        if doc.page_count > max_pages:
            raise DocumentRejected(
                "too_many_pages", f"{p.name} has {doc.page_count} pages, over the limit of {max_pages}"
            )
    except BaseException:
        doc.close()
        raise
    return doc


def page_texts(doc: pymupdf.Document, name: str) -> list[str]:
    try:
        return [page.get_text() for page in doc]
    except Exception as exc:
        raise DocumentRejected("unreadable", f"{name}: text extraction failed: {exc}") from exc


def require_text_layer(texts: list[str], name: str) -> None:
    """A scanned report without OCR has no words to read: say so instead of returning all-null figures."""
    with_text = sum(1 for t in texts if len("".join(t.split())) >= _TEXT_PAGE_MIN_CHARS)
    needed = max(1, math.ceil(_TEXT_PAGE_MIN_FRACTION * len(texts)))
    if with_text < needed:
        raise DocumentRejected(
            "no_text_layer",
            f"{name}: only {with_text} of {len(texts)} pages carry text (image-only scan?); OCR it first",
        )


def inspect_pdf(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES
) -> None:
    """Raise DocumentRejected when the file is unusable; return None when extraction can proceed."""
    doc = open_checked(path, max_bytes, max_pages)
    try:
        require_text_layer(page_texts(doc, Path(path).name), Path(path).name)
    finally:
        doc.close()
