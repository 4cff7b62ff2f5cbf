"""Bonds outstanding: the primary government's bonds payable at the fiscal year end, from the debt note's table of
changes in long-term liabilities.

Why there and not the statement of net position: the statements of the six real state reports print bonds only
within the noncurrent liabilities (the current portion is pooled with every other liability due within one
year), so the year-end total of bonds is printed only in the changes table GASB 34 requires: beginning balance,
additions, reductions, ending balance, due within one year, for governmental then business-type activities
(component units follow and are not the issuer's debt).

How it is read, by rule rather than by one report's spellings:
- sections: "governmental activities" / "business-type activities" headings, or the section's total row ("Total
  governmental activities") closing it; "component units" or "Total primary government" ends the reading;
- bond groups: rows whose label names bonds ("General obligation bonds", "Revenue bonds (see section B)",
  "Tobacco settlement asset-backed bonds"), with the adjustments under them (premiums, discounts, accreted
  interest, deferred amounts on refunding). When the table totals a group ("General obligation bonds payable",
  "Bonds payable, net", "Net amount", "Total" right under it) the group's last total is the figure, since it is
  what the report calls its bonds payable; otherwise the bond rows are summed;
- the column: the one headed "ending balance", else the fourth of the table's five or six amount columns;
- confidence: 0.9 times the column's and the scale's certainty; every row read foots (beginning + additions -
  reductions = ending, reductions printed either sign) gains confidence, a row that does not loses it.
"""

from __future__ import annotations

import re
from decimal import Decimal

from investing_assets.lib.muni.extract.crossfoot import gain
from investing_assets.lib.muni.extract.layout import Cell, Row
from investing_assets.lib.muni.extract.pages import Column, Page
from investing_assets.lib.muni.extract.results import (
    LINES,
    NOT_RECOGNISED,
    NOT_STATED,
    ExtractedValue,
    Missing,
)
from investing_assets.lib.muni.extract.rules import Context
from investing_assets.lib.muni.extract.statements import DEBT

METRIC = "bonds_outstanding"
SEARCHED = "notes: changes in long-term liabilities (debt note)"
FOOTS = "changes table rows foot: beginning + additions - reductions = ending"

_PAGE = re.compile(r"changes in (long-term|noncurrent) (liabilities|obligations|debt)")
_BOND = re.compile(r"\bbonds?\b")
_ADJUSTMENT = re.compile(r"premium|discount|accreted|accretion|deferred|refunding|plus |less |unamortized")
# a restated row prints its beginning balance inside the label ("Revenue bonds payable 8,001,946 *")
_GROUP_TOTAL = re.compile(r"net amount|total|.*\bbonds?( payable)?,? net\b.*|.*\bbonds payable\b.*")
_GOVERNMENTAL = re.compile(r"governmental activities")
_BUSINESS = re.compile(r"business-type activities")
_END = re.compile(r"component units?|total primary government|discretely presented")
_SECTION_TOTAL = re.compile(r"total (governmental|business-type)( activities)?\b.*")


def read_bonds_outstanding(ctx: Context) -> ExtractedValue | Missing:
    candidate: tuple[int, str] | None = None
    debt_pages = set(ctx.doc.statements[DEBT])
    for number, text in enumerate(ctx.doc.lower, start=1):
        if not ((number in debt_pages or _PAGE.search(text)) and "bond" in text and "balance" in text):
            continue
        found = _from_page(ctx, _with_facing_page(ctx, number))
        if isinstance(found, ExtractedValue):
            return found
        candidate = candidate or found
    if candidate is None:
        return Missing(METRIC, NOT_STATED, searched=SEARCHED)
    return Missing(METRIC, NOT_RECOGNISED, candidate[0], candidate[1][:200], SEARCHED)


def _with_facing_page(ctx: Context, number: int) -> Page:
    """The table with its right-hand half when it goes on over the facing page (California 2013: beginning
    balance and additions on the left page, reductions and the ending balance on the right)."""
    page = ctx.doc.page(number)
    if number >= len(ctx.doc.texts):
        return page
    right = ctx.doc.page(number + 1)
    return Page.spread(page, right) if right.label_free_value_rows >= 0.8 else page


