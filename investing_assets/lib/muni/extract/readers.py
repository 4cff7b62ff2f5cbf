"""Reading a rule's figure off the statement pages: one labelled row in the rule's column; a label printed as a
heading, read from its total row or the rows under it; a statistical table's row or column for the report's
year. Each reader returns the value, or why there is none (`Missing`, with the line that looked like it).

Base confidence is 0.9 times factors for how surely the column, the scale and the label were known; the checks
in `crossfoot` raise it for figures that add up and lower it for figures that do not.
"""

from __future__ import annotations

import re
from decimal import Decimal

from investing_assets.lib.core.muni_metrics import COUNT_METRICS
from investing_assets.lib.muni.extract.columns import (
    GOVERNMENTAL_TOTAL,
    PRIMARY_TOTAL,
    cell_for,
    column_for,
    row_foots,
)
from investing_assets.lib.muni.extract.layout import Cell, Row
from investing_assets.lib.muni.extract.pages import Column, Page, group_headers
from investing_assets.lib.muni.extract.results import (
    LINES,
    NOT_RECOGNISED,
    NOT_STATED,
    ExtractedValue,
    Missing,
)
from investing_assets.lib.muni.extract.rules import Context, Rule
from investing_assets.lib.muni.extract.statements import FB, FO, NP, NP_CONT, SECTION_NAMES

BASE_CONFIDENCE = 0.9
_BASIC_STATEMENTS = (NP, NP_CONT, FB, FO)
_FOOTING_COLUMNS = (PRIMARY_TOTAL, GOVERNMENTAL_TOTAL)


def searched(rule: Rule, ctx: Context) -> str:
    pages = sorted({n for k in rule.kinds for n in ctx.doc.statements[k]})
    where = " / ".join(SECTION_NAMES[k] for k in rule.kinds if k != NP_CONT)
    return f"{where}: pages {', '.join(map(str, pages))}" if pages else f"{where}: none found in the report"


class _Candidates:
    """The first line on a searched page that shows the figure is there, kept for a `not_recognised` reason."""

    def __init__(self) -> None:
        self.page: int | None = None
        self.line: str | None = None

    def note(self, page: int, line: str) -> None:
        if self.line is None:
            self.page, self.line = page, line

    def missing(self, rule: Rule, ctx: Context) -> Missing:
        if self.line is None:
            return Missing(rule.metric, NOT_STATED, searched=searched(rule, ctx))
        return Missing(rule.metric, NOT_RECOGNISED, self.page, self.line[:200], searched(rule, ctx))


def from_rows(rule: Rule, ctx: Context) -> ExtractedValue | Missing:
    candidates = _Candidates()
    for number, kind in ctx.doc.search_order(rule.kinds):
        page = ctx.doc.view(number, kind)
        found = _find_in_page(rule, ctx, page, kind, candidates)
        if found:
            return found
    return candidates.missing(rule, ctx)


def headings(rows: list[Row]) -> list[str]:
    """For each row, the label of the nearest heading above it (a labelled row without values)."""
    out, current = [], ""
    for row in rows:
        out.append(current)
        if not row.cells and row.label_words:
            current = row.label
    return out


def _find_in_page(rule: Rule, ctx: Context, page: Page, kind: str,
                  candidates: _Candidates) -> ExtractedValue | None:
    rows = page.rows
    above = headings(rows)
    for rank, pattern in enumerate(rule.patterns):
        matched = [i for i, row in enumerate(rows) if pattern.fullmatch(row.label)
                   and (not rule.section or re.search(rule.section, above[i]) or re.search(rule.section, row.label))]
        if rule.sum_parts and len(matched) > 1:
            found = _sum_of_parts(rule, ctx, page, kind, [rows[i] for i in matched], rank)
            if found:
                return found
        for i in matched:
            row = rows[i]
            if row.cells:
                found = _row_value(rule, ctx, page, kind, row, rank)
            elif rule.headings:
                found = _under_heading(rule, ctx, page, kind, rows, i, rank)
            else:
                found = None
            if found:
                return found
            candidates.note(page.number, row.line)
    if rule.candidate_pattern and candidates.line is None:
        for row in rows:
            if rule.candidate_pattern.search(row.text):
                candidates.note(page.number, row.line)
                break
    return None


