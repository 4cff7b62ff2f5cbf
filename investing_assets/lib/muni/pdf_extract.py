"""Key credit figures from a municipal annual financial report (CAFR/ACFR) PDF, with provenance.

Why this shape: a muni report states a few dozen figures that matter for credit, scattered over statements
whose layouts differ by issuer and by era ("Net Assets" before GASB 63, "Net Position" after). We
1. reject unusable files early with a machine-readable reason (`DocumentRejected.reason`);
2. read every page's plain text once (cheap) to find the statement pages by their titles;
3. rebuild rows and columns from word positions only on those few candidate pages: numbers are right-aligned,
   so columns are clusters of right edges; "$" in its own column, parentheses, dashes, numbers split into
   fragments and labels wrapped over two lines are repaired there;
4. read each metric from one labelled row in one identified column (primary-government Total, General Fund,
   latest year, ending balance ...). A metric without such a row is None: never derived, never guessed.

Every value keeps its 1-based page, the source text line and a confidence that says how it was found.
"""

from __future__ import annotations

import math
import multiprocessing
import re
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import polars as pl
import pymupdf

from investing_assets.lib.core.muni_metrics import METRICS

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


# --------------------------------------------------------------------------------------------------------------
# Public results
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExtractedValue:
    """One figure as stated in the document: `value` in dollars (already multiplied by the page's scale),
    except `population`, which is a head count."""

    metric: str
    value: float
    page: int
    line: str
    confidence: float


@dataclass
class Extraction:
    issuer: str | None
    fiscal_year_end: date | None
    scale: int
    scale_text: str | None
    pages: int
    values: dict[str, ExtractedValue | None] = field(default_factory=dict)

    @property
    def funded_ratio(self) -> float | None:
        """Plan fiduciary net position / total pension liability, only when both are stated."""
        fnp = self.values.get("plan_fiduciary_net_position")
        tpl = self.values.get("total_pension_liability")
        if fnp is None or tpl is None or tpl.value == 0:
            return None
        return fnp.value / tpl.value

    def to_frame(self) -> pl.DataFrame:
        """Long form, one row per metric in METRICS order; a metric the document does not state is a null row."""
        rows = [self.values.get(m) for m in METRICS]
        return pl.DataFrame(
            {
                "metric": list(METRICS),
                "value": [v.value if v else None for v in rows],
                "page": [v.page if v else None for v in rows],
                "line": [v.line if v else None for v in rows],
                "confidence": [v.confidence if v else None for v in rows],
            },
            schema={
                "metric": pl.String,
                "value": pl.Float64,
                "page": pl.Int32,
                "line": pl.String,
                "confidence": pl.Float64,
            },
        )


class DocumentRejected(Exception):
    """The file cannot be used; `reason` is one of REJECT_REASONS, `message` says why for a human."""

    def __init__(self, reason: str, message: str):
        super().__init__(f"{reason}: {message}")
        self.reason = reason
        self.message = message

    def __reduce__(self):  # survive pickling across the timeout guard's process boundary
        return (DocumentRejected, (self.reason, self.message))


# --------------------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------------------

_HEAD_BYTES = 1024  # the spec tolerates junk before %PDF- within the first KB
_TAIL_BYTES = 4096  # %%EOF must be near the end; a cut file loses it
_TEXT_PAGE_MIN_CHARS = 40
_TEXT_PAGE_MIN_FRACTION = 0.10


def _open_checked(path: str | Path, max_bytes: int, max_pages: int) -> pymupdf.Document:
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


def _page_texts(doc: pymupdf.Document, name: str) -> list[str]:
    try:
        return [page.get_text() for page in doc]
    except Exception as exc:
        raise DocumentRejected("unreadable", f"{name}: text extraction failed: {exc}") from exc


def _require_text_layer(texts: list[str], name: str) -> None:
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
    doc = _open_checked(path, max_bytes, max_pages)
    try:
        _require_text_layer(_page_texts(doc, Path(path).name), Path(path).name)
    finally:
        doc.close()


# --------------------------------------------------------------------------------------------------------------
# Tokens: numbers as printed in statements
# --------------------------------------------------------------------------------------------------------------

_NUM_BODY = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
_DASH = re.compile(r"[-\u2010-\u2015\u2212]+0*|-0-")  # NY prints its zero dash as "—00000"
_PCT = re.compile(r"\(?-?\d+(?:\.\d+)?%\)?")
_YEAR = re.compile(r"(?:19|20)\d\d")
_FRAG = re.compile(r"[$(\-]*[\d,.]*\d[\d,.]*\)?|,[\d,.]*\d[\d,.]*\)?")
_NUMERIC_CHARS = set("0123456789,.()$-\u2212")


