"""Who issued the report, the fiscal year it closes and the scale its statements are printed in."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import pymupdf

from investing_assets.lib.muni.extract.pages import parse_date
from investing_assets.lib.muni.extract.results import Provenance
from investing_assets.lib.muni.extract.statements import FB, NP, Document

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


def find_fiscal_year_end(doc: Document) -> tuple[date | None, Provenance | None]:
    """The balance-sheet date under the Statement of Net Position title; else "fiscal year ended ..." on the
    cover pages. Confidence: the statement's date 0.95, raised when the cover or the funds' balance sheet
    states the same day, lowered when one states another; the cover's alone 0.8."""
    for number in doc.statements[NP]:
        page = doc.page(number)
        d = page.date
        if d:
            line = next((" ".join(r.raw) for r in page.rows if parse_date(" ".join(r.raw)) == d), "")
            others = [o for o in (_cover_date(doc), *(doc.page(n).date for n in doc.statements[FB][:1])) if o]
            conf = 0.95
            if others:
                conf = 0.99 if all(o == d for o in others) else 0.75
            return d, Provenance(number, line, conf)
    for i, text in enumerate(doc.texts[:3]):
        found = _year_ended(text)
        if found:
            return found[0], Provenance(i + 1, found[1], 0.8)
    return None, None


def _cover_date(doc: Document) -> date | None:
    for text in doc.texts[:3]:
        found = _year_ended(text)
        if found:
            return found[0]
    return None


def _year_ended(text: str) -> tuple[date, str] | None:
    flat = re.sub(r"\s+", " ", text)
    m = re.search(r"years? ended,? (.{0,30})", flat, re.I)
    if m:
        d = parse_date(m.group(1))
        if d:
            return d, m.group(0).strip()
    return None


def document_scale(doc: Document) -> tuple[int, str | None, dict[int, tuple[int, str]]]:
    per_page = {n: doc.page(n).scale for n in doc.statements[NP] if doc.page(n).scale}
    for n in doc.statements[NP]:
        if n in per_page:
            mult, text = per_page[n]
            return mult, text, per_page
    return 1, None, per_page


def home_name(issuer: str | None) -> str:
    """The issuer's own name as its statistical tables print it: "State of Rhode Island and Providence
    Plantations" -> "rhode island", "City of Springfield" -> "springfield"."""
    if not issuer:
        return ""
    name = issuer.lower()
    m = _ENTITY_PREFIX.match(name)
    if m:
        name = name[name.index(" of ", m.start()) + 4:]
    return name.split(" and ")[0].strip()