def _row_value(rule: Rule, ctx: Context, page: Page, kind: str, row: Row, rank: int) -> ExtractedValue | None:
    cell, col_factor = cell_for(rule.column, page, row)
    if cell is None or cell.value is None or cell.kind == "pct":
        return None
    conf = _confidence(ctx, page, kind, col_factor, rank)
    value = ExtractedValue(rule.metric, _value(cell.value, page_scale(ctx, page, kind)[0]), page.value_page(cell),
                           cell_line(row, cell), conf, basis="row")
    if rule.column in _FOOTING_COLUMNS and row_foots(page, row, cell):
        value = value.adjusted(conf + (1 - conf) * 0.5, "row foots: the columns left of Total add up to it")
    return value


def _confidence(ctx: Context, page: Page, kind: str, col_factor: float, rank: int) -> float:
    conf = BASE_CONFIDENCE * col_factor * page_scale(ctx, page, kind)[1] * (1.0 if rank == 0 else 0.95)
    return round(conf * (0.95 if kind == NP_CONT else 1.0), 3)


def _under_heading(rule: Rule, ctx: Context, page: Page, kind: str, rows: list[Row], at: int,
                   rank: int) -> ExtractedValue | None:
    """A heading without values ("Deferred inflows of resources", "Due in more than one year:", "Unreserved,
    reported in:"): its "Total ..." row when printed, else the sum of the rows indented under it, up to the next
    heading, total or row at its own indentation. Blank cells in a column count as zero (some states print no
    dash)."""
    heading = rows[at]
    col, col_factor = column_for(rule.column, page, heading)
    if col is None:
        return None
    parts: list[tuple[Row, Cell | None]] = []
    for row in rows[at + 1:]:
        if row.label_words and row.x0 <= heading.x0 + 1 and not row.label.startswith("total"):
            break  # back at the heading's indentation: the next item of its level ("Unassigned")
        if not row.cells:
            if row.label_words:
                break  # the next heading
            continue
        if row.label.startswith("total"):
            cell = col.cell(row)
            if _is_total_of(row.label, heading.label) and cell is not None and cell.value is not None:
                conf = _confidence(ctx, page, kind, col_factor, rank)
                return ExtractedValue(rule.metric, _value(cell.value, page_scale(ctx, page, kind)[0]),
                                      page.value_page(cell), cell_line(row, cell), conf, basis="heading's total row")
            break
        parts.append((row, col.cell(row)))
    stated = [(r, c) for r, c in parts if c is not None and c.value is not None]
    if not stated:
        return None
    total = sum((c.value for _, c in stated), Decimal(0))
    scale = page_scale(ctx, page, kind)[0]
    factor = 1.0 if len(parts) == 1 else 0.95
    conf = round(_confidence(ctx, page, kind, col_factor, rank) * factor, 3)
    line = LINES.join([heading.line] + [cell_line(r, c) for r, c in stated])
    basis = "single row under heading" if len(parts) == 1 else f"sum of {len(parts)} rows under heading"
    return ExtractedValue(rule.metric, _value(total, scale), page.number, line[:400], conf, basis=basis)


def _sum_of_parts(rule: Rule, ctx: Context, page: Page, kind: str, rows: list[Row],
                  rank: int) -> ExtractedValue | None:
    """Several rows that are parts of one figure ("Unreserved, designated" and "Unreserved, undesignated")."""
    col, col_factor = column_for(rule.column, page)
    if col is None:
        return None
    valued = [(r, col.cell(r)) for r in rows if r.cells]
    stated = [(r, c) for r, c in valued if c is not None and c.value is not None]
    if len(stated) < 2:
        return None
    total = sum((c.value for _, c in stated), Decimal(0))
    conf = round(_confidence(ctx, page, kind, col_factor, rank) * 0.95, 3)
    line = LINES.join(cell_line(r, c) for r, c in stated)
    return ExtractedValue(rule.metric, _value(total, page_scale(ctx, page, kind)[0]), page.number, line[:400],
                          conf, basis=f"sum of {len(stated)} rows")