def _classify(text: str) -> tuple[str, Decimal | None]:
    """("num", value) | ("dash", 0) | ("pct", value) | ("dollar", None) | ("frag", None) | ("text", None)."""
    t = text.strip().replace("\u2212", "-")
    if not t:
        return "text", None
    if set(t) == {"$"}:
        return "dollar", None
    bare = t.replace("$", "")
    if bare and _DASH.fullmatch(bare):
        return "dash", Decimal(0)
    if _PCT.fullmatch(bare):
        return "pct", Decimal(bare.strip("()%"))
    if _YEAR.fullmatch(t):
        return "text", None  # a bare 4-digit year labels a row or column; statement amounts carry commas
    neg = False
    body = bare
    if body.startswith("(") and body.endswith(")"):
        neg, body = True, body[1:-1]
    if body.startswith("-"):
        neg, body = True, body[1:]
    if body and "(" not in body and ")" not in body and _NUM_BODY.fullmatch(body):
        value = Decimal(body.replace(",", ""))
        return "num", -value if neg else value
    if _FRAG.fullmatch(bare) or _FRAG.fullmatch(t):
        return "frag", None
    return "text", None


def _is_numericish(text: str) -> bool:
    return bool(text) and set(text) <= _NUMERIC_CHARS


# --------------------------------------------------------------------------------------------------------------
# Geometry: words -> rows -> label + value cells
# --------------------------------------------------------------------------------------------------------------


