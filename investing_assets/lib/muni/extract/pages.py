"""One statement page seen positionally: its title block, the scale it states ("in thousands"), its date, and
its value columns found as clusters of right-aligned number edges, each labelled by the header words above it."""

from __future__ import annotations

import math
import re
import statistics
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

import pymupdf

from investing_assets.lib.muni.extract.layout import Cell, Row, Word, build_rows, norm_label

_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_DATE = re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}}),?\s*((?:19|20)\d\d)\b", re.I)
_SCALE = re.compile(r"\b(?:in|of)\s+(thousands|millions|billions)\b", re.I)
_SPACED_SCALE = re.compile(r"\((?:amounts|dollars|expressed)?(?:in|of)(thousands|millions|billions)\)", re.I)
_SCALE_MULT = {"thousands": 1_000, "millions": 1_000_000, "billions": 1_000_000_000}
_BLOCK_END = re.compile(
    rf"\b({_MONTHS})\s+\d{{1,2}},?\s*\d{{4}}|\b(in|of) (thousands|millions)|years? ended|last ten", re.I
)
_TITLE_LINE = re.compile(rf"\b({_MONTHS})\s+\d{{1,2}},?\s*\d{{4}}|years? ended|last ten", re.I)
_SCALE_ONLY = re.compile(r"\(?(amounts |dollars |expressed )?(in|of) (thousands|millions|billions)( of dollars)?\)?",
                         re.I)


@dataclass
class Column:
    left: float
    right: float
    count: int
    header: str = ""

    def cell(self, row: Row) -> Cell | None:
        for c in row.cells:
            if not c.complete:
                continue
            if abs(c.right - self.right) <= 12:
                return c
            if c.kind == "dash" and self.left - 6 <= (c.x0 + c.x1) / 2 <= self.right + 6:
                return c
        return None


class Page:
    """Positional view of one page, built only for candidate pages."""

    def __init__(self, page: pymupdf.Page, number: int):
        self.number = number
        self.height = page.rect.height  # of the page as displayed, i.e. after its /Rotate
        self.width = page.rect.width
        self.words = _page_words(page)
        self.rows = build_rows(self.words)
        self.spread_of: int | None = None  # the facing page's number when this is a two-page spread
        self._split = self.width

    @classmethod
    def spread(cls, left: Page, right: Page) -> Page:
        """Facing pages as one wide page: a statement whose columns continue on the right-hand page, its rows
        printed at the same heights without labels (the labels are on the left)."""
        page = cls.__new__(cls)
        page.number = left.number
        page.height = max(left.height, right.height)
        page.width = left.width + right.width
        page.words = left.words + [Word(w.x0 + left.width, w.y0, w.x1 + left.width, w.y1, w.text)
                                   for w in right.words]
        page.rows = build_rows(page.words)
        page.spread_of = right.number
        page._split = left.width
        return page

    @property
    def label_free_value_rows(self) -> float:
        """Share of the rows with values that have no label: near 1 on the right-hand page of a spread."""
        valued = [r for r in self.rows if len(r.cells) >= 2]
        if len(valued) < 5:
            return 0.0
        return sum(1 for r in valued if not r.label_words) / len(valued)

    @cached_property
    def title_rows(self) -> list[str]:
        """Short rows at the top of the page up to the date/scale line: where statement titles live."""
        parts: list[str] = []
        for row in self.rows[:10]:
            titled = re.match(r"(schedules?|statements?) of\b", row.text)  # may be long, may state its scale
            if row.y0 > 0.4 * self.height or (len(row.raw) > 14 and not titled):
                break
            if _BLOCK_END.search(" ".join(row.raw)):
                if titled:
                    parts.append(row.text)
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
            m = _SCALE.search(text) or _SPACED_SCALE.search(text.replace(" ", ""))
            if m and len(row.raw) <= 12:
                return _SCALE_MULT[m.group(1).lower()], text.strip()
        return None

    @cached_property
    def date(self) -> date | None:
        for row in self.rows:
            if row.y0 > 0.4 * self.height:
                break
            if len(row.raw) <= 10:
                d = parse_date(" ".join(row.raw))
                if d:
                    return d
        return None

    @cached_property
    def columns(self) -> list[Column]:
        return _find_columns(self.rows, self.words)

    def value_page(self, cell: Cell) -> int:
        """The page a cell is printed on: the right-hand page of a spread for cells in its half."""
        if self.spread_of is not None and cell.x0 >= self._split:
            return self.spread_of
        return self.number