def _is_total_of(total_label: str, heading: str) -> bool:
    words = [w for w in re.findall(r"[a-z]+", heading) if w not in ("of", "the", "and", "resources")]
    return bool(words) and all(w in total_label for w in words[:2])


def page_scale(ctx: Context, page: Page, kind: str) -> tuple[int, float]:
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


def cell_line(row: Row, cell: Cell) -> str:
    line = row.line
    for piece in cell.raw:
        if piece not in row.raw:  # a fragment from the neighbouring printed line
            line = f"{line} {piece}"
    return line


# -- statistical tables ---------------------------------------------------------------------------------------
def from_year_table(rule: Rule, ctx: Context) -> ExtractedValue | Missing:
    """Statistical tables list one year per row (read the rule's column on the report's year) or one year per
    column (read the issuer's row under the rule's heading in the latest year's column)."""
    candidates = _Candidates()
    for kind in rule.kinds:
        for number in ctx.doc.statements[kind]:
            page, spread = ctx.doc.page(number), ctx.doc.view(number, kind)
            # years down the page: the page alone first (a spread may join two tables' columns); years
            # across: the spread, whose right-hand page holds the latest years
            found = (_year_rows(rule, ctx, page) or (spread is not page and _year_rows(rule, ctx, spread))
                     or _year_columns(rule, ctx, spread) or _key_value(rule, page))
            if found:
                return found
            for row in page.rows:
                if re.search(rule.header, row.text):
                    candidates.note(page.number, row.line)
                    break
    return candidates.missing(rule, ctx)


def _report_year(ctx: Context, years: list[int]) -> int:
    return ctx.fiscal_year_end.year if ctx.fiscal_year_end else max(years)


def _year_confidence(ctx: Context, year: int, target: int) -> float:
    """The report's own year; or the calendar year that ended within its fiscal year (a June report's
    statistics for the December before); anything older is flagged."""
    if year == target:
        return 0.9
    fye = ctx.fiscal_year_end
    if fye is not None and year == fye.year - 1 and (fye.month, fye.day) != (12, 31):
        return 0.85
    return 0.6


def _year_rows(rule: Rule, ctx: Context, page: Page) -> ExtractedValue | None:
    headers = group_headers(page)
    cols = [(c, whole) for c, (whole, leaf) in zip(page.columns, headers, strict=True)
            if re.search(rule.header, whole) and not re.search(rule.header_not, whole)
            and not (rule.leaf_not and re.search(rule.leaf_not, leaf))]
    cols = _home_columns(cols, ctx.home)
    if not cols:
        return None
    col, header = cols[0]
    dated = _first_year_block(page.rows, col)
    if not dated:
        return None
    target = _report_year(ctx, [y for y, _ in dated])
    earlier = sorted((yr for yr in dated if yr[0] <= target), key=lambda yr: yr[0])
    if not earlier:
        return None
    year, row = earlier[-1]  # the report's year, else the latest year the table states before it
    conf = _year_confidence(ctx, year, target)
    cell = col.cell(row)
    # the scale from the words printed over this column alone: a group phrase may reach a neighbour's
    # "(thousands of dollars)"
    scale = _header_scale(col.header) or _stated_count_scale(rule, page) or (
        1 if rule.metric in COUNT_METRICS else (page.scale or (1, ""))[0])
    return ExtractedValue(rule.metric, _value(cell.value, scale), page.value_page(cell), cell_line(row, cell), conf,
                          basis=f"year row, column headed {header!r}"[:120])