@dataclass
class _Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def ym(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class _Cell:
    x0: float
    x1: float
    text: str
    raw: list[str]
    kind: str
    value: Decimal | None

    @property
    def right(self) -> float:
        """Right edge of the digits: a closing parenthesis hangs past the column's alignment line."""
        if self.text.endswith(")") and len(self.text) > 1:
            return self.x1 - (self.x1 - self.x0) / len(self.text)
        return self.x1

    @property
    def complete(self) -> bool:
        return self.kind in ("num", "dash", "pct")


@dataclass
class _Row:
    y0: float
    y1: float
    label_words: list[str]
    cells: list[_Cell]
    raw: list[str]  # every word as printed, in x order: the provenance line

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def label(self) -> str:
        return _norm_label(" ".join(self.label_words))

    @property
    def line(self) -> str:
        return " ".join(w for w in self.raw if not _is_leader(w))

    @property
    def text(self) -> str:
        return _norm_label(" ".join(self.raw))


_LEADER_CHARS = set(".…·_ ")


def _is_leader(word: str) -> bool:
    return bool(word) and set(word) <= _LEADER_CHARS and (len(word) >= 2 or word in ".…·_")


def _norm_label(text: str) -> str:
    """Compare labels case-, ligature-, dash-, quote- and dot-leader-insensitively."""
    t = unicodedata.normalize("NFKC", text).lower()
    t = t.translate(
        str.maketrans(
            {
                "\u2018": "'",
                "\u2019": "'",
                "\u2010": "-",
                "\u2011": "-",
                "\u2012": "-",
                "\u2013": "-",
                "\u2014": "-",
                "\u2015": "-",
                "\u2212": "-",
            }
        )
    )
    t = re.sub(r"(?:\s*[.…·_]){2,}", " ", t)  # dot leaders, spaced or not
    t = re.sub(r"(?<=\s)\.(?=\s|$)", " ", t)
    t = re.sub(r"\s+", " ", t).strip(" .:…·_")
    return t


def _group_lines(words: list[_Word]) -> list[list[_Word]]:
    """Words whose vertical centres agree form one printed row, whatever block MuPDF put them in."""
    lines: list[list[_Word]] = []
    centers: list[float] = []
    for w in sorted(words, key=lambda w: (w.ym, w.x0)):
        tol = max(2.0, 0.35 * (w.y1 - w.y0))
        if lines and abs(w.ym - centers[-1]) <= tol:
            lines[-1].append(w)
            n = len(lines[-1])
            centers[-1] += (w.ym - centers[-1]) / n
        else:
            lines.append([w])
            centers.append(w.ym)
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _merge_adjacent(words: list[_Word]) -> list[tuple[_Word, list[str]]]:
    """Glue numeric fragments drawn as separate text runs ("1,23" + "4.5", "(" + "12" + ")") back together."""
    out: list[tuple[_Word, list[str]]] = []
    for w in words:
        if out:
            prev, raw = out[-1]
            gap = w.x0 - prev.x1
            joinable = (
                _is_numericish(prev.text)
                and _is_numericish(w.text)
                and (gap < 1.5 or (gap < 6 and (prev.text in ("(", "$", "$(") or w.text == ")")))
            )
            if joinable and _classify(prev.text + w.text)[0] in ("num", "dash", "frag"):
                merged = _Word(prev.x0, min(prev.y0, w.y0), w.x1, max(prev.y1, w.y1), prev.text + w.text)
                out[-1] = (merged, raw + [w.text])
                continue
        out.append((w, [w.text]))
    return out


def _split_row(words: list[_Word]) -> _Row:
    """The trailing run of numeric tokens holds the values; everything before it is the label."""
    tokens = _merge_adjacent(words)
    i = len(tokens)
    while i > 0 and _classify(tokens[i - 1][0].text)[0] in ("num", "dash", "pct", "dollar", "frag"):
        i -= 1
    label = [w.text for w, _ in tokens[:i] if not _is_leader(w.text)]
    cells = []
    for w, raw in tokens[i:]:
        kind, value = _classify(w.text)
        if kind != "dollar":
            cells.append(_Cell(w.x0, w.x1, w.text, raw, kind, value))
    return _Row(
        y0=min(w.y0 for w in words),
        y1=max(w.y1 for w in words),
        label_words=label,
        cells=cells,
        raw=[w.text for w in words],
    )


def _join_split_numbers(rows: list[_Row]) -> None:
    """A number broken over two printed lines ("12," above "345.6") becomes one cell again."""
    for upper, lower in zip(rows, rows[1:], strict=False):
        if lower.y0 - upper.y1 > 1.2 * upper.height:
            continue
        for cell in list(upper.cells):
            for other in list(lower.cells):
                if cell.complete and other.complete:
                    continue
                if abs(cell.x1 - other.x1) > 3 and not (other.x0 <= cell.x1 and cell.x0 <= other.x1):
                    continue
                kind, value = _classify(cell.text + other.text)
                if kind != "num":
                    continue
                merged = _Cell(
                    min(cell.x0, other.x0),
                    max(cell.x1, other.x1),
                    cell.text + other.text,
                    cell.raw + other.raw,
                    kind,
                    value,
                )
                keep_upper = any(c.complete for c in upper.cells if c is not cell)
                upper.cells.remove(cell)
                lower.cells.remove(other)
                target = upper if keep_upper else lower
                target.cells.append(merged)
                target.cells.sort(key=lambda c: c.x0)
                break


_CONNECTORS = ("and", "of", "for", "to", "in", "the", "net", "on", "&", "-", ",", "from", "with")


def _is_section_header(label: str, raw_label: str) -> bool:
    return (
        label.endswith(":")
        or raw_label.rstrip().endswith(":")
        or (raw_label.isupper() and len(raw_label) > 3)
    )


def _join_wrapped_labels(rows: list[_Row]) -> list[_Row]:
    """A label printed over two lines, values on one of them, is one row ("Net other postemployment
    benefits" / "(OPEB) liability  12.3")."""
    out: list[_Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if nxt is not None and _continues(row, nxt):
            if not row.cells:
                nxt.label_words = row.label_words + nxt.label_words
                nxt.raw = row.raw + nxt.raw
                nxt.y0 = row.y0
            else:
                row.label_words = row.label_words + nxt.label_words
                row.raw = row.raw + nxt.raw
                row.y1 = nxt.y1
                out.append(row)
                i += 2
                continue
            i += 1
            continue
        out.append(row)
        i += 1
    return out


def _continues(row: _Row, nxt: _Row) -> bool:
    if not row.label_words or nxt.y0 - row.y1 > 0.8 * row.height:
        return False
    raw_label = " ".join(row.label_words)
    if _is_section_header(row.label, raw_label):
        return False
    nxt_first = nxt.label_words[0] if nxt.label_words else ""
    lower_start = not nxt_first or nxt_first[0].islower() or nxt_first[0] == "("
    if not row.cells and nxt.cells:
        ends_open = (
            raw_label.rstrip().endswith((",", "-", "–", "—")) or raw_label.split()[-1].lower() in _CONNECTORS
        )
        return lower_start or ends_open
    if row.cells and not nxt.cells and nxt.label_words:
        return nxt_first[0].islower()
    return False


def _build_rows(words: list[_Word]) -> list[_Row]:
    rows = [_split_row(line) for line in _group_lines(words)]
    _join_split_numbers(rows)
    return _join_wrapped_labels(rows)


# --------------------------------------------------------------------------------------------------------------
# Pages: title block, scale, columns
# --------------------------------------------------------------------------------------------------------------

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}}),?\s*((?:19|20)\d\d)\b", re.I)
_SCALE = re.compile(r"\b(?:in|of)\s+(thousands|millions|billions)\b", re.I)
_SCALE_MULT = {"thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}
_BLOCK_END = re.compile(
    rf"\b({_MONTHS})\s+\d{{1,2}},?\s*\d{{4}}|\b(in|of) (thousands|millions)|years? ended|last ten", re.I
)


@dataclass
class _Column:
    left: float
    right: float
    count: int
    header: str = ""

    def cell(self, row: _Row) -> _Cell | None:
        for c in row.cells:
            if not c.complete:
                continue
            if abs(c.right - self.right) <= 12:
                return c
            if c.kind == "dash" and self.left - 6 <= (c.x0 + c.x1) / 2 <= self.right + 6:
                return c
        return None


class _Page:
    """Positional view of one page, built only for candidate pages."""

    def __init__(self, page: pymupdf.Page, number: int):
        self.number = number
        self.height = page.rect.height  # of the page as displayed, i.e. after its /Rotate
        self.words = _page_words(page)
        self.rows = _build_rows(self.words)

    @cached_property
    def title_rows(self) -> list[str]:
        """Short rows at the top of the page up to the date/scale line: where statement titles live."""
        parts: list[str] = []
        for row in self.rows[:10]:
            if row.y0 > 0.4 * self.height or len(row.raw) > 14 or _BLOCK_END.search(" ".join(row.raw)):
                break
            if re.search(r"(\.\s?){3,}|…", " ".join(row.raw)):
                break  # a table-of-contents entry, not a title
            parts.append(row.text)
        return parts

    @property
    def title_block(self) -> str:
        return " ".join(self.title_rows)

    @cached_property
    def scale(self) -> tuple[int, str] | None:
        for row in self.rows:
            if row.y0 > 0.45 * self.height:
                break
            text = " ".join(row.raw)
            m = _SCALE.search(text)
            if m and len(row.raw) <= 12:
                return _SCALE_MULT[m.group(1).lower()], text.strip()
        return None

    @cached_property
    def date(self) -> date | None:
        for row in self.rows:
            if row.y0 > 0.4 * self.height:
                break
            if len(row.raw) <= 10:
                d = _parse_date(" ".join(row.raw))
                if d:
                    return d
        return None

    @cached_property
    def columns(self) -> list[_Column]:
        return _find_columns(self.rows, self.words)


def _page_words(page: pymupdf.Page) -> list[_Word]:
    """Words in displayed orientation: landscape statements are often portrait pages with /Rotate 90, whose
    text MuPDF reports in unrotated coordinates (rows would run down the page)."""
    raw = page.get_text("words")
    if not page.rotation:
        return [_Word(w[0], w[1], w[2], w[3], w[4]) for w in raw]
    matrix = page.rotation_matrix
    words = []
    for w in raw:
        r = pymupdf.Rect(w[:4]) * matrix
        words.append(_Word(r.x0, r.y0, r.x1, r.y1, w[4]))
    return words


def _find_columns(rows: list[_Row], words: list[_Word]) -> list[_Column]:
    """Amounts are right-aligned: cluster the right edges of numbers; label each cluster with the header words
    printed above it."""
    cells = [c for r in rows for c in r.cells if c.kind in ("num", "pct")]
    if not cells:
        return []
    cells.sort(key=lambda c: c.right)
    groups: list[list[_Cell]] = [[cells[0]]]
    for c in cells[1:]:
        if c.right - groups[-1][-1].right > 10:
            groups.append([])
        groups[-1].append(c)
    value_rows = sum(1 for r in rows if r.cells)
    support = 2 if value_rows > 3 else 1
    cols = [
        _Column(left=min(c.x0 for c in g), right=statistics.median(c.right for c in g), count=len(g))
        for g in groups
        if len(g) >= support
    ]
    _label_columns(rows, cols, words)
    return cols


def _label_columns(rows: list[_Row], cols: list[_Column], words: list[_Word]) -> None:
    """Header = the rows above the first row with values in most columns; each column gets the words printed
    over its horizontal extent there ("Primary Government Total", "General Fund", "2023")."""
    if not cols:
        return
    need = 1 if len(cols) <= 2 else math.ceil(len(cols) / 2)
    header_rows: list[_Row] = []
    for row in rows:
        if sum(1 for c in cols if c.cell(row)) >= need and row.label_words:
            break
        if _BLOCK_END.search(" ".join(row.raw)):  # title, date and scale lines are no column headings
            header_rows.clear()
        else:
            header_rows.append(row)
    spans = [(r.y0, r.y1) for r in header_rows[-12:]]
    header_words = sorted(
        (w for w in words if any(y0 <= w.ym <= y1 for y0, y1 in spans)), key=lambda w: (round(w.ym), w.x0)
    )
    assigned: dict[int, list[str]] = {i: [] for i in range(len(cols))}
    for w in header_words:
        center = (w.x0 + w.x1) / 2
        dist = [max(c.left - center, center - c.right, 0.0) for c in cols]
        best = min(range(len(cols)), key=dist.__getitem__)
        if dist[best] <= 30:
            assigned[best].append(w.text)
    for i, col in enumerate(cols):
        col.header = _norm_label(" ".join(assigned[i]))


def _parse_date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return datetime.strptime(f"{m.group(1)} {m.group(2)} {m.group(3)}", "%B %d %Y").date()
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------------------
# Statement pages
# --------------------------------------------------------------------------------------------------------------

NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV = (
    "net_position",
    "net_position_continued",
    "fund_balance_sheet",
    "fund_operations",
    "pension",
    "debt",
    "population",
    "assessed_value",
)

_PREFILTER: dict[str, Callable[[str], bool]] = {
    NP: lambda t: "statement of net assets" in t or "statement of net position" in t,
    FB: lambda t: "balance sheet" in t and "governmental funds" in t,
    FO: lambda t: "changes in fund balance" in t and "governmental funds" in t,
    PENSION: lambda t: "pension liability" in t,
    DEBT: lambda t: "long-term debt" in t or "long-term obligations" in t,
    STAT_POP: lambda t: "population" in t,
    STAT_AV: lambda t: "assessed valu" in t,
}

_FUND_LEVEL = re.compile(
    r"proprietary|fiduciary|enterprise|component unit|internal service|\bfunds?\b|combining|reconciliation|"
    r"budget|changes in|discretely|notes to"
)
_NOT_GOV_FUNDS = re.compile(r"combining|nonmajor|reconciliation|proprietary|budget|actual|fiduciary")
_ANY_TITLE = re.compile(
    r"\bstatement of\b|balance sheet|\bschedule of\b|reconciliation|notes to|discussion and analysis|contents"
)


def _is_title(kind: str, page: _Page) -> bool:
    """Does the page's title block announce a statement of this kind (and not a fund-level variant)?"""
    tb = page.title_block
    if kind == NP:
        # a row that starts with the title, not a sentence ending "... in the Statement of Net Assets."
        starts = any(
            re.match(r"(government-wide )?statement of net (assets|position)\b", r) for r in page.title_rows
        )
        return starts and not _FUND_LEVEL.search(tb)
    if kind == FB:
        return "balance sheet" in tb and "governmental funds" in tb and not _NOT_GOV_FUNDS.search(tb)
    if kind == FO:
        return (
            bool(re.search(r"statement of revenues,? expenditures,? and changes in fund balance", tb))
            and "governmental funds" in tb
            and not _NOT_GOV_FUNDS.search(tb)
        )
    if kind == PENSION:
        return (
            "net pension liability" in tb
            and bool(re.search(r"schedule of changes|related ratios", tb))
            and ("proportionate" not in tb)
        )
    if kind == DEBT:
        return bool(re.search(r"long-term (debt|obligations)", tb))
    if kind == STAT_POP:
        return bool(re.search(r"demographic|population|miscellaneous statistic", tb))
    if kind == STAT_AV:
        return bool(re.search(r"assessed value|miscellaneous statistic", tb))
    return False


class _Document:
    """Page texts for the whole file plus positional pages built on demand."""

    def __init__(self, doc: pymupdf.Document, texts: list[str]):
        self.doc = doc
        self.texts = texts
        self.lower = [
            re.sub(r"\s+", " ", t.lower()).replace("\u2013", "-").replace("\u2014", "-") for t in texts
        ]
        self._pages: dict[int, _Page] = {}

    def page(self, number: int) -> _Page:
        if number not in self._pages:
            self._pages[number] = _Page(self.doc[number - 1], number)
        return self._pages[number]

    @cached_property
    def statements(self) -> dict[str, list[int]]:
        """Pages per statement kind, in document order; NP title pages are followed by their continuation."""
        found: dict[str, list[int]] = {k: [] for k in (NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV)}
        for i, text in enumerate(self.lower):
            for kind, pre in _PREFILTER.items():
                if pre(text) and _is_title(kind, self.page(i + 1)):
                    found[kind].append(i + 1)
        for n in found[NP]:
            nxt = n + 1
            if nxt <= len(self.texts) and nxt not in found[NP] and self._is_continuation(nxt):
                found[NP_CONT].append(nxt)
        return found

    def search_order(self, kinds: tuple[str, ...]) -> list[tuple[int, str]]:
        """Pages to search, in document order; a continuation page right after its title page."""
        pages = [(n, k) for k in kinds for n in self.statements[k]]
        return sorted(pages, key=lambda nk: nk[0])

    def _is_continuation(self, number: int) -> bool:
        text = self.lower[number - 1]
        if not ("total liabilities" in text or "net position" in text or "net assets" in text):
            return False
        return not _ANY_TITLE.search(self.page(number).title_block)


# --------------------------------------------------------------------------------------------------------------
# Metric rules
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    metric: str
    kinds: tuple[str, ...]
    labels: tuple[str, ...]  # full-match regexes on normalised labels, best first
    column: str  # primary_total | general | latest_year | ending | single | year_table
    header: str = ""  # year_table: regex the column header must match
    header_not: str = ""

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.labels)


