"""Governmental-funds statements: the balance sheet (fund balance by class) and the operating statement
(revenues, expenditures and changes in fund balances), printed sideways in the modern layout."""

from __future__ import annotations

from investing_assets.lib.synthetic.muni_reports.canvas import (
    BLANK,
    PAGE_W,
    Line,
    Table,
    draw_table,
    header_block,
)
from investing_assets.lib.synthetic.muni_reports.report import Report
from investing_assets.lib.synthetic.muni_reports.style import Style, date_text

Trio = tuple[int, int, int]  # general fund, other funds, total

_REVENUES = (
    "Property taxes",
    "Sales and use taxes",
    "Intergovernmental",
    "Charges for services",
    "Fines and forfeitures",
    "Investment earnings",
    "Miscellaneous",
)
_EXPENDITURES = (
    "General government",
    "Public safety",
    "Public works",
    "Culture and recreation",
    "Health and welfare",
)
_BALANCE_CLASSES = ("nonspendable", "restricted", "committed", "assigned", "unassigned")


def _trio(general: int, other: int) -> Trio:
    return general, other, general + other


def _fund_table_headers(style: Style, page_w: float = PAGE_W) -> tuple[list[list[str]], list[float]]:
    headers = [
        ["General", "Fund"] if style.name != "pre2012" else ["General"],
        ["Other", "Governmental", "Funds"],
        ["Total", "Governmental", "Funds"],
    ]
    step = 90 if page_w == PAGE_W else 120
    rights = [page_w - 50 - (2 - i) * step for i in range(3)]
    return headers, rights


def page_funds_balance_sheet(report: Report) -> None:
    issuer, style = report.issuer, report.style
    general, other = issuer.general_fund, issuer.other_funds
    modern = style.name == "modern"
    canvas = report.canvas()
    title = ["Balance Sheet", "Governmental Funds"]
    y = header_block(canvas, issuer, title, date_text(issuer.fiscal_year_end), style.scale_text)

    def both(key: str) -> Trio:
        return _trio(report.units(general[key]), report.units(other[key]))

    cash, receivables, due = both("cash"), both("receivables"), both("due_from_other_funds")
    assets_total = tuple(sum(v) for v in zip(cash, receivables, due, strict=True))
    liabilities = both("liabilities")
    payable = (
        liabilities[0] * 6 // 10,
        liabilities[1] * 6 // 10,
        liabilities[0] * 6 // 10 + liabilities[1] * 6 // 10,
    )
    accrued = tuple(owed - p for owed, p in zip(liabilities, payable, strict=True))
    lines = [
        Line("ASSETS" if not modern else "Assets", kind="section"),
        Line("Cash and investments", cash, indent=1, dollar=True),
        Line("Receivables (net)", receivables, indent=1),
        Line("Due from other funds", due, indent=1),
        Line("Total assets", assets_total, kind="total", dollar=True),
        BLANK,
        Line("LIABILITIES" if not modern else "Liabilities", kind="section"),
        Line("Accounts payable", payable, indent=1, dollar=True),
        Line("Accrued liabilities", accrued, indent=1),
        Line("Total liabilities", liabilities, kind="total"),
    ]
    deferred = both("deferred_inflows")
    has_deferred = issuer.fiscal_year_end.year >= 2015
    if has_deferred:
        lines += [Line("Deferred inflows of resources - unavailable revenue", deferred)]
    general_balance = assets_total[0] - liabilities[0] - (deferred[0] if has_deferred else 0)
    other_balance = assets_total[1] - liabilities[1] - (deferred[1] if has_deferred else 0)
    lines += [BLANK, Line("FUND BALANCES" if not modern else "Fund Balances", kind="section")]
    if issuer.gasb54:
        lines += _balance_classes(report, general_balance, other_balance)
    else:
        lines += _reserved_and_unreserved(report, general_balance, other_balance)
    lines.append(Line("Total fund balances", _trio(general_balance, other_balance), kind="total"))
    report.fund_balances = (general_balance, other_balance)
    headers, rights = _fund_table_headers(style)
    draw_table(canvas, Table(headers, lines, rights), y, report.rng)
    canvas.finish()