def _ending_column(page: Page) -> tuple[Column | None, float]:
    cols = page.columns
    headed = next((c for c in cols if re.search(r"ending|end of (the )?year", c.header)), None)
    if headed is not None:
        return headed, 1.0
    return (cols[3], 0.9) if len(cols) in (5, 6) else (None, 0.0)


class _Groups:
    """Bond groups of one section, as read row by row."""

    def __init__(self) -> None:
        self.closed: list[list[Row]] = []  # each group's rows whose ending balances make its figure
        self.bonds: list[Row] = []
        self.total: Row | None = None
        self.adjusted = False

    def bond(self, row: Row) -> None:
        if self.total is not None and not self.adjusted:  # the next bond type after a totalled group
            self.close()
        self.bonds.append(row)

    def group_total(self, row: Row) -> None:
        self.total, self.adjusted = row, False

    def close(self) -> None:
        if self.total is not None:
            self.closed.append([self.total])
        elif self.bonds:
            self.closed.append(list(self.bonds))
        self.bonds, self.total, self.adjusted = [], None, False

    @property
    def open(self) -> bool:
        return bool(self.bonds) or self.total is not None


def _bond_rows(rows: list[Row]) -> tuple[list[Row], str | None]:
    """The rows whose ending balances sum to the primary government's bonds payable, and the first bond line."""
    groups, first_line = _Groups(), None
    for row in rows:
        label = row.label
        if _END.match(label):
            break
        if _SECTION_TOTAL.match(label) or _GOVERNMENTAL.fullmatch(label) or _BUSINESS.fullmatch(label):
            groups.close()
            continue
        if not row.cells:
            continue  # a heading ("Bonds payable", "General obligation bonds payable:"): its rows follow
        if groups.open and _ADJUSTMENT.search(label):
            groups.adjusted = True
        elif groups.open and _GROUP_TOTAL.fullmatch(label) and (groups.adjusted or label.startswith(("net", "total"))
                                                               or len(groups.bonds) > 1):
            groups.group_total(row)
        elif _BOND.search(label) and not _ADJUSTMENT.search(label):
            first_line = first_line or row.line
            groups.bond(row)
        else:
            groups.close()
    groups.close()
    return [row for group in groups.closed for row in group], first_line


def _foots(row: Row, ending: Cell) -> bool:
    """Beginning + additions - reductions = ending, from the amounts printed left of the ending balance (a
    blank or split zero is no amount; reductions are printed either sign)."""
    left = [c.value for c in row.cells if c.kind == "num" and c.value is not None and c.x1 < ending.x0]
    if len(left) < 2 or ending.value is None:
        return False
    begin, changes = left[0], [v for v in left[1:] if v != 0]
    if not changes:
        return begin == ending.value
    if len(changes) == 1:
        return ending.value in (begin + changes[0], begin - abs(changes[0]))
    return begin + changes[0] - abs(changes[-1]) == ending.value and len(changes) == 2


def _from_page(ctx: Context, page: Page) -> ExtractedValue | tuple[int, str] | None:
    rows, first_line = _bond_rows(page.rows)
    if first_line is None:
        return None
    col, factor = _ending_column(page)
    cells = [col.cell(row) for row in rows] if col is not None else []
    if col is None or not rows or any(c is None or c.value is None for c in cells):
        return page.number, first_line
    scale, scale_factor = (page.scale[0], 1.0) if page.scale else (ctx.scale, 0.9)
    total = sum((c.value for c in cells), Decimal(0))
    confidence = round(0.9 * factor * scale_factor * (1.0 if len(rows) == 1 else 0.95), 3)
    line = LINES.join(row.line for row in rows)[:400]
    value = ExtractedValue(METRIC, float(total * scale), page.value_page(cells[0]), line, confidence,
                           basis=f"ending balance of {len(rows)} bond row(s), changes in long-term liabilities")
    if all(_foots(row, cell) for row, cell in zip(rows, cells, strict=True)):
        return gain(value, 0.75, FOOTS)  # as sure as a statement that foots (crossfoot.net_position_identity)
    return value.adjusted(confidence * 0.8, "does not foot: " + FOOTS)