def _page_words(page: pymupdf.Page) -> list[Word]:
    """Words in displayed orientation: landscape statements are often portrait pages with /Rotate 90, whose
    text MuPDF reports in unrotated coordinates (rows would run down the page)."""
    raw = page.get_text("words")
    if not page.rotation:
        return [Word(w[0], w[1], w[2], w[3], w[4]) for w in raw]
    matrix = page.rotation_matrix
    words = []
    for w in raw:
        r = pymupdf.Rect(w[:4]) * matrix
        words.append(Word(r.x0, r.y0, r.x1, r.y1, w[4]))
    return words


def _find_columns(rows: list[Row], words: list[Word]) -> list[Column]:
    """Amounts are right-aligned: cluster the right edges of numbers; label each cluster with the header words
    printed above it."""
    cells = [c for r in rows for c in r.cells if c.kind in ("num", "pct")]
    if not cells:
        return []
    cells.sort(key=lambda c: c.right)
    groups: list[list[Cell]] = [[cells[0]]]
    for c in cells[1:]:
        if c.right - groups[-1][-1].right > 10:
            groups.append([])
        groups[-1].append(c)
    value_rows = sum(1 for r in rows if r.cells)
    support = 2 if value_rows > 3 else 1
    cols = [
        Column(left=min(c.x0 for c in g), right=statistics.median(c.right for c in g), count=len(g))
        for g in groups
        if len(g) >= support
    ]
    _label_columns(rows, cols, words)
    return cols


def header_rows(rows: list[Row], cols: list[Column]) -> list[Row]:
    """The rows above the first row with values in most columns, after the last title, date or scale line."""
    need = 1 if len(cols) <= 2 else math.ceil(len(cols) / 2)
    found: list[Row] = []
    for row in rows:
        if sum(1 for c in cols if c.cell(row)) >= need and row.label_words:
            break
        # title, date and scale lines are no column headings; but a heading that states its scale
        # ("Population (in thousands)") may sit under the years that head the columns
        text = " ".join(row.raw).strip()
        if _TITLE_LINE.search(text) or _SCALE_ONLY.fullmatch(text):
            found.clear()
        else:
            found.append(row)
    return found[-12:]


def _label_columns(rows: list[Row], cols: list[Column], words: list[Word]) -> None:
    """Each column gets the header words printed over its horizontal extent ("Primary Government Total",
    "General Fund", "2023")."""
    if not cols:
        return
    spans = [(r.y0, r.y1) for r in header_rows(rows, cols)]
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
        col.header = norm_label(" ".join(assigned[i]))


def group_headers(page: Page) -> list[tuple[str, str]]:
    """(whole header, lowest header) per column, reading header rows as phrases: a phrase printed over a group
    of columns ("Population" over "United States | Alabama", "Per Capita Personal Income" over two more) heads
    every column nearer to it than to the row's other phrases. Title lines ("Schedule of ...") head nothing.
    A stacked label ("Percent" over "Change") may reach a neighbouring column too: rules exclude on the lowest
    header ("Amount", "Change") what only a column's own label says."""
    cols = page.columns
    out: list[tuple[list[str], str]] = [([], "") for _ in cols]
    for row in header_rows(page.rows, cols):
        if re.search(r"\b(schedule|statement|state) of\b", row.text):
            continue
        phrases = _phrases([w for w in page.words if row.y0 <= w.ym <= row.y1])
        for i, col in enumerate(cols):
            reach = [p for p in phrases if max(p[0] - col.right, col.left - p[1], 0.0) <= 40]
            if reach:
                center = (col.left + col.right) / 2
                text = min(reach, key=lambda p: abs((p[0] + p[1]) / 2 - center))[2]
                out[i][0].append(text)
                out[i] = (out[i][0], text)
    return [(norm_label(" ".join(whole)), norm_label(leaf)) for whole, leaf in out]


def _phrases(words: list[Word]) -> list[tuple[float, float, str]]:
    """Words of one printed row grouped into phrases where the gap is wider than the type is tall."""
    phrases: list[tuple[float, float, str]] = []
    for w in sorted(words, key=lambda w: w.x0):
        if phrases and w.x0 - phrases[-1][1] <= max(w.y1 - w.y0, 4.0):
            x0, _, text = phrases[-1]
            phrases[-1] = (x0, w.x1, f"{text} {w.text}")
        else:
            phrases.append((w.x0, w.x1, w.text))
    return phrases


def parse_date(text: str) -> date | None:
    m = _DATE.search(text)
    if not m:
        return None
    try:
        return datetime.strptime(f"{m.group(1)} {m.group(2)} {m.group(3)}", "%B %d %Y").date()
    except ValueError:
        return None