def _balance_classes(report: Report, general_balance: int, other_balance: int) -> list[Line]:
    """GASB 54 classes (from fiscal 2011); the unassigned and other funds' restricted amounts plug."""
    issuer = report.issuer
    general_parts = {k: report.units(issuer.general_fund[k]) for k in _BALANCE_CLASSES[:-1]}
    general_parts["unassigned"] = general_balance - sum(general_parts.values())
    other_parts = {k: report.units(issuer.other_funds[k]) for k in _BALANCE_CLASSES[:-1]}
    other_parts["restricted"] += other_balance - sum(other_parts.values())
    other_parts["unassigned"] = 0
    lines = []
    for key in _BALANCE_CLASSES:
        if key == "committed" and not issuer.has_committed and other_parts["committed"] == 0:
            continue
        label = key.capitalize() + (" (deficit)" if key == "unassigned" and general_parts[key] < 0 else "")
        lines.append(Line(label, _trio(general_parts[key], other_parts[key]), indent=1))
    committed_stated = issuer.has_committed or other_parts["committed"] != 0
    report.record("fund_balance_unreserved", None)
    report.record("fund_balance_unassigned", general_parts["unassigned"])
    report.record("fund_balance_assigned", general_parts["assigned"])
    report.record("fund_balance_committed", general_parts["committed"] if committed_stated else None)
    return lines


def _reserved_and_unreserved(report: Report, general_balance: int, other_balance: int) -> list[Line]:
    """Pre-GASB 54 reserved/designated classes, which state none of the GASB 54 metrics."""
    general, other = report.issuer.general_fund, report.issuer.other_funds
    reserved = report.units(general["nonspendable"] + general["restricted"])
    designated = report.units(general["assigned"])
    undesignated = general_balance - reserved - designated
    other_reserved = report.units(other["restricted"])
    for metric in ("fund_balance_unassigned", "fund_balance_assigned", "fund_balance_committed"):
        report.record(metric, None)
    report.record("fund_balance_unreserved", designated + undesignated)
    return [
        Line("Reserved for encumbrances and inventories", _trio(reserved, other_reserved), indent=1),
        Line("Unreserved, designated", (designated, 0, designated), indent=1),
        Line("Unreserved, undesignated", _trio(undesignated, other_balance - other_reserved), indent=1),
    ]


def page_funds_operations(report: Report) -> None:
    issuer, style = report.issuer, report.style
    landscape = style.name == "modern"  # printed sideways: a portrait page turned by /Rotate 90
    canvas = report.landscape_canvas() if landscape else report.canvas()
    title = ["Statement of Revenues, Expenditures, and", "Changes in Fund Balances", "Governmental Funds"]
    y = header_block(
        canvas,
        issuer,
        title,
        f"For the Fiscal Year Ended {date_text(issuer.fiscal_year_end)}",
        style.scale_text,
    )
    lines, total_revenues, total_expenditures = _revenues_and_expenditures(report)
    lines += _financing_and_balances(
        report, tuple(r - e for r, e in zip(total_revenues, total_expenditures, strict=True))
    )
    report.record("general_fund_revenues", total_revenues[0])
    report.record("general_fund_expenditures", total_expenditures[0])
    headers, rights = _fund_table_headers(style, canvas.page_w)
    draw_table(canvas, Table(headers, lines, rights), y, report.rng)
    canvas.finish()
    if landscape:
        report.place_rotated(canvas)


def _split(report: Report, total: int, n: int) -> list[int]:
    """`total` in `n` random parts, printed units; the first part takes the rounding."""
    weights = [report.rng.random() + 0.3 for _ in range(n)]
    parts = [int(total * w / sum(weights)) for w in weights]
    parts[0] += total - sum(parts)
    return [report.units(x) for x in parts]


