"""Drawing a report page: text placed the way report software prints it, and statement tables (labels with
optional dot leaders and wrapping, right-aligned amount columns, rules over totals)."""

from __future__ import annotations

import random
from dataclasses import dataclass

import pymupdf

from investing_assets.lib.synthetic.muni_reports.issuers import SampleIssuer
from investing_assets.lib.synthetic.muni_reports.style import Style, font, format_units, text_width

PAGE_W, PAGE_H = 612.0, 792.0


class Canvas:
    """One page with a TextWriter; text is flushed when the page is finished."""

    def __init__(self, doc: pymupdf.Document, style: Style, landscape: bool = False):
        self.page_w, self.page_h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
        self.page = doc.new_page(width=self.page_w, height=self.page_h)
        self.writer = pymupdf.TextWriter(self.page.rect)
        self.style = style

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = "left",
        font_name: str | None = None,
    ) -> None:
        name = font_name or (self.style.bold if bold else self.style.font)
        size = size or self.style.size
        width = text_width(name, text, size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        self.writer.append((x, y), text, font=font(name), fontsize=size)

    def width(self, text: str, size: float | None = None, bold: bool = False) -> float:
        return text_width(self.style.bold if bold else self.style.font, text, size or self.style.size)

    def rule(self, x0: float, x1: float, y: float) -> None:
        self.page.draw_line((x0, y), (x1, y), width=0.5)

    def finish(self) -> None:
        self.writer.write_text(self.page)


@dataclass
class Line:
    """One printed statement line; values in printed units, None = blank cell."""

    label: str
    values: tuple[int | str | None, ...] = ()  # str: printed as is (rates, years)
    kind: str = "item"  # item | section | total | blank
    indent: int = 0
    dollar: bool = False


BLANK = Line("", kind="blank")


@dataclass
class Table:
    headers: list[list[str]]  # per value column: header lines, top to bottom
    lines: list[Line]
    rights: list[float]
    label_x: float = 54.0
    split_column: int | None = None  # modern: numbers in this column may be drawn broken
    decimals: int | None = None
    group_header: tuple[str, int, int] | None = None  # ("Primary Government", first col, last col)


def header_block(
    canvas: Canvas,
    issuer: SampleIssuer,
    title: list[str],
    date_line: str | None,
    scale_text: str | None,
    y: float = 50.0,
) -> float:
    """Issuer name, title lines, date and scale centred at the top; returns where the body starts."""
    canvas.text(canvas.page_w / 2, y, issuer.name, size=10, bold=True, align="center")
    y += 16
    for line in title:
        canvas.text(canvas.page_w / 2, y, line, size=12, bold=True, align="center")
        y += 15
    if date_line:
        canvas.text(canvas.page_w / 2, y, date_line, size=9, align="center")
        y += 12
    if scale_text:
        canvas.text(canvas.page_w / 2, y, scale_text, size=8.5, align="center")
        y += 12
    return y + 10


def draw_table(canvas: Canvas, table: Table, y: float, rng: random.Random) -> float:
    """Draw the table from `y` down; returns the y below its last line."""
    style = canvas.style
    col_w = min(72.0, (table.rights[-1] - table.label_x - 120) / max(1, len(table.rights)))
    label_right = table.rights[0] - col_w - 6
    wrap_at = min(style.wrap_width or 1e9, label_right - table.label_x)
    step = style.size + 3.2
    y = _draw_headers(canvas, table, y, col_w)
    for line in table.lines:
        if line.kind == "blank":
            y += step * 0.6
            continue
        x = table.label_x + 9 * line.indent
        label_lines = wrap(canvas, line.label, wrap_at - 9 * line.indent, bold=line.kind == "section")
        if line.kind == "total":
            for right in table.rights:
                canvas.rule(right - col_w + 10, right, y - style.size - 1)
        for i, part in enumerate(label_lines):
            last = i == len(label_lines) - 1
            text = part
            if last and style.leaders and line.values:
                text = _with_leaders(canvas, part, label_right - x)
            canvas.text(x + (0 if i == 0 else 6), y, text, bold=line.kind == "section")
            if not last:
                y += step
        _draw_values(canvas, table, line, y, col_w, len(label_lines) > 1, step, rng)
        y += step
    return y


def _draw_headers(canvas: Canvas, table: Table, y: float, col_w: float) -> float:
    size = canvas.style.size - 0.5
    depth = max(len(h) for h in table.headers)
    if table.group_header:
        text, first, last = table.group_header
        x0, x1 = table.rights[first] - col_w, table.rights[last]
        canvas.text((x0 + x1) / 2, y, text, size=size, bold=True, align="center")
        canvas.rule(x0, x1, y + 2)
        y += size + 4
    for level in range(depth):
        for right, lines in zip(table.rights, table.headers, strict=True):
            offset = depth - len(lines)  # bottom-align header lines
            if level >= offset and lines[level - offset]:
                canvas.text(
                    right - col_w / 2 + 2, y, lines[level - offset], size=size, bold=True, align="center"
                )
        y += size + 2
    return y + 8


def wrap(canvas: Canvas, text: str, width: float, bold: bool = False) -> list[str]:
    """Words greedily packed into lines no wider than `width`."""
    words, lines, current = text.split(), [], ""
    for word in words:
        trial = f"{current} {word}".strip()
        if current and canvas.width(trial, bold=bold) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    lines.append(current)
    return lines


def _with_leaders(canvas: Canvas, text: str, width: float) -> str:
    out = text + " "
    while canvas.width(out + ". ") < width - 4:
        out += ". "
    return out


def _draw_values(
    canvas: Canvas,
    table: Table,
    line: Line,
    y: float,
    col_w: float,
    wrapped: bool,
    step: float,
    rng: random.Random,
) -> None:
    style = canvas.style
    for i, (right, units) in enumerate(zip(table.rights, line.values, strict=False)):
        if units is None:
            continue
        if isinstance(units, str):
            canvas.text(right, y, units, align="right")
            continue
        text = format_units(units, style, table.decimals)
        if line.dollar and style.dollar == "attached" and units != 0:
            text = "$" + text
        elif line.dollar and style.dollar == "column":
            canvas.text(right - col_w + 8, y, "$")
        if i == table.split_column and style.split_numbers and "," in text:
            if wrapped:  # broken over the two printed lines of a wrapped label
                cut = text.index(",") + 1
                canvas.text(right, y - step, text[:cut], align="right")
                canvas.text(right, y, text[cut:], align="right")
                continue
            if rng.random() < 0.5:  # two text runs, the right one first in the content stream
                cut = len(text) // 2
                left_w = canvas.width(text[:cut])
                x0 = right - canvas.width(text)
                canvas.text(x0 + left_w, y, text[cut:])
                canvas.text(x0, y, text[:cut])
                continue
        canvas.text(right, y, text, align="right")
