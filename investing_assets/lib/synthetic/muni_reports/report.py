"""One report being written: its pages, the issuer's varied style, and the truth per metric as printed."""

from __future__ import annotations

import random
from decimal import Decimal

import pymupdf

from investing_assets.lib.synthetic.muni_reports.canvas import PAGE_H, PAGE_W, Canvas
from investing_assets.lib.synthetic.muni_reports.issuers import SampleIssuer
from investing_assets.lib.synthetic.muni_reports.style import Style, printed_dollars, printed_units, vary


class Report:
    """Builds one document and records the truth for each metric as it prints it."""

    def __init__(self, issuer: SampleIssuer, style: Style):
        self.issuer = issuer
        self.rng = random.Random(issuer.narrative_seed)
        self.style = vary(style, self.rng)
        self.doc = pymupdf.open()
        self.truth: dict[str, float | None] = {}
        self.fund_balances = (0, 0)  # general / other fund balances, printed on the balance sheet
        self.scratch: pymupdf.Document | None = None

    def canvas(self) -> Canvas:
        return Canvas(self.doc, self.style)

    def landscape_canvas(self) -> Canvas:
        """Drawn upright on a scratch landscape page; `place_rotated` puts it in as a rotated portrait page."""
        if self.scratch is None:
            self.scratch = pymupdf.open()
        return Canvas(self.scratch, self.style, landscape=True)

    def place_rotated(self, canvas: Canvas) -> None:
        page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        page.set_rotation(90)
        page.show_pdf_page(pymupdf.Rect(0, 0, PAGE_W, PAGE_H), self.scratch, canvas.page.number, rotate=90)

    def units(self, dollars: int) -> int:
        """Dollars in this report's printed units."""
        return printed_units(dollars, self.style.unit)

    def record(self, metric: str, units: int | None, unit: Decimal | None = None) -> None:
        self.truth[metric] = None if units is None else printed_dollars(units, unit or self.style.unit)