_DEFICIT = r"( \(deficits?\))?"
_RULES: tuple[_Rule, ...] = (
    _Rule("total_assets", (NP, NP_CONT), (r"total assets",), "primary_total"),
    _Rule("total_liabilities", (NP, NP_CONT), (r"total liabilities",), "primary_total"),
    _Rule(
        "net_position_total",
        (NP, NP_CONT),
        (rf"total net (assets|position){_DEFICIT}", rf"net (assets|position){_DEFICIT}"),
        "primary_total",
    ),
    _Rule(
        "net_position_unrestricted",
        (NP, NP_CONT),
        (rf"unrestricted( net (assets|position))?{_DEFICIT}",),
        "primary_total",
    ),
    _Rule(
        "cash_and_investments",
        (NP, NP_CONT),
        (r"(total )?cash and (pooled )?investments", r"cash,? cash equivalents,? and investments"),
        "primary_total",
    ),
    _Rule(
        "net_opeb_liability",
        (NP, NP_CONT),
        (r"net (opeb|other post-?employment benefits?)( \(opeb\))? liability", r"net opeb liabilities"),
        "primary_total",
    ),
    _Rule("general_fund_revenues", (FO,), (r"total revenues",), "general"),
    _Rule("general_fund_expenditures", (FO,), (r"total expenditures",), "general"),
    _Rule("fund_balance_unassigned", (FB,), (rf"unassigned( fund balances?)?{_DEFICIT}",), "general"),
    _Rule("fund_balance_assigned", (FB,), (r"assigned( fund balances?)?",), "general"),
    _Rule("fund_balance_committed", (FB,), (r"committed( fund balances?)?",), "general"),
    _Rule(
        "total_pension_liability",
        (PENSION,),
        (
            r"total pension liability ?[-,]? ?(ending|end of (the )?year)( \(a\))?",
            r"total pension liability( \(a\))?",
        ),
        "latest_year",
    ),
    _Rule(
        "plan_fiduciary_net_position",
        (PENSION,),
        (
            r"plan fiduciary net position ?[-,]? ?(ending|end of (the )?year)( \(b\))?",
            r"plan fiduciary net position( \(b\))?",
        ),
        "latest_year",
    ),
    _Rule(
        "long_term_debt",
        (DEBT,),
        (
            r"total long-term (debt|obligations|bonded debt)( outstanding)?",
            r"total outstanding (long-term )?debt",
        ),
        "ending",
    ),
    _Rule("debt_service", (DEBT,), (r"total (annual )?debt service( paid)?",), "single"),
    _Rule(
        "population",
        (STAT_POP,),
        (r"(estimated )?population( \(.*\))?",),
        "year_table",
        header=r"population",
        header_not=r"per |percent|%|density|change",
    ),
    _Rule(
        "assessed_value",
        (STAT_AV,),
        (r"(total |net )?(taxable )?assessed (value|valuation)( \(.*\))?",),
        "year_table",
        header=r"assessed",
        header_not=r"ratio|percent|%|rate|actual|exempt|less|estimated",
    ),
)

