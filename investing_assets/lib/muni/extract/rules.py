"""One rule per metric: the statement kinds to search, the row labels that state it (best first) and the column
to read (primary-government Total, General Fund, latest year, ending balance, or the report's year in a
statistical table). A metric without such a row is None: never derived, never guessed. The confidence of a
value says how surely its column and scale were known."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cached_property

from investing_assets.lib.muni.extract.layout import Cell, Row
from investing_assets.lib.muni.extract.pages import Column, Page
from investing_assets.lib.muni.extract.results import ExtractedValue
from investing_assets.lib.muni.extract.statements import (
    DEBT,
    FB,
    FO,
    NP,
    NP_CONT,
    PENSION,
    STAT_AV,
    STAT_POP,
    Document,
)


@dataclass(frozen=True)
class Rule:
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
RULES: tuple[Rule, ...] = (
    Rule("total_assets", (NP, NP_CONT), (r"total assets",), "primary_total"),
    Rule("total_liabilities", (NP, NP_CONT), (r"total liabilities",), "primary_total"),
    Rule(
        "net_position_total",
        (NP, NP_CONT),
        (rf"total net (assets|position){_DEFICIT}", rf"net (assets|position){_DEFICIT}"),
        "primary_total",
    ),
    Rule(
        "net_position_unrestricted",
        (NP, NP_CONT),
        (rf"unrestricted( net (assets|position))?{_DEFICIT}",),
        "primary_total",
    ),
    Rule(
        "cash_and_investments",
        (NP, NP_CONT),
        (r"(total )?cash and (pooled )?investments", r"cash,? cash equivalents,? and investments"),
        "primary_total",
    ),
    Rule(
        "net_opeb_liability",
        (NP, NP_CONT),
        (r"net (opeb|other post-?employment benefits?)( \(opeb\))? liability", r"net opeb liabilities"),
        "primary_total",
    ),
    Rule("general_fund_revenues", (FO,), (r"total revenues",), "general"),
    Rule("general_fund_expenditures", (FO,), (r"total expenditures",), "general"),
    Rule("fund_balance_unassigned", (FB,), (rf"unassigned( fund balances?)?{_DEFICIT}",), "general"),
    Rule("fund_balance_assigned", (FB,), (r"assigned( fund balances?)?",), "general"),
    Rule("fund_balance_committed", (FB,), (r"committed( fund balances?)?",), "general"),
    Rule(
        "total_pension_liability",
        (PENSION,),
        (
            r"total pension liability ?[-,]? ?(ending|end of (the )?year)( \(a\))?",
            r"total pension liability( \(a\))?",
        ),
        "latest_year",
    ),
    Rule(
        "plan_fiduciary_net_position",
        (PENSION,),
        (
            r"plan fiduciary net position ?[-,]? ?(ending|end of (the )?year)( \(b\))?",
            r"plan fiduciary net position( \(b\))?",
        ),
        "latest_year",
    ),
    Rule(
        "long_term_debt",
        (DEBT,),
        (
            r"total long-term (debt|obligations|bonded debt)( outstanding)?",
            r"total outstanding (long-term )?debt",
        ),
        "ending",
    ),
    Rule("debt_service", (DEBT,), (r"total (annual )?debt service( paid)?",), "single"),
    Rule(
        "population",
        (STAT_POP,),
        (r"(estimated )?population( \(.*\))?",),
        "year_table",
        header=r"population",
        header_not=r"per |percent|%|density|change",
    ),
    Rule(
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
class Context:
    doc: Document
    scale: int
    fiscal_year_end: date | None
    np_scale_page: dict[int, tuple[int, str]]


def _column_for(rule: Rule, page: Page, row: Row) -> tuple[Cell | None, float]:
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


def _primary_total_column(cols: list[Column]) -> tuple[Column | None, float]:
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


def _general_column(cols: list[Column]) -> tuple[Column | None, float]:
    """Governmental-funds statements: the column headed "General" (Fund)."""
    for c in cols:
        if re.search(r"\bgeneral\b", c.header) and not re.search(
            r"total|nonmajor|other|obligation|debt service|special revenue|capital", c.header
        ):
            return c, 1.0
    return (cols[0], 0.8) if cols else (None, 0.0)  # GASB 34 puts the General Fund first


def _latest_year_column(cols: list[Column]) -> tuple[Column | None, float]:
    """Multi-year schedules (pension RSI): the column headed by the latest year, wherever it is printed."""
    best: tuple[int, Column] | None = None
    for col in cols:
        years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", col.header)]
        if years and (best is None or max(years) > best[0]):
            best = (max(years), col)
    if best:
        return best[1], 1.0
    return (cols[0], 0.75) if cols else (None, 0.0)


def _row_year(row: Row) -> int | None:
    m = re.search(r"\b((?:19|20)\d\d)\s*[-/]\s*(\d{2,4})\b", row.label)
    if m:
        end = m.group(2)
        return int(end) if len(end) == 4 else int(m.group(1)[:2] + end)
    years = re.findall(r"\b((?:19|20)\d\d)\b", row.label)
    return int(years[0]) if len(years) == 1 and len(row.label) <= 20 else None


def _page_scale(ctx: Context, page: Page, kind: str) -> tuple[int, float]:
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


def _cell_line(row: Row, cell: Cell) -> str:
    line = row.line
    for piece in cell.raw:
        if piece not in row.raw:  # a fragment from the neighbouring printed line
            line = f"{line} {piece}"
    return line


def from_rows(rule: Rule, ctx: Context) -> ExtractedValue | None:
    for number, kind in ctx.doc.search_order(rule.kinds):
        found = _find_in_page(rule, ctx, ctx.doc.page(number), kind)
        if found:
            return found
    return None


def _find_in_page(rule: Rule, ctx: Context, page: Page, kind: str) -> ExtractedValue | None:
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


def from_year_table(rule: Rule, ctx: Context) -> ExtractedValue | None:
    """Statistical tables list one fiscal year per row; read the rule's column on the report's year."""
    for number in ctx.doc.statements[rule.kinds[0]]:
        page = ctx.doc.page(number)
        found = _year_table_value(rule, ctx, page) or _key_value(rule, ctx, page)
        if found:
            return found
    return None


def _year_table_value(rule: Rule, ctx: Context, page: Page) -> ExtractedValue | None:
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


def _header_scale(header: str) -> int:
    if re.search(r"thousands|\b1,?000s\b", header):
        return 1_000
    return 1_000_000 if "millions" in header else 1


def _key_value(rule: Rule, ctx: Context, page: Page) -> ExtractedValue | None:
    for row in page.rows:
        complete = [c for c in row.cells if c.kind == "num"]
        if len(complete) == 1 and any(p.fullmatch(row.label) for p in rule.patterns):
            scale = 1 if rule.metric == "population" else (page.scale or (1, ""))[0]
            return ExtractedValue(
                rule.metric, _value(complete[0].value, scale), page.number, _cell_line(row, complete[0]), 0.85
            )
    return None