def _revenues_and_expenditures(report: Report) -> tuple[list[Line], Trio, Trio]:
    """Revenue and expenditure lines with their totals, the last line the excess of one over the other."""
    general, other = report.issuer.general_fund, report.issuer.other_funds
    modern = report.style.name == "modern"
    general_revenues = _split(report, general["revenues"], len(_REVENUES))
    other_revenues = _split(report, other["revenues"], len(_REVENUES))
    general_current = _split(report, int(general["expenditures"] * 0.9), len(_EXPENDITURES))
    other_current = _split(report, int(other["expenditures"] * 0.6), len(_EXPENDITURES))
    general_debt = [
        report.units(int(general["expenditures"] * 0.03)),
        report.units(int(general["expenditures"] * 0.01)),
    ]
    other_debt = [
        report.units(int(other["expenditures"] * 0.2)),
        report.units(int(other["expenditures"] * 0.1)),
    ]
    general_capital = report.units(int(general["expenditures"] * 0.06))
    other_capital = report.units(int(other["expenditures"] * 0.1))

    lines = [Line("REVENUES" if not modern else "Revenues", kind="section")]
    for i, name in enumerate(_REVENUES):
        lines.append(Line(name, _trio(general_revenues[i], other_revenues[i]), indent=1, dollar=i == 0))
    total_revenues = _trio(sum(general_revenues), sum(other_revenues))
    lines.append(Line("Total revenues", total_revenues, kind="total"))
    lines += [
        Line("EXPENDITURES" if not modern else "Expenditures", kind="section"),
        Line("Current:", kind="section", indent=1),
    ]
    for i, name in enumerate(_EXPENDITURES):
        lines.append(Line(name, _trio(general_current[i], other_current[i]), indent=2))
    lines += [
        Line("Debt service:", kind="section", indent=1),
        Line("Principal", _trio(general_debt[0], other_debt[0]), indent=2),
        Line("Interest and fiscal charges", _trio(general_debt[1], other_debt[1]), indent=2),
        Line("Capital outlay", _trio(general_capital, other_capital), indent=1),
    ]
    total_expenditures = _trio(
        sum(general_current) + sum(general_debt) + general_capital,
        sum(other_current) + sum(other_debt) + other_capital,
    )
    lines.append(Line("Total expenditures", total_expenditures, kind="total"))
    report.record("governmental_funds_expenditures", total_expenditures[2])
    report.record("debt_service_principal", general_debt[0] + other_debt[0])
    report.record("debt_service_interest", general_debt[1] + other_debt[1])
    excess = tuple(r - e for r, e in zip(total_revenues, total_expenditures, strict=True))
    lines.append(Line("Excess (deficiency) of revenues over (under) expenditures", excess))
    return lines, total_revenues, total_expenditures


def _financing_and_balances(report: Report, excess: tuple[int, ...]) -> list[Line]:
    """Transfers, the net change, and fund balances from beginning to the balance sheet's ending figures."""
    general, other = report.issuer.general_fund, report.issuer.other_funds
    transfers_in = _trio(report.units(general["transfers_in"]), report.units(other["transfers_in"]))
    transfers_out = _trio(-report.units(general["transfers_out"]), -report.units(other["transfers_out"]))
    financing = tuple(a + b for a, b in zip(transfers_in, transfers_out, strict=True))
    net_change = tuple(a + b for a, b in zip(excess, financing, strict=True))
    ending = _trio(*report.fund_balances)
    beginning = tuple(e - n for e, n in zip(ending, net_change, strict=True))
    modern = report.style.name == "modern"
    return [
        Line(
            "OTHER FINANCING SOURCES (USES)" if not modern else "Other Financing Sources (Uses)",
            kind="section",
        ),
        Line("Transfers in", transfers_in, indent=1),
        Line("Transfers out", transfers_out, indent=1),
        Line("Total other financing sources (uses)", financing, kind="total"),
        Line("Net change in fund balances", net_change),
        Line("Fund balances - beginning", beginning),
        Line("Fund balances - ending", ending, kind="total", dollar=True),
    ]