_BASIC_STATEMENTS = (NP, NP_CONT, FB, FO)


@dataclass
class _Context:
    doc: _Document
    scale: int
    fiscal_year_end: date | None
    np_scale_page: dict[int, tuple[int, str]]


def _column_for(rule: _Rule, page: _Page, row: _Row) -> tuple[_Cell | None, float]:
    """The cell of `row` in the column the rule wants, with a factor for how surely the column is known."""
    cols = page.columns
    if rule.column == "single":
        complete = [c for c in row.cells if c.complete]
        if len(complete) == 1:
            return complete[0], 1.0
        col = next((c for c in cols if re.search(r"\btotals?\b", c.header)), None)
        return (col.cell(row), 0.9) if col else (None, 0.0)
    if rule.column == "primary_total":
        col, factor = _primary_total_column(cols)
    elif rule.column == "general":
        col, factor = _general_column(cols)
    elif rule.column == "latest_year":
        col, factor = _latest_year_column(cols)
    elif rule.column == "ending":
        col = next((c for c in cols if re.search(r"ending|outstanding|end of (the )?year", c.header)), None)
        factor = 1.0
        if col is None:
            complete = [c for c in row.cells if c.complete]
            return (complete[0], 0.85) if len(complete) == 1 else (None, 0.0)
    else:
        return None, 0.0
    return (col.cell(row), factor) if col else (None, 0.0)


