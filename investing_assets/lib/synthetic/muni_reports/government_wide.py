"""Government-wide statements: the Statement of Net Position (the figures the extractor must find) and the
Statement of Activities (a distractor with net-position totals of its own)."""

from __future__ import annotations

from dataclasses import dataclass

from investing_assets.lib.synthetic.muni_reports.canvas import (
    BLANK,
    PAGE_H,
    PAGE_W,
    Canvas,
    Line,
    Table,
    draw_table,
    header_block,
)
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.style import date_text

Row = tuple[int | None, ...]


@dataclass(frozen=True)
class _Columns:
    """The statement's amount columns: governmental, then business-type and the primary-government total
    when the issuer has business-type activities, then component units (classic layout only)."""

    report: Report
    activities: list[dict[str, int]]
    component_units: dict[str, int] | None

    @property
    def total_col(self) -> int:
        """The primary-government total column (the governmental column when it is the only one)."""
        return len(self.activities) if len(self.activities) > 1 else 0

    def row(self, key: str) -> Row:
        """One line item across the columns, in printed units."""
        values = [self.report.units(activity.get(key, 0)) for activity in self.activities]
        if len(self.activities) > 1:
            values.append(sum(values))
        if self.component_units is not None:
            values.append(self.report.units(self.component_units.get(key, 0)))
        return tuple(values)


def _total(rows: list[Row], sign: list[int] | None = None) -> Row:
    sign = sign or [1] * len(rows)
    return tuple(sum(s * (r[i] or 0) for s, r in zip(sign, rows, strict=True)) for i in range(len(rows[0])))


def snp_lines(report: Report) -> tuple[list[Line], list[Line], int]:
    """Assets part and liabilities/net-position part of the Statement of Net Position; returns the index of
    the primary-government total column. Records the statement's metrics."""
    issuer, style = report.issuer, report.style
    activities = [issuer.governmental]
    if issuer.business_type:
        activities.append(issuer.business_type)
    columns = _Columns(report, activities, issuer.component_units if style.name == "classic" else None)
    total_col = columns.total_col
    assets, assets_total, deferred_outflows, cash = _assets_part(report, columns)
    liabilities, liabilities_total, deferred_inflows, opeb = _liabilities_part(report, columns)
    net_total = _total([assets_total, deferred_outflows, liabilities_total, deferred_inflows], [1, 1, -1, -1])
    net_position, unrestricted = _net_position_part(report, columns, net_total)
    report.record("total_assets", assets_total[total_col])
    report.record("total_liabilities", liabilities_total[total_col])
    report.record("net_position_total", net_total[total_col])
    report.record("net_position_unrestricted", unrestricted[total_col])
    report.record("cash_and_investments", cash[total_col])
    report.record("net_opeb_liability", opeb[total_col] if issuer.opeb == "liability" else None)
    return assets, liabilities + net_position, total_col


def _assets_part(report: Report, columns: _Columns) -> tuple[list[Line], Row, Row, Row]:
    """Assets and deferred outflows; also returns total assets, deferred outflows and cash."""
    issuer, style = report.issuer, report.style
    modern = style.name == "modern"
    cash, receivables = columns.row("cash"), columns.row("receivables")
    due_from_governments, internal = columns.row("due_other_gov"), columns.row("internal")
    inventories = columns.row("inventories")
    capital_nondepreciable, capital_depreciable = columns.row("cap_nondep"), columns.row("cap_dep")
    if columns.component_units is not None and internal:
        internal = internal[:-1] + (None,)
    current = [cash, receivables, due_from_governments, internal, inventories]
    assets_total = _total(current + [capital_nondepreciable, capital_depreciable])
    lines = [
        Line("ASSETS" if not modern else "Assets", kind="section"),
        Line(style.cash_label, cash, dollar=True, indent=1),
        Line(
            "Receivables (net of allowance for uncollectibles)" if modern else "Receivables (net)",
            receivables,
            indent=1,
        ),
        Line("Due from other governments", due_from_governments, indent=1),
    ]
    if issuer.business_type:
        lines.append(Line("Internal balances", internal, indent=1))
    lines += [
        Line("Inventories", inventories, indent=1),
        Line("Capital assets:", kind="section", indent=1),
        Line(
            "Land, easements and construction in progress" if modern else "Nondepreciable",
            capital_nondepreciable,
            indent=2,
        ),
        Line(
            "Depreciable, net of accumulated depreciation" if modern else "Depreciable, net",
            capital_depreciable,
            indent=2,
        ),
        Line("Total assets", assets_total, kind="total", dollar=style.name == "pre2012"),
    ]
    deferred_outflows = columns.row("dof_pension")
    stated = issuer.fiscal_year_end.year >= 2015  # GASB 63 and 68 deferred elements
    report.record("deferred_outflows", deferred_outflows[columns.total_col] if stated else None)
    if stated:
        lines += [
            BLANK,
            Line(
                "Deferred outflows of resources" if not modern else "Deferred Outflows of Resources",
                kind="section",
            ),
            Line(
                "Deferred outflows of resources related to pensions" if modern else "Related to pensions",
                deferred_outflows,
                indent=1,
            ),
        ]
    return lines, assets_total, deferred_outflows, cash