def _stated_count_scale(rule: Rule, page: Page) -> int:
    """A head count printed in thousands says so somewhere above the table ("Resident Population (expressed
    in thousands)")."""
    if rule.metric not in COUNT_METRICS:
        return 0
    for row in page.rows[:15]:
        if re.search(r"population \((expressed )?in thousands\)", row.text):
            return 1_000
    return 0


def _home_columns(cols: list[tuple[Column, str]], home: str) -> list[tuple[Column, str]]:
    """Tables that print the nation beside the state: the state's column, never the nation's."""
    own = [(c, h) for c, h in cols if not re.search(r"united states|\bu\.? ?s\.?\b|nation", h)]
    if home:
        named = [(c, h) for c, h in own if home in h]
        if named:
            return named
    return own


def _year_columns(rule: Rule, ctx: Context, page: Page) -> ExtractedValue | None:
    """Years across the top (California): under the heading the rule names, the issuer's row (or the first
    row), in the column of the report's year or the latest year before it."""
    year_cols = [(int(years[0]), c) for c in page.columns
                 if len(years := re.findall(r"\b((?:19|20)\d\d)\b", c.header)) == 1]
    if len(year_cols) < 3:
        return None
    target = _report_year(ctx, [y for y, _ in year_cols])
    usable = sorted((yc for yc in year_cols if yc[0] <= target), key=lambda yc: yc[0])
    if not usable:
        return None
    year, col = usable[-1]
    rows = page.rows
    for i, row in enumerate(rows):
        if row.cells or not re.search(rule.header, row.label) or re.search(rule.header_not, row.label):
            continue
        for member in rows[i + 1:]:
            if not member.cells:
                break
            name = re.sub(r"[\s\d*]+$", "", member.label)
            if ctx.home and name and not (ctx.home.startswith(name) or name.startswith(ctx.home)):
                continue
            cell = col.cell(member)
            if cell is None or cell.kind != "num":
                return None
            scale = _header_scale(row.label) or (1 if rule.metric in COUNT_METRICS else 1)
            conf = _year_confidence(ctx, year, target)
            return ExtractedValue(rule.metric, _value(cell.value, scale), page.value_page(cell),
                                  f"{row.line}{LINES}{cell_line(member, cell)}", conf, basis=f"year column {year}")
    return None


def _first_year_block(rows: list[Row], col: Column) -> list[tuple[int, Row]]:
    """The consecutive year rows of the first table on the page: a second table below (NY prints U.S. and
    state population on one page) must not lend its rows to the first one's columns."""
    block: list[tuple[int, Row]] = []
    for row in rows:
        year = _row_year(row)
        cell = col.cell(row) if year else None
        if year and cell is not None and cell.kind == "num":
            block.append((year, row))
        elif block and (not year or not row.cells):
            break
    return block


def _row_year(row: Row) -> int | None:
    m = re.search(r"\b((?:19|20)\d\d)\s*[-/]\s*(\d{2,4})\b", row.label)
    if m:
        end = m.group(2)
        return int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
    years = re.findall(r"\b((?:19|20)\d\d)\b", row.label)
    return int(years[0]) if len(years) == 1 and len(row.label) <= 20 else None


def _header_scale(header: str) -> int:
    if re.search(r"thousands|\b1,?000s\b", header):
        return 1_000
    if "billions" in header:
        return 1_000_000_000
    return 1_000_000 if "millions" in header else 0


def _key_value(rule: Rule, page: Page) -> ExtractedValue | None:
    for row in page.rows:
        complete = [c for c in row.cells if c.kind == "num"]
        if len(complete) == 1 and any(p.fullmatch(row.label) for p in rule.patterns):
            scale = 1 if rule.metric in COUNT_METRICS else (page.scale or (1, ""))[0]
            return ExtractedValue(rule.metric, _value(complete[0].value, scale), page.number,
                                  cell_line(row, complete[0]), 0.85, basis="key/value row")
    return None
