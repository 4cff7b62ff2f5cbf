"""Unusable files are refused before parsing, each with a machine-readable reason.

The checks run cheapest first: existence and size, the %PDF- header and %%EOF trailer bytes, then MuPDF's
open (password, page count), then whether enough pages carry a text layer to be worth reading. Running out of
memory anywhere (the extraction child runs under a limit) is its own reason, `too_much_memory`.
"""

from __future__ import annotations

import math
import mmap
import re
from pathlib import Path

import pymupdf

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_PAGES = 2000
DEFAULT_MAX_MEMORY_MB = 1024  # what reading one document may take on top of the extraction process's start

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
    "too_much_memory",
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
_TAIL_BYTES = 4096  # where %%EOF normally is; further back only when trailing bytes follow it
# What a PDF revision is made of: found after the last %%EOF, it is a later revision cut short.
_PDF_SYNTAX = re.compile(rb"\d+\s+\d+\s+obj\b|\bendobj\b|\bendstream\b|\bstartxref\b")
# MuPDF's words for an allocation that failed (it raises them as plain RuntimeErrors)
_OUT_OF_MEMORY = re.compile(r"\b(?:malloc|calloc|realloc)\b.*\bfailed\b|out of memory", re.I)


def out_of_memory(exc: BaseException) -> bool:
    """A MemoryError, or MuPDF's failed allocation, here or in what caused it."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, MemoryError) or _OUT_OF_MEMORY.search(str(exc)):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def failure(reason: str, name: str, message: str, exc: BaseException) -> DocumentRejected:
    """`reason` for an exception while reading `name`, unless memory ran out: then `too_much_memory`."""
    if out_of_memory(exc):
        return DocumentRejected("too_much_memory", f"{name} needs more memory than the extraction's limit: {exc}")
    return DocumentRejected(reason, message)
_TEXT_PAGE_MIN_CHARS = 40
_TEXT_PAGE_MIN_FRACTION = 0.10


def open_checked(path: str | Path, max_bytes: int, max_pages: int) -> pymupdf.Document:
    """Open the file as a PDF after the cheap byte-level checks; the caller closes the document.

    Truncation policy: MuPDF silently repairs a cut file (it rebuilds the xref from what is left), so a cut file
    would "open" and quietly lose its last pages. We reject as `truncated` a file without "%%EOF", or whose last
    "%%EOF" is followed by PDF objects (a later revision cut short, e.g. an incremental update). Other bytes after
    it (padding, a mail or download tool's trailer) are accepted, at any length, when the document then opens and
    reads. A file whose xref MuPDF had to rebuild (`doc.is_repaired`) is accepted: that damage is common in real
    reports and harmless to the text.
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
    if b"%PDF-" not in head:
        raise DocumentRejected("not_pdf", f"{p.name} does not start with a %PDF- header")
    _require_complete(p, size)
    try:
        doc = pymupdf.open(p, filetype="pdf")
    except Exception as exc:  # MuPDF raises several types for garbage
        raise failure("unreadable", p.name, f"{p.name} cannot be parsed as a PDF: {exc}", exc) from exc
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


def _require_complete(path: Path, size: int) -> None:
    """`truncated` unless the file's last %%EOF closes a whole revision (see `open_checked`)."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        end = data.rfind(b"%%EOF", max(0, size - _TAIL_BYTES))
        if end < 0:  # trailing bytes, or cut: look further back
            end = data.rfind(b"%%EOF")
        if end < 0:
            raise DocumentRejected("truncated", f"{path.name} has no %%EOF marker: the file is cut short")
        if _PDF_SYNTAX.search(data, end + 5):
            raise DocumentRejected("truncated", f"{path.name} goes on with PDF objects after its last %%EOF "
                                                "marker: a later revision is cut short")


def page_texts(doc: pymupdf.Document, name: str) -> list[str]:
    try:
        return [page.get_text() for page in doc]
    except Exception as exc:
        raise failure("unreadable", name, f"{name}: text extraction failed: {exc}", exc) from exc


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