def _liabilities_part(report: Report, columns: _Columns) -> tuple[list[Line], Row, Row, Row]:
    """Liabilities and deferred inflows; also returns total liabilities, deferred inflows and net OPEB."""
    issuer, style = report.issuer, report.style
    modern = style.name == "modern"
    payable, interest, unearned = columns.row("ap"), columns.row("interest_payable"), columns.row("unearned")
    due_within_year, due_later = columns.row("lt_within"), columns.row("lt_more")
    pension, opeb = columns.row("npl"), columns.row("opeb")
    rows = [payable, interest, unearned, due_within_year, due_later]
    lines = [
        Line("LIABILITIES" if not modern else "Liabilities", kind="section"),
        Line("Accounts payable and accrued liabilities", payable, dollar=True, indent=1),
        Line("Accrued interest payable", interest, indent=1),
        Line("Unearned revenue" if style.name != "pre2012" else "Deferred revenue", unearned, indent=1),
        Line("Noncurrent liabilities:", kind="section", indent=1),
        Line("Due within one year", due_within_year, indent=2),
        Line("Due in more than one year", due_later, indent=2),
    ]
    total_col = columns.total_col
    report.record("long_term_liabilities_due_within_one_year", due_within_year[total_col])
    report.record("long_term_liabilities_due_after_one_year", due_later[total_col])
    gasb68 = issuer.fiscal_year_end.year >= 2015
    report.record("net_pension_liability", pension[total_col] if gasb68 else None)
    report.record("opeb_obligation", opeb[total_col] if issuer.opeb == "obligation" else None)
    if gasb68:
        lines.append(Line("Net pension liability", pension, indent=2))
        rows.append(pension)
    if issuer.opeb:
        label = {
            "liability": "Net other postemployment benefits (OPEB) liability"
            if modern
            else "Net OPEB liability",
            "obligation": "Net OPEB obligation",
        }[issuer.opeb]
        lines.append(Line(label, opeb, indent=2))
        rows.append(opeb)
    liabilities_total = _total(rows)
    lines.append(Line("Total liabilities", liabilities_total, kind="total"))
    deferred_inflows = columns.row("dif_pension")
    report.record("deferred_inflows", deferred_inflows[total_col] if gasb68 else None)
    if gasb68:
        lines += [
            BLANK,
            Line(
                "Deferred inflows of resources" if not modern else "Deferred Inflows of Resources",
                kind="section",
            ),
            Line(
                "Deferred inflows of resources related to pensions" if modern else "Related to pensions",
                deferred_inflows,
                indent=1,
            ),
        ]
    return lines, liabilities_total, deferred_inflows, opeb


def _net_position_part(report: Report, columns: _Columns, net_total: Row) -> tuple[list[Line], Row]:
    """Net position (net assets before GASB 63) by class; also returns the unrestricted row."""
    style = report.style
    net_word, total_col = style.net, columns.total_col
    invested = columns.row("invested")
    restricted_debt, restricted_other = columns.row("restricted_debt"), columns.row("restricted_other")
    unrestricted = _total([net_total, invested, restricted_debt, restricted_other], [1, -1, -1, -1])
    negative = (unrestricted[total_col] or 0) < 0
    if style.name != "modern":
        unrestricted_label = "Unrestricted" + (" (deficit)" if negative else "")
    else:
        unrestricted_label = (
            "Unrestricted net position (deficit)" if negative else "Unrestricted net position"
        )
    lines = [
        BLANK,
        Line(f"NET {net_word.upper()}" if style.name != "modern" else f"Net {net_word}", kind="section"),
        Line(
            "Invested in capital assets, net of related debt"
            if net_word == "Assets"
            else "Net investment in capital assets",
            invested,
            indent=1,
        ),
        Line("Restricted for:", kind="section", indent=1),
        Line("Debt service", restricted_debt, indent=2),
        Line("Capital projects and other purposes", restricted_other, indent=2),
        Line(unrestricted_label, unrestricted, indent=1),
        Line(
            f"Total net {net_word.lower()}" + (" (deficit)" if (net_total[total_col] or 0) < 0 else ""),
            net_total,
            kind="total",
            dollar=True,
        ),
    ]
    return lines, unrestricted


