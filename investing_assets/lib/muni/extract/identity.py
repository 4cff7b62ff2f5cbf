"""Who issued the report, the fiscal year it closes and the scale its statements are printed in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import pymupdf

from investing_assets.lib.muni.extract.pages import parse_date
from investing_assets.lib.muni.extract.statements import NP, Document

_ENTITY_PREFIX = re.compile(
    r"(?:the )?(state|commonwealth|city and county|city|county|town|village|borough|township|parish|territory)"
    r" of [a-z][a-z .'&-]*[a-z]",
)
_ENTITY_SUFFIX = re.compile(
    r"[a-z][a-z .'-]*[a-z] (county|parish|(unified |independent |consolidated |community |city |union free )?"
    r"school district|public schools|(transit|water|sewer|port|housing|airport|utility|power) (authority|district))",
)
_SMALL_WORDS = {"of", "and", "the", "for", "in"}
_STOP_WORDS = {
    "comprehensive",
    "annual",
    "financial",
    "report",
    "management's",
    "statement",
    "notes",
    "basic",
}


def _title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w if i and w.lower() in _SMALL_WORDS else w[:1].upper() + w[1:]
        for i, w in enumerate(w.lower() if text.isupper() else w for w in words)
    )


def find_issuer(doc: Document) -> str | None:
    """The cover states the issuer's legal name on a line of its own in the largest type; fall back to the
    running header of the Statement of Net Position ("State of California Comprehensive Annual ...")."""
    best: tuple[float, int, str] | None = None
    for pno in range(min(3, doc.doc.page_count)):
        for order, (size, text) in enumerate(_cover_lines(doc.doc[pno])):
            norm = re.sub(r"\s+", " ", text.strip())
            low = norm.lower()
            if _ENTITY_PREFIX.fullmatch(low) or _ENTITY_SUFFIX.fullmatch(low):
                key = (size, -pno * 1000 - order, norm)
                if best is None or key[:2] > best[:2]:
                    best = key
    if best:
        return _title_case(best[2])
    for number in doc.statements[NP][:1]:
        for row in doc.page(number).rows[:4]:
            raw = " ".join(row.raw)
            m = _ENTITY_PREFIX.search(raw.lower())
            if m:
                words = raw[m.start() :].split()
                keep = []
                for w in words:
                    if w.lower() in _STOP_WORDS or not re.match(r"[A-Za-z]", w):
                        break
                    keep.append(w)
                if len(keep) >= 3:
                    return _title_case(" ".join(keep))
    return None


def _cover_lines(page: pymupdf.Page) -> Iterable[tuple[float, str]]:
    # text only: with images kept (the "dict" default) MuPDF decodes each one, and a small file can hold a
    # gigabyte-sized image
    for block in page.get_text("dict", flags=pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES)["blocks"]:
        for line in block.get("lines", []):
            spans = line["spans"]
            text = "".join(s["text"] for s in spans)
            if text.strip():
                yield max(s["size"] for s in spans), text


def find_fiscal_year_end(doc: Document) -> date | None:
    """The balance-sheet date under the Statement of Net Position title; else "fiscal year ended ..." on the
    cover pages."""
    for number in doc.statements[NP]:
        d = doc.page(number).date
        if d:
            return d
    for text in doc.texts[:3]:
        flat = re.sub(r"\s+", " ", text)
        m = re.search(r"years? ended,? (.{0,30})", flat, re.I)
        if m:
            d = parse_date(m.group(1))
            if d:
                return d
    return None


def document_scale(doc: Document) -> tuple[int, str | None, dict[int, tuple[int, str]]]:
    per_page = {n: doc.page(n).scale for n in doc.statements[NP] if doc.page(n).scale}
    for n in doc.statements[NP]:
        if n in per_page:
            mult, text = per_page[n]
            return mult, text, per_page
    return 1, None, per_page
