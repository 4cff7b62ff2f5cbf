"""Schedules from the notes and required supplementary information: long-term debt (changes, debt service
paid, maturities) and pensions (GASB 68 changes in net pension liability, or the older funding progress)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

from investing_assets.lib.synthetic.muni_reports.canvas import (
    BLANK,
    PAGE_W,
    Canvas,
    Line,
    Table,
    draw_table,
    header_block,
)
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.style import date_text, printed_units


def page_debt(report: Report) -> None:
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    if style.name == "pre2012":
        title = ["Notes to the Basic Financial Statements", "Note 7 - Long-Term Debt"]
    else:
        title = ["Schedule of Changes in Long-Term Debt"]
    y = header_block(
        canvas,
        issuer,
        title,
        f"For the Fiscal Year Ended {date_text(issuer.fiscal_year_end)}",
        style.scale_text,
    )
    y, totals = _debt_changes(report, canvas, y)
    report.record("long_term_debt", totals[3])
    bonds = [report.units(b) + report.units(a) - report.units(r) for name, b, a, r in report.issuer.debt
             if "bonds" in name.lower()]  # the ending balances as printed
    report.record("bonds_outstanding", sum(bonds) if bonds else None)
    y = _debt_service_paid(report, canvas, y, principal=totals[2])
    _maturities(report, canvas, y, ending=totals[3])
    canvas.finish()


def _debt_changes(report: Report, canvas: Canvas, y: float) -> tuple[float, list[int]]:
    """One line per debt kind; returns the y below the table and the (beginning, additions, reductions,
    ending, due within one year) totals."""
    modern = report.style.name == "modern"
    lines, totals = [], [0, 0, 0, 0, 0]
    for i, (name, beginning, additions, reductions) in enumerate(report.issuer.debt):
        start, added, reduced = report.units(beginning), report.units(additions), report.units(reductions)
        ending = start + added - reduced
        due = report.units(int((beginning + additions - reductions) * 0.06))
        values = (start, added, -reduced if modern else reduced, ending, due)
        for k, v in enumerate((start, added, reduced, ending, due)):
            totals[k] += v
        lines.append(Line(name, values, dollar=i == 0))
    shown = (totals[0], totals[1], -totals[2] if modern else totals[2], totals[3], totals[4])
    lines.append(Line("Total long-term debt", shown, kind="total", dollar=True))
    rights = [PAGE_W - 50 - (4 - i) * 72 for i in range(5)]
    headers = [
        ["Beginning", "Balance"],
        ["Additions"],
        ["Reductions"],
        ["Ending", "Balance"],
        ["Due Within", "One Year"],
    ]
    return draw_table(canvas, Table(headers, lines, rights), y, report.rng), totals


def _debt_service_paid(report: Report, canvas: Canvas, y: float, principal: int) -> float:
    issuer = report.issuer
    interest = report.units(issuer.interest_paid)
    y += 24
    canvas.text(
        54, y, f"Debt service paid during fiscal year {issuer.fiscal_year_end.year}", size=9, bold=True
    )
    y += 18
    service = [
        Line("Principal", (principal,), dollar=True),
        Line("Interest and fiscal charges", (interest,)),
        Line("Total debt service", (principal + interest,), kind="total", dollar=True),
    ]
    y = draw_table(canvas, Table([["Amount"]], service, [PAGE_W - 50 - 2 * 72]), y, report.rng)
    report.record("debt_service", principal + interest)
    return y


def _maturities(report: Report, canvas: Canvas, y: float, ending: int) -> None:
    year = report.issuer.fiscal_year_end.year
    y += 24
    canvas.text(54, y, "Annual debt service requirements to maturity", size=9, bold=True)
    y += 18
    remaining, rows = ending, []
    periods = [str(year + k) for k in range(1, 6)] + [f"{year + 6}-{year + 10}", "Thereafter"]
    for k, label in enumerate(periods):
        principal = remaining if k == len(periods) - 1 else int(ending * (0.06 if k < 5 else 0.3))
        remaining -= principal
        interest = int(principal * 0.35)
        rows.append(Line(label, (principal, interest, principal + interest), dollar=k == 0))
    total = tuple(sum(r.values[j] for r in rows) for j in range(3))
    rows.append(Line("Total", total, kind="total", dollar=True))
    rights = [PAGE_W - 50 - (2 - i) * 80 for i in range(3)]
    draw_table(canvas, Table([["Principal"], ["Interest"], ["Total"]], rows, rights), y, report.rng)


def page_pension(report: Report) -> None:
    if not report.issuer.pension:
        _page_funding_progress(report)
        return
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    unit = Decimal(1000) if style.name == "modern" else Decimal(1)
    scale_text = "(amounts in thousands)" if style.name == "modern" else None
    y = header_block(
        canvas,
        issuer,
        [
            "Required Supplementary Information",
            "Schedule of Changes in Net Pension Liability and Related Ratios",
        ],
        "Last Ten Fiscal Years",
        scale_text,
    )
    years = (
        sorted(issuer.pension, reverse=style.years_newest_first)[:6]
        if style.years_newest_first
        else sorted(issuer.pension)[-6:]
    )
    # Per year: (total pension liability, plan fiduciary net position) at the year end and a year before.
    ending = {year: tuple(printed_units(v, unit) for v in issuer.pension[year]) for year in years}
    beginning = {
        year: tuple(
            printed_units(v, unit)
            for v in issuer.pension.get(
                year - 1, (int(issuer.pension[year][0] / 1.04), int(issuer.pension[year][1] / 1.03))
            )
        )
        for year in years
    }

    def per_year(value: Callable[[int], int | str]) -> tuple[int | str, ...]:
        return tuple(value(year) for year in years)

    rights = [PAGE_W - 40 - (len(years) - 1 - i) * 62 for i in range(len(years))]
    lines = _pension_lines(per_year, ending, beginning)
    table = Table([[str(year)] for year in years], lines, rights, decimals=0)
    ordinary = canvas.style
    canvas.style = replace(ordinary, size=7.0, dollar="attached", leaders=False, split_numbers=False)
    ratios = per_year(lambda year: f"{Decimal(ending[year][1]) / Decimal(ending[year][0]) * 100:.2f}%")
    table.lines.append(
        Line("Plan fiduciary net position as a percentage of the total pension liability", ratios)
    )
    draw_table(canvas, table, y, report.rng)
    canvas.style = ordinary
    latest = issuer.fiscal_year_end.year
    report.record("total_pension_liability", ending[latest][0], unit)
    report.record("plan_fiduciary_net_position", ending[latest][1], unit)
    _no_funding_progress(report)
    canvas.finish()


def _pension_lines(
    per_year: Callable[[Callable[[int], int]], tuple[int, ...]],
    ending: dict[int, tuple[int, ...]],
    beginning: dict[int, tuple[int, ...]],
) -> list[Line]:
    """The GASB 68 schedule: the liability (a), the plan's net position (b) and their difference."""
    service = per_year(lambda year: ending[year][0] * 2 // 100)
    interest = per_year(lambda year: beginning[year][0] * 7 // 100)
    benefits = per_year(lambda year: -(beginning[year][0] * 5 // 100))
    liability_change = per_year(lambda year: ending[year][0] - beginning[year][0])
    experience = tuple(
        ch - s - i - b for ch, s, i, b in zip(liability_change, service, interest, benefits, strict=True)
    )
    contributions = per_year(lambda year: beginning[year][1] * 4 // 100)
    net_position_change = per_year(lambda year: ending[year][1] - beginning[year][1])
    income = tuple(
        ch - ct - b for ch, ct, b in zip(net_position_change, contributions, benefits, strict=True)
    )
    return [
        Line("Total pension liability", kind="section"),
        Line("Service cost", service, indent=1, dollar=True),
        Line("Interest", interest, indent=1),
        Line("Differences between expected and actual experience", experience, indent=1),
        Line("Benefit payments, including refunds", benefits, indent=1),
        Line("Net change in total pension liability", liability_change),
        Line("Total pension liability - beginning", per_year(lambda year: beginning[year][0])),
        Line(
            "Total pension liability - ending (a)",
            per_year(lambda year: ending[year][0]),
            kind="total",
            dollar=True,
        ),
        BLANK,
        Line("Plan fiduciary net position", kind="section"),
        Line("Contributions - employer", contributions, indent=1, dollar=True),
        Line("Net investment income", income, indent=1),
        Line("Benefit payments, including refunds", benefits, indent=1),
        Line("Net change in plan fiduciary net position", net_position_change),
        Line("Plan fiduciary net position - beginning", per_year(lambda year: beginning[year][1])),
        Line(
            "Plan fiduciary net position - ending (b)",
            per_year(lambda year: ending[year][1]),
            kind="total",
            dollar=True,
        ),
        BLANK,
        Line(
            "Net pension liability - ending (a) - (b)",
            per_year(lambda year: ending[year][0] - ending[year][1]),
            kind="total",
            dollar=True,
        ),
    ]


def _page_funding_progress(report: Report) -> None:
    """Before GASB 68: the actuarial funding progress instead of a net pension liability."""
    issuer = report.issuer
    canvas = report.canvas()
    y = header_block(
        canvas, issuer, ["Required Supplementary Information", "Schedule of Funding Progress"], None, None
    )
    assets, accrued = issuer.funding_progress
    ratio = Decimal(assets) / Decimal(accrued) * 100
    headers = [
        ["Actuarial", "Value of", "Assets (a)"],
        ["Actuarial", "Accrued", "Liability (b)"],
        ["Unfunded", "AAL (b-a)"],
        ["Funded", "Ratio (a/b)"],
    ]
    lines = [
        Line(
            date_text(issuer.fiscal_year_end),
            (assets, accrued, accrued - assets, f"{ratio:.1f}%"),
            dollar=True,
        )
    ]
    rights = [PAGE_W - 50 - (3 - i) * 85 for i in range(4)]
    draw_table(canvas, Table(headers, lines, rights, decimals=0), y, report.rng)
    report.record("total_pension_liability", None)
    report.record("plan_fiduciary_net_position", None)
    report.record("pension_unfunded_actuarial_liability", accrued - assets, Decimal(1))
    report.truth["pension_actuarial_funded_ratio"] = float(Decimal(f"{ratio:.1f}") / 100)
    report.record("opeb_unfunded_actuarial_liability", None)
    canvas.finish()


def _no_funding_progress(report: Report) -> None:
    """GASB 68 reports print no actuarial funding progress (and these print no OPEB schedule)."""
    for metric in ("pension_unfunded_actuarial_liability", "pension_actuarial_funded_ratio",
                   "opeb_unfunded_actuarial_liability"):
        report.truth[metric] = None
