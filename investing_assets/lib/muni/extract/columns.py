"""Which column of a statement holds the figure a rule wants, and how surely it is known.

Government-wide statements: Governmental | Business-type | Total | Component units -> the primary-government
Total. Governmental-funds statements: General | major funds | Nonmajor | Total governmental funds. Multi-year
schedules: the column headed by the latest year. Debt schedules: the ending balance.
"""

from __future__ import annotations

import re
from decimal import Decimal

from investing_assets.lib.muni.extract.layout import Cell, Row
from investing_assets.lib.muni.extract.pages import Column, Page

PRIMARY_TOTAL, GENERAL, GOVERNMENTAL_TOTAL, LATEST_YEAR, ENDING, SINGLE = (
    "primary_total", "general", "governmental_total", "latest_year", "ending", "single")


def column_for(name: str, page: Page, row: Row | None = None) -> tuple[Column | None, float]:
    """The column a rule reads, with a factor for how surely it is the right one (1.0: headed as such)."""
    cols = page.columns
    if name == PRIMARY_TOTAL:
        return _primary_total_column(cols)
    if name == GENERAL:
        return _general_column(cols)
    if name == GOVERNMENTAL_TOTAL:
        return _governmental_total_column(cols)
    if name == LATEST_YEAR:
        return _latest_year_column(cols)
    if name == ENDING:
        col = next((c for c in cols if re.search(r"ending|outstanding|end of (the )?year", c.header)), None)
        return (col, 1.0) if col else (None, 0.0)
    return None, 0.0


def cell_for(name: str, page: Page, row: Row) -> tuple[Cell | None, float]:
    """The cell of `row` in the rule's column; a row with one amount when the rule reads a single figure."""
    complete = [c for c in row.cells if c.complete]
    if name == SINGLE:
        if len(complete) == 1:
            return complete[0], 1.0
        col = next((c for c in page.columns if re.search(r"\btotals?\b", c.header)), None)
        return (col.cell(row), 0.9) if col else (None, 0.0)
    col, factor = column_for(name, page, row)
    if col is None:
        if name == ENDING and len(complete) == 1:
            return complete[0], 0.85
        return None, 0.0
    return col.cell(row), factor


def row_foots(page: Page, row: Row, cell: Cell) -> bool:
    """Do the amounts left of a Total cell add up to it (Governmental + Business-type = Total; the funds
    left of Total governmental funds)? Needs two or more parts, so a one-column statement proves nothing."""
    parts = [c.value for c in row.cells if c.complete and c.right < cell.x0 and c.value is not None]
    if len(parts) < 2 or cell.value is None:
        return False
    return sum(parts, Decimal(0)) == cell.value


def _primary_total_column(cols: list[Column]) -> tuple[Column | None, float]:
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
    for c in cols:
        if re.search(r"\bgeneral\b", c.header) and not re.search(
            r"total|nonmajor|other|obligation|debt service|special revenue|capital", c.header
        ):
            return c, 1.0
    return (cols[0], 0.8) if cols else (None, 0.0)  # GASB 34 puts the General Fund first


def _governmental_total_column(cols: list[Column]) -> tuple[Column | None, float]:
    """"Total Governmental Funds" (or just "Total"), the right-most such column; never a guess."""
    totals = [c for c in cols if re.search(r"\btotals?\b", c.header)
              and not re.search(r"nonmajor|other|memorandum|component|budget", c.header)]
    return (totals[-1], 1.0) if totals else (None, 0.0)


def _latest_year_column(cols: list[Column]) -> tuple[Column | None, float]:
    best: tuple[int, Column] | None = None
    for col in cols:
        years = [int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", col.header)]
        if years and (best is None or max(years) > best[0]):
            best = (max(years), col)
    if best:
        return best[1], 1.0
    return (cols[0], 0.75) if cols else (None, 0.0)