def _primary_total_column(cols: list[_Column]) -> tuple[_Column | None, float]:
    """Government-wide statements: Governmental | Business-type | Total | Component units -> the Total."""
    totals = [
        c
        for c in cols
        if re.search(r"\btotals?\b", c.header)
        and not re.search(r"component|reporting entity|memorandum", c.header)
    ]
    if totals:
        return totals[0], 1.0
    primary = [c for c in cols if "component" not in c.header]
    if len(primary) == 1:
        return primary[0], 0.95  # governmental activities only: that column is the primary government
    component = [c for c in cols if "component" in c.header]
    if component and primary:
        left = [c for c in primary if c.right < component[0].left]
        if left:
            return left[-1], 0.8
    return (primary[-1], 0.7) if primary else (None, 0.0)


def _general_column(cols: list[_Column]) -> tuple[_Column | None, float]:
    """Governmental-funds statements: the column headed "General" (Fund)."""
    for c in cols:
        if re.search(r"\bgeneral\b", c.header) and not re.search(
            r"total|nonmajor|other|obligation|debt service|special revenue|capital", c.header
        ):
            return c, 1.0
    return (cols[0], 0.8) if cols else (None, 0.0)  # GASB 34 puts the General Fund first


def _latest_year_column(cols: list[_Column]) -> tuple[_Column | None, float]:
    """Multi-year schedules (pension RSI): the column headed by the latest year, wherever it is printed."""
    best: tuple[int, _Column] | None = None
    for col in cols:
        years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", col.header)]
        if years and (best is None or max(years) > best[0]):
            best = (max(years), col)
    if best:
        return best[1], 1.0
    return (cols[0], 0.75) if cols else (None, 0.0)