def _snp_table(report: Report, lines: list[Line], total_col: int) -> Table:
    issuer, style = report.issuer, report.style
    headers: list[list[str]] = [["Governmental", "Activities"]]
    if issuer.business_type:
        headers += [
            ["Business-type", "Activities"],
            style.total_header.replace("Total P", "Total|P").split("|"),
        ]
    group = ("Primary Government", 0, len(headers) - 1) if len(headers) > 1 else None
    if issuer.component_units and style.name == "classic":
        headers.append(["Component", "Units"])
    n = len(headers)
    rights = [PAGE_W - 50 - (n - 1 - i) * style.col_step for i in range(n)]
    return Table(headers, lines, rights, split_column=total_col, group_header=group)


def _notes_reference(canvas: Canvas) -> None:
    canvas.text(
        54,
        PAGE_H - 40,
        "The notes to the financial statements are an integral part of this statement.",
        size=7,
    )


def page_statement_of_net_position(report: Report) -> None:
    style, issuer = report.style, report.issuer
    assets, liabilities, total_col = snp_lines(report)
    title = [f"Statement of Net {style.net}"]
    canvas = report.canvas()
    y = header_block(canvas, issuer, title, date_text(issuer.fiscal_year_end), style.scale_text)
    if style.two_page_statement:
        draw_table(canvas, _snp_table(report, assets, total_col), y, report.rng)
        _notes_reference(canvas)
        canvas.finish()
        canvas = report.canvas()
        canvas.text(PAGE_W / 2, 50, issuer.name, size=10, bold=True, align="center")
        canvas.text(PAGE_W - 54, 66, "Government-wide Financial Statements", size=8, align="right")
        draw_table(canvas, _snp_table(report, liabilities, total_col), 100, report.rng)
    else:
        draw_table(canvas, _snp_table(report, assets + [BLANK] + liabilities, total_col), y, report.rng)
    _notes_reference(canvas)
    canvas.finish()


def page_statement_of_activities(report: Report) -> None:
    """A distractor: it also has net-position totals, but beginning/ending of year, not the balance sheet."""
    issuer, style = report.issuer, report.style
    canvas = report.canvas()
    y = header_block(
        canvas,
        issuer,
        ["Statement of Activities"],
        f"For the Fiscal Year Ended {date_text(issuer.fiscal_year_end)}",
        style.scale_text,
    )
    general = issuer.general_fund
    functions = (
        "General government",
        "Public safety",
        "Public works",
        "Culture and recreation",
        "Interest on long-term debt",
    )
    expenses = [report.units(int(general["expenditures"] * s)) for s in (0.18, 0.34, 0.22, 0.08, 0.03)]
    charges = [report.units(int(general["revenues"] * s)) for s in (0.04, 0.05, 0.03, 0.02, 0.0)]
    lines = [Line("Functions/Programs", kind="section")]
    for i, function in enumerate(functions):
        lines.append(
            Line(function, (expenses[i], charges[i], charges[i] - expenses[i]), indent=1, dollar=i == 0)
        )
    net_expense = sum(ch - ex for ch, ex in zip(charges, expenses, strict=True))
    lines.append(
        Line("Total governmental activities", (sum(expenses), sum(charges), net_expense), kind="total")
    )
    taxes = report.units(int(general["revenues"] * 0.7))
    change = taxes + net_expense
    ending = report.units(issuer.governmental["cap_dep"] // 3)
    net = style.net.lower()
    lines += [
        BLANK,
        Line("General revenues:", kind="section"),
        Line("Taxes", (None, None, taxes), indent=1),
        Line(f"Change in net {net}", (None, None, change)),
        Line(f"Net {net} - beginning", (None, None, ending - change)),
        Line(f"Net {net} - ending", (None, None, ending), kind="total", dollar=True),
    ]
    rights = [PAGE_W - 50 - (2 - i) * 85 for i in range(3)]
    headers = [["Expenses"], ["Charges for", "Services"], ["Net (Expense)", "Revenue"]]
    draw_table(canvas, Table(headers, lines, rights), y, report.rng)
    canvas.finish()
