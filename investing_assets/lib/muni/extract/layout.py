"""Rows rebuilt from word positions: words whose vertical centres agree form a printed row; its trailing run of
numeric tokens holds the values and everything before it is the label. Numbers split into fragments or over
two lines, and labels wrapped over two lines, are joined back here."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from investing_assets.lib.muni.extract.tokens import classify, is_numericish


@dataclass
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def ym(self) -> float:
        return (self.y0 + self.y1) / 2


@dataclass
class Cell:
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
class Row:
    y0: float
    y1: float
    label_words: list[str]
    cells: list[Cell]
    raw: list[str]  # every word as printed, in x order: the provenance line
    x0: float = 0.0  # where the label starts: items under a heading are indented

    @property
    def height(self) -> float:
        return max(self.y1 - self.y0, 1.0)

    @property
    def label(self) -> str:
        return norm_label(" ".join(self.label_words))

    @property
    def line(self) -> str:
        return " ".join(w for w in self.raw if not _is_leader(w))

    @property
    def text(self) -> str:
        return norm_label(" ".join(self.raw))


_LEADER_CHARS = set(".…·_ ")


def _is_leader(word: str) -> bool:
    return bool(word) and set(word) <= _LEADER_CHARS and (len(word) >= 2 or word in ".…·_")


def norm_label(text: str) -> str:
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


def _group_lines(words: list[Word]) -> list[list[Word]]:
    """Words whose vertical centres agree form one printed row, whatever block MuPDF put them in."""
    lines: list[list[Word]] = []
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


def _merge_adjacent(words: list[Word]) -> list[tuple[Word, list[str]]]:
    """Glue numeric fragments drawn as separate text runs ("1,23" + "4.5", "(" + "12" + ")") back together."""
    out: list[tuple[Word, list[str]]] = []
    for w in words:
        if out and w.text == "%" and classify(out[-1][0].text)[0] in ("num", "dash"):  # "96.6 %" as two runs
            prev, raw = out[-1]
            out[-1] = (Word(prev.x0, prev.y0, w.x1, prev.y1, prev.text + "%"), raw + [w.text])
            continue
        if out:
            prev, raw = out[-1]
            gap = w.x0 - prev.x1
            joinable = (
                is_numericish(prev.text)
                and is_numericish(w.text)
                and (gap < 1.5 or (gap < 6 and (prev.text in ("(", "$", "$(") or w.text == ")")))
            )
            if joinable and classify(prev.text + w.text)[0] in ("num", "dash", "frag"):
                merged = Word(prev.x0, min(prev.y0, w.y0), w.x1, max(prev.y1, w.y1), prev.text + w.text)
                out[-1] = (merged, raw + [w.text])
                continue
        out.append((w, [w.text]))
    return out


def _split_row(words: list[Word]) -> Row:
    """The trailing run of numeric tokens holds the values; everything before it is the label."""
    tokens = _merge_adjacent(words)
    i = len(tokens)
    while i > 0 and classify(tokens[i - 1][0].text)[0] in ("num", "dash", "pct", "dollar", "frag"):
        i -= 1
    label = [w.text for w, _ in tokens[:i] if not _is_leader(w.text)]
    cells = []
    for w, raw in tokens[i:]:
        kind, value = classify(w.text)
        if kind != "dollar":
            cells.append(Cell(w.x0, w.x1, w.text, raw, kind, value))
    return Row(
        y0=min(w.y0 for w in words),
        y1=max(w.y1 for w in words),
        label_words=label,
        cells=cells,
        raw=[w.text for w in words],
        x0=words[0].x0,
    )


def _join_split_numbers(rows: list[Row]) -> None:
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
                kind, value = classify(cell.text + other.text)
                if kind != "num":
                    continue
                merged = Cell(
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


def _join_wrapped_labels(rows: list[Row]) -> list[Row]:
    """A label printed over two lines, values on one of them, is one row ("Net other postemployment
    benefits" / "(OPEB) liability  12.3")."""
    out: list[Row] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        if nxt is not None and _continues(row, nxt):
            if not row.cells:
                nxt.label_words = row.label_words + nxt.label_words
                nxt.raw = row.raw + nxt.raw
                nxt.y0 = row.y0
                nxt.x0 = row.x0
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


def _continues(row: Row, nxt: Row) -> bool:
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


def build_rows(words: list[Word]) -> list[Row]:
    rows = [_split_row(line) for line in _group_lines(words)]
    _join_split_numbers(rows)
    return _join_wrapped_labels(rows)