def _row_year(row: _Row) -> int | None:
    m = re.search(r"\b((?:19|20)\d\d)\s*[-/]\s*(\d{2,4})\b", row.label)
    if m:
        end = m.group(2)
        return int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
    years = re.findall(r"\b((?:19|20)\d\d)\b", row.label)
    return int(years[0]) if len(years) == 1 and len(row.label) <= 20 else None


def _page_scale(ctx: _Context, page: _Page, kind: str) -> tuple[int, float]:
    """Scale for values on this page and a confidence factor: a statement states its own scale; a continuation
    page inherits its title page's; a basic statement silent about scale is taken at the document's."""
    if page.scale:
        return page.scale[0], 1.0
    if kind == NP_CONT and page.number - 1 in ctx.np_scale_page:
        return ctx.np_scale_page[page.number - 1][0], 1.0
    if kind in _BASIC_STATEMENTS:
        return ctx.scale, 0.9
    return 1, 1.0


def _value(number: Decimal, scale: int) -> float:
    return float(number * scale)


def _cell_line(row: _Row, cell: _Cell) -> str:
    line = row.line
    for piece in cell.raw:
        if piece not in row.raw:  # a fragment from the neighbouring printed line
            line = f"{line} {piece}"
    return line


def _from_rows(rule: _Rule, ctx: _Context) -> ExtractedValue | None:
    for number, kind in ctx.doc.search_order(rule.kinds):
        found = _find_in_page(rule, ctx, ctx.doc.page(number), kind)
        if found:
            return found
    return None


def _find_in_page(rule: _Rule, ctx: _Context, page: _Page, kind: str) -> ExtractedValue | None:
    for rank, pattern in enumerate(rule.patterns):
        for row in page.rows:
            if not row.cells or not pattern.fullmatch(row.label):
                continue
            cell, col_factor = _column_for(rule, page, row)
            if cell is None or cell.value is None or cell.kind == "pct":
                continue
            scale, scale_factor = _page_scale(ctx, page, kind)
            conf = 0.95 * col_factor * scale_factor * (1.0 if rank == 0 else 0.9)
            conf *= 0.95 if kind == NP_CONT else 1.0
            return ExtractedValue(
                rule.metric, _value(cell.value, scale), page.number, _cell_line(row, cell), round(conf, 3)
            )
    return None


def _from_year_table(rule: _Rule, ctx: _Context) -> ExtractedValue | None:
    """Statistical tables list one fiscal year per row; read the rule's column on the report's year."""
    for number in ctx.doc.statements[rule.kinds[0]]:
        page = ctx.doc.page(number)
        found = _year_table_value(rule, ctx, page) or _key_value(rule, ctx, page)
        if found:
            return found
    return None


def _year_table_value(rule: _Rule, ctx: _Context, page: _Page) -> ExtractedValue | None:
    cols = [
        c
        for c in page.columns
        if re.search(rule.header, c.header) and not re.search(rule.header_not, c.header)
    ]
    if not cols:
        return None
    col = cols[0]
    dated = _first_year_block(page.rows, col)
    if not dated:
        return None
    target = ctx.fiscal_year_end.year if ctx.fiscal_year_end else max(y for y, _ in dated)
    exact = [(y, r) for y, r in dated if y == target]
    earlier = sorted((yr for yr in dated if yr[0] <= target), key=lambda yr: yr[0])
    if exact:
        row, conf = exact[0][1], 0.9
    elif earlier:
        row, conf = earlier[-1][1], 0.6  # the latest year the table states, older than the report
    else:
        return None
    cell = col.cell(row)
    scale = _header_scale(col.header) if rule.metric == "population" else (page.scale or (1, ""))[0]
    return ExtractedValue(rule.metric, _value(cell.value, scale), page.number, _cell_line(row, cell), conf)


