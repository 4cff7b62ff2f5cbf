"""The pages before the statements: cover, table of contents, and the MD&A narrative whose condensed
two-year table quotes the statement's figures (the extractor must not read it as the statement)."""

from __future__ import annotations

from dataclasses import replace

from investing_assets.lib.synthetic.muni_reports.canvas import (
    PAGE_W,
    Line,
    Table,
    draw_table,
    header_block,
    wrap,
)
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.style import date_text, printed_units


def page_cover(report: Report) -> None:
    issuer = report.issuer
    canvas = report.canvas()
    canvas.text(PAGE_W / 2, 200, issuer.name, size=26, bold=True, align="center")
    title = (
        "Annual Comprehensive Financial Report"
        if issuer.fiscal_year_end.year >= 2021
        else "Comprehensive Annual Financial Report"
    )
    canvas.text(PAGE_W / 2, 250, title, size=18, align="center")
    canvas.text(
        PAGE_W / 2,
        280,
        f"For the Fiscal Year Ended {date_text(issuer.fiscal_year_end)}",
        size=13,
        align="center",
    )
    canvas.text(PAGE_W / 2, 620, "Prepared by the Department of Finance", size=11, align="center")
    canvas.finish()


def page_contents(report: Report, entries: list[tuple[str, int]]) -> None:
    canvas = report.canvas()
    canvas.text(PAGE_W / 2, 60, report.issuer.name, size=10, bold=True, align="center")
    canvas.text(PAGE_W / 2, 80, "Table of Contents", size=14, bold=True, align="center")
    y = 120
    for title, page in entries:
        text = title + " "
        while canvas.width(text + ". ", 9) < 430:
            text += ". "
        canvas.text(60, y, text, size=9)
        canvas.text(PAGE_W - 60, y, str(page), size=9, align="right")
        y += 16
    canvas.finish()


def page_mdna(report: Report) -> None:
    """Narrative with figures and a condensed two-year table: plausible text the extractor must not read as the
    statement itself."""
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    y = header_block(
        canvas,
        issuer,
        ["Management's Discussion and Analysis"],
        f"For the Fiscal Year Ended {date_text(issuer.fiscal_year_end)}",
        None,
    )
    net = report.truth.get("net_position_total") or 0
    word = style.net.lower()
    paragraph = (
        f"As management of the {issuer.name}, we offer readers of the financial statements this narrative overview "
        f"and analysis of the financial activities for the fiscal year ended {date_text(issuer.fiscal_year_end)}. "
        f"The assets and deferred outflows of resources exceeded liabilities and deferred inflows of resources at "
        f"the close of the year by ${net / 1e6:,.1f} million (net {word}). The government-wide statement of net "
        f"{word} presents information on all assets and liabilities, with the difference reported as net {word}. "
        f"Population growth and assessed valuation trends are presented in the statistical section."
    )
    for line in wrap(canvas, paragraph, PAGE_W - 110):
        canvas.text(54, y, line, size=9)
        y += 12
    y += 16
    canvas.text(PAGE_W / 2, y, f"Condensed Statement of Net {style.net}", size=9, bold=True, align="center")
    y += 16
    total_assets, total_liabilities = (
        report.truth["total_assets"] or 0,
        report.truth["total_liabilities"] or 0,
    )
    unit = style.unit
    current = (
        printed_units(int(total_assets), unit),
        printed_units(int(total_liabilities), unit),
        printed_units(int(net), unit),
    )
    prior = tuple(int(v * 0.96) for v in current)
    lines = [
        Line("Total assets", (current[0], prior[0]), dollar=True),
        Line("Total liabilities", (current[1], prior[1])),
        Line(f"Total net {word}", (current[2], prior[2]), kind="total", dollar=True),
    ]
    year = issuer.fiscal_year_end.year
    ordinary = canvas.style
    canvas.style = replace(ordinary, split_numbers=False)
    draw_table(canvas, Table([[str(year)], [str(year - 1)]], lines, [430.0, 520.0]), y, report.rng)
    canvas.style = ordinary
    canvas.finish()
