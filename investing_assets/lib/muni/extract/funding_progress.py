"""The actuarial schedules of funding progress (required supplementary information before GASB 68 and 75): one
block per plan, one row per valuation date, in the order GASB 25/45 prescribe: actuarial value of assets (a),
accrued liability (b), unfunded liability (b - a), funded ratio (a / b), covered payroll (c), UAAL / payroll.

The first pension plan's block and the first OPEB plan's block are read, on their latest valuation, and only
when the row's arithmetic holds (b - a is the unfunded liability within rounding, a / b the funded ratio): that
proves the columns were read in the prescribed order. A state sponsors several plans; the first one listed is
its main plan, and the line names the valuation row it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from investing_assets.lib.muni.extract.layout import Row
from investing_assets.lib.muni.extract.pages import Page, parse_date
from investing_assets.lib.muni.extract.readers import cell_line
from investing_assets.lib.muni.extract.results import (
    LINES,
    NOT_RECOGNISED,
    NOT_STATED,
    ExtractedValue,
    Missing,
)
from investing_assets.lib.muni.extract.rules import Context
from investing_assets.lib.muni.extract.statements import FUNDING, SECTION_NAMES

PENSION_METRICS = ("pension_unfunded_actuarial_liability", "pension_actuarial_funded_ratio")
OPEB_METRICS = ("opeb_unfunded_actuarial_liability",)
_OPEB_WORDS = re.compile(r"post-?employment|opeb|retiree health|health ?care|medical")
_COLUMN_WORDS = re.compile(r"actuarial|valuation|\(a\)|\( a \)|assets|liability|ratio|payroll|percentage|excess|"
                           r"unfunded|funded|covered|entry age|uaal|\(b")
_NOT_A_PLAN = re.compile(r"\b(in|of) (thousands|millions)|years? ended|^\(?unaudited\)?$|^(january|february|march|"
                         r"april|may|june|july|august|september|october|november|december) \d")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/((?:19|20)?\d\d)\b")


@dataclass
class _Block:
    heading: str  # normalised, to classify the plan
    page_opeb: bool  # the page's title names OPEB ("Schedule of Funding Progress - Other Postemployment ...")
    rows: list[tuple[date, Row]] = field(default_factory=list)
    printed: str = ""  # the heading as printed, for the provenance line

    @property
    def opeb(self) -> bool:
        return self.page_opeb or bool(_OPEB_WORDS.search(self.heading))


def read_funding_progress(ctx: Context) -> dict[str, ExtractedValue | Missing]:
    found: dict[str, ExtractedValue | Missing] = {}
    candidate: dict[bool, tuple[int, str]] = {}
    scale, previous = 1, None
    for number in ctx.doc.statements[FUNDING]:
        page = ctx.doc.page(number)
        if page.scale:
            scale = page.scale[0]
        elif previous != number - 1:  # a continuation page keeps the scale its schedule stated
            scale = 1
        previous = number
        for block in _blocks(page):
            metrics = OPEB_METRICS if block.opeb else PENSION_METRICS
            if metrics[0] in found or not block.rows:
                continue
            valuation, row = max(block.rows, key=lambda dr: dr[0])
            values = _read_row(page, block, valuation, row, scale)
            if values is None:
                candidate.setdefault(block.opeb, (page.number, row.line))
                continue
            found.update(zip(metrics, values, strict=False))
    where = f"{SECTION_NAMES[FUNDING]}: pages {', '.join(map(str, ctx.doc.statements[FUNDING])) or 'none found'}"
    for opeb, metrics in ((False, PENSION_METRICS), (True, OPEB_METRICS)):
        for metric in metrics:
            if metric not in found:
                if opeb in candidate:
                    page_no, line = candidate[opeb]
                    found[metric] = Missing(metric, NOT_RECOGNISED, page_no, line[:200], where)
                else:
                    found[metric] = Missing(metric, NOT_STATED, searched=where)
    return found


def _blocks(page: Page) -> list[_Block]:
    """Plan blocks: a heading names the plan; its column headings and valuation rows follow."""
    page_opeb = bool(_OPEB_WORDS.search(page.title_block))
    blocks: list[_Block] = []
    current: _Block | None = None
    for row in page.rows:
        valuation = _valuation_date(row)
        if valuation is not None and len(row.cells) >= 4:
            if current is None:
                current = _Block("", page_opeb)
                blocks.append(current)
            current.rows.append((valuation, row))
            continue
        if (row.cells or not row.label_words or _COLUMN_WORDS.search(row.label) or row.label in page.title_rows
                or _NOT_A_PLAN.search(row.label)):
            continue
        if current is None or current.rows:  # a plan's name after the previous plan's rows: a new block
            current = _Block(row.label, page_opeb, printed=row.line)
            blocks.append(current)
        else:  # a sub-heading ("State substantive plan") before the block's first row
            current.heading += " " + row.label
            current.printed += LINES + row.line
    return blocks


def _valuation_date(row: Row) -> date | None:
    label = row.label
    if len(label) > 30:
        return None
    d = parse_date(label)
    if d:
        return d
    m = _NUMERIC_DATE.search(label)
    if m:
        month, day, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        year += 2000 if year < 100 else 0
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def _read_row(page: Page, block: _Block, valuation: date, row: Row,
              scale: int) -> tuple[ExtractedValue, ...] | None:
    cells = [c for c in row.cells if c.complete]
    if len(cells) < 4:
        return None
    assets, accrued, unfunded, ratio = (c.value for c in cells[:4])
    if None in (assets, accrued, unfunded, ratio) or not accrued:
        return None
    difference = accrued - assets
    if abs(difference - unfunded) <= 1:
        uaal = unfunded  # printed as (b - a)
    elif abs(difference + unfunded) <= 1:
        uaal = -unfunded  # printed as (a - b), "excess of assets over AAL"
    else:
        return None
    if abs(assets / accrued * 100 - ratio) > Decimal("0.1"):
        return None
    line = LINES.join(part for part in (block.printed, cell_line(row, cells[3])) if part)[:400]
    checks = ("b - a = unfunded liability", "a / b = funded ratio")
    conf = 0.97
    values = [ExtractedValue("opeb_unfunded_actuarial_liability" if block.opeb else
                             "pension_unfunded_actuarial_liability", float(uaal * scale), page.number, line, conf,
                             basis=f"valuation of {valuation.isoformat()}", checks=checks)]
    if not block.opeb:
        values.append(ExtractedValue("pension_actuarial_funded_ratio", float(ratio / 100), page.number, line, conf,
                                     basis=f"valuation of {valuation.isoformat()}", checks=checks))
    return tuple(values)