def _first_year_block(rows: list[_Row], col: _Column) -> list[tuple[int, _Row]]:
    """The consecutive year rows of the first table on the page: a second table below (NY prints U.S. and
    state population on one page) must not lend its rows to the first one's columns."""
    block: list[tuple[int, _Row]] = []
    for row in rows:
        year = _row_year(row)
        cell = col.cell(row) if year else None
        if year and cell is not None and cell.kind == "num":
            block.append((year, row))
        elif block and (not year or not row.cells):
            break
    return block


def _header_scale(header: str) -> int:
    if re.search(r"thousands|\b1,?000s\b", header):
        return 1_000
    return 1_000_000 if "millions" in header else 1


def _key_value(rule: _Rule, ctx: _Context, page: _Page) -> ExtractedValue | None:
    for row in page.rows:
        complete = [c for c in row.cells if c.kind == "num"]
        if len(complete) == 1 and any(p.fullmatch(row.label) for p in rule.patterns):
            scale = 1 if rule.metric == "population" else (page.scale or (1, ""))[0]
            return ExtractedValue(
                rule.metric, _value(complete[0].value, scale), page.number, _cell_line(row, complete[0]), 0.85
            )
    return None


# --------------------------------------------------------------------------------------------------------------
# Issuer, fiscal year end, scale
# --------------------------------------------------------------------------------------------------------------

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


def _find_issuer(doc: _Document) -> str | None:
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
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", []):
            spans = line["spans"]
            text = "".join(s["text"] for s in spans)
            if text.strip():
                yield max(s["size"] for s in spans), text


def _find_fiscal_year_end(doc: _Document) -> date | None:
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
            d = _parse_date(m.group(1))
            if d:
                return d
    return None


def _document_scale(doc: _Document) -> tuple[int, str | None, dict[int, tuple[int, str]]]:
    per_page = {n: doc.page(n).scale for n in doc.statements[NP] if doc.page(n).scale}
    for n in doc.statements[NP]:
        if n in per_page:
            mult, text = per_page[n]
            return mult, text, per_page
    return 1, None, per_page


# --------------------------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------------------------


def extract(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES
) -> Extraction:
    """Read the figures in METRICS out of one report. Raises DocumentRejected for unusable files."""
    name = Path(path).name
    fitz_doc = _open_checked(path, max_bytes, max_pages)
    try:
        texts = _page_texts(fitz_doc, name)
        _require_text_layer(texts, name)
        doc = _Document(fitz_doc, texts)
        scale, scale_text, np_scales = _document_scale(doc)
        fye = _find_fiscal_year_end(doc)
        ctx = _Context(doc=doc, scale=scale, fiscal_year_end=fye, np_scale_page=np_scales)
        values: dict[str, ExtractedValue | None] = {}
        for rule in _RULES:
            values[rule.metric] = (
                _from_year_table(rule, ctx) if rule.column == "year_table" else _from_rows(rule, ctx)
            )
        return Extraction(
            issuer=_find_issuer(doc),
            fiscal_year_end=fye,
            scale=scale,
            scale_text=scale_text,
            pages=fitz_doc.page_count,
            values={m: values.get(m) for m in METRICS},
        )
    except DocumentRejected:
        raise
    except Exception as exc:
        raise DocumentRejected("unreadable", f"{name}: {type(exc).__name__}: {exc}") from exc
    finally:
        fitz_doc.close()


def _child_main(conn, target: Callable[..., Any], path: str, kwargs: dict[str, Any]) -> None:
    try:
        result = ("ok", target(path, **kwargs))
    except DocumentRejected as exc:
        result = ("rejected", exc)
    except BaseException as exc:  # report, don't die silently
        result = ("error", f"{type(exc).__name__}: {exc}")
    try:
        conn.send(result)
    finally:
        conn.close()


def extract_with_timeout(
    path: str | Path,
    timeout_s: float = 60,
    *,
    _target: Callable[..., Any] | None = None,
    **kw: Any,
) -> Extraction:
    """`extract` in a spawned child process, killed after `timeout_s` seconds (wall clock, child start-up
    included): a malformed PDF that sends the parser into a loop must not hang the pipeline.

    `_target` replaces `extract` in the child (tests use it to simulate a hang); it must be picklable.
    """
    ctx = multiprocessing.get_context("spawn")
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(sender, _target or extract, str(path), kw), daemon=True)
    proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise DocumentRejected(
                "timeout", f"{Path(path).name}: extraction exceeded {timeout_s:g} s; stopped"
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            proc.join(5)  # the pipe closes a moment before the exit code is known
            raise DocumentRejected(
                "worker_died", f"{Path(path).name}: the extraction process died (exit code {proc.exitcode})"
            ) from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "ok":
        return payload
    if status == "rejected":
        raise payload
    raise RuntimeError(f"extraction failed in the child process: {payload}")
