"""The statistical section: ten-year demographic and assessed-value tables, or in the pre-2012 layout a
key/value page of miscellaneous statistics."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from investing_assets.lib.synthetic.muni_reports.canvas import PAGE_W, Line, Table, draw_table, header_block
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.style import date_text, printed_units


def page_statistics(report: Report) -> None:
    if report.style.name == "pre2012":
        _page_misc_statistics(report)
        return
    if report.issuer.population:
        _page_demographics(report)
    else:
        report.record("population", None)
        report.record("personal_income", None)
    if report.issuer.assessed_value:
        _page_assessed_value(report)
    else:
        report.record("assessed_value", None)
        report.record("full_value", None)


def _page_demographics(report: Report) -> None:
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    y = header_block(
        canvas,
        issuer,
        ["Statistical Section", "Demographic and Economic Statistics"],
        "Last Ten Fiscal Years",
        None,
    )
    in_thousands = issuer.kind == "state" and style.name == "modern"
    unit = Decimal(1000) if in_thousands else Decimal(1)
    lines = []
    for year in sorted(issuer.population, reverse=style.years_newest_first):
        population = printed_units(issuer.population[year], unit)
        income = issuer.population[year] * 52_000 // 1000
        rate = f"{3.0 + ((year * 7) % 40) / 10:.1f}%"
        lines.append(Line(str(year), (population, income, 52_000 + (year - 2000) * 700, rate)))
    headers = [
        ["Population", "(thousands)"] if in_thousands else ["Population"],
        ["Personal", "Income", "(thousands", "of dollars)"],
        ["Per Capita", "Personal", "Income"],
        ["Unemployment", "Rate"],
    ]
    rights = [PAGE_W - 50 - (3 - i) * 90 for i in range(4)]
    ordinary = canvas.style
    canvas.style = replace(ordinary, split_numbers=False, leaders=False)
    draw_table(canvas, Table(headers, lines, rights, decimals=0), y, report.rng)
    canvas.style = ordinary
    canvas.finish()
    year = issuer.fiscal_year_end.year
    report.record("population", printed_units(issuer.population[year], unit), unit)
    report.record("personal_income", issuer.population[year] * 52_000 // 1000, Decimal(1000))


def _page_assessed_value(report: Report) -> None:
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    y = header_block(
        canvas,
        issuer,
        ["Statistical Section", "Assessed Value of Taxable Property"],
        "Last Ten Fiscal Years",
        "(in thousands of dollars)",
    )
    unit = Decimal(1000)
    lines = []
    for year in sorted(issuer.assessed_value, reverse=style.years_newest_first):
        total = printed_units(issuer.assessed_value[year], unit)
        real = total * 88 // 100
        exempt = -(total * 3 // 100)
        personal = total - real - exempt
        lines.append(Line(str(year), (real, personal, exempt, total, total * 104 // 100)))
    headers = [
        ["Real", "Property"],
        ["Personal", "Property"],
        ["Less:", "Tax-Exempt", "Property"],
        ["Total Taxable", "Assessed", "Value"],
        ["Estimated", "Actual", "Value"],
    ]
    rights = [PAGE_W - 50 - (4 - i) * 80 for i in range(5)]
    ordinary = canvas.style
    canvas.style = replace(ordinary, split_numbers=False, leaders=False, negative="paren")
    draw_table(canvas, Table(headers, lines, rights, decimals=0), y, report.rng)
    canvas.style = ordinary
    canvas.finish()
    year = issuer.fiscal_year_end.year
    report.record("assessed_value", printed_units(issuer.assessed_value[year], unit), unit)
    report.record("full_value", printed_units(issuer.assessed_value[year], unit) * 104 // 100, unit)


def _page_misc_statistics(report: Report) -> None:
    issuer = report.issuer
    canvas = report.canvas()
    y = header_block(
        canvas, issuer, ["Miscellaneous Statistical Data"], date_text(issuer.fiscal_year_end), None
    )
    year = issuer.fiscal_year_end.year
    lines = [Line("Date of incorporation", (str(1850 + issuer.narrative_seed % 60),))]
    canvas.text(54, y - 2, "Form of government: Council-Manager")
    y += 14
    if issuer.population:
        lines.append(Line("Population", (issuer.population[year],)))
    lines.append(
        Line("Area in square miles", (f"{12 + issuer.narrative_seed % 90}.{issuer.narrative_seed % 10}",))
    )
    if issuer.assessed_value:
        lines.append(Line("Total assessed value", (issuer.assessed_value[year],), dollar=True))
    lines.append(Line("Miles of streets", (str(80 + issuer.narrative_seed % 400),)))
    ordinary = canvas.style
    canvas.style = replace(ordinary, zero="0")
    draw_table(canvas, Table([[""]], lines, [360.0], decimals=0), y, report.rng)
    canvas.style = ordinary
    canvas.finish()
    report.record("population", issuer.population[year] if issuer.population else None, Decimal(1))
    report.record(
        "assessed_value", issuer.assessed_value[year] if issuer.assessed_value else None, Decimal(1)
    )
    report.record("personal_income", None)
    report.record("full_value", None)
