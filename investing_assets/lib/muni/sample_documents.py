"""Synthetic municipal annual financial reports with known figures, to measure the PDF extractor.

Why: real reports cannot be shipped with the project and their "truth" has to be read by hand. These documents
are written with PyMuPDF the way report software prints them: cover, contents, MD&A narrative (with a condensed
two-year table that must NOT be read as the statement), Statement of Net Position, Statement of Activities,
governmental-funds balance sheet and operating statement, long-term debt schedule, pension schedule and
statistical tables, in three layouts:

- "classic":  amounts in thousands, "Net Position", "$" in its own column, dot leaders, component units column,
              ten-year pension schedule newest year first, fiscal years 2014-2019;
- "pre2012":  whole dollars, "Net Assets", "$" glued to the number, minus-sign negatives, Times type, no
              GASB 68 pension liability (funding-progress schedule instead), net OPEB *obligation* only,
              key/value statistics page, fiscal years 2009-2011;
- "modern":   amounts in millions with one decimal, the statement split over two pages, wrapped labels,
              numbers broken over two lines or drawn as two text runs out of order, parentheses negatives,
              deferred outflows/inflows, the funds' operating statement on a landscape page turned by /Rotate,
              pension schedule in thousands oldest year first, fiscal years 2019-2024.

Issuers randomly lack optional items (business-type activities, component units, OPEB, committed fund balance,
statistical tables), so "not stated -> None" is exercised. `write_document` returns, per metric, the figure as
printed (in dollars, i.e. after the document's own rounding and scale) or None when the document does not state
it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pymupdf

from investing_assets.lib.core.muni_metrics import METRICS

LAYOUTS: tuple[str, ...] = ("classic", "pre2012", "modern")
LAYOUT_SCALE: dict[str, int] = {"classic": 1_000, "pre2012": 1, "modern": 1_000_000}
_LAYOUT_YEARS = {"classic": (2014, 2019), "pre2012": (2009, 2011), "modern": (2019, 2024)}

PAGE_W, PAGE_H = 612.0, 792.0
_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# --------------------------------------------------------------------------------------------------------------
# Issuers
# --------------------------------------------------------------------------------------------------------------

_PLACE_A = (
    "Maple",
    "Cedar",
    "Oak",
    "River",
    "Lake",
    "Pine",
    "Fair",
    "Green",
    "Spring",
    "Clear",
    "Stone",
    "Brook",
    "Elm",
    "Willow",
    "Silver",
    "Mill",
    "Bay",
    "Ash",
    "Hollow",
    "Granite",
    "Marble",
    "Copper",
    "Falcon",
    "Harbor",
    "Prairie",
    "Summit",
    "Glen",
    "Birch",
    "Laurel",
    "Cypress",
)
_PLACE_B = (
    "wood",
    "field",
    "ville",
    "ton",
    "port",
    "dale",
    "view",
    "brook",
    "crest",
    "haven",
    "ridge",
    "burg",
    "land",
    "water",
    "ford",
    "mont",
    "bury",
    "stead",
    "wick",
    "shire",
)
_STATES = (
    "Franklin",
    "Columbia",
    "Superior",
    "Jefferson",
    "Lincoln",
    "Sequoyah",
    "Westmoreland",
    "Absaroka",
    "New Arden",
    "North Lanark",
    "Deseret",
    "Kanawha",
)
_FYE = ((6, 30), (6, 30), (6, 30), (9, 30), (12, 31), (3, 31))


@dataclass
class SampleIssuer:
    """A synthetic issuer and its books, in whole dollars; the layout decides rounding and wording."""

    name: str
    kind: str  # city | county | school_district | state
    fiscal_year_end: date
    layout: str  # the layout whose era matches the fiscal year
    governmental: dict[str, int]
    business_type: dict[str, int] | None
    component_units: dict[str, int] | None
    general_fund: dict[str, int]
    other_funds: dict[str, int]
    has_committed: bool
    pension: (
        dict[int, tuple[int, int]] | None
    )  # year -> (total pension liability, plan fiduciary net position)
    funding_progress: tuple[int, int] | None  # pre-GASB 68: (actuarial value of assets, accrued liability)
    opeb: str | None  # "liability" (GASB 75), "obligation" (GASB 45) or None
    debt: list[tuple[str, int, int, int]]  # (description, beginning, additions, reductions)
    interest_paid: int
    population: dict[int, int] | None
    assessed_value: dict[int, int] | None
    narrative_seed: int = 0

    @property
    def gasb54(self) -> bool:
        """Fund balance classes unassigned/assigned/committed exist from fiscal 2011."""
        return self.fiscal_year_end.year >= 2011


def _place(rng: random.Random) -> str:
    return rng.choice(_PLACE_A) + rng.choice(_PLACE_B)


def _issuer_name(rng: random.Random, kind: str) -> str:
    if kind == "state":
        return f"State of {rng.choice(_STATES)}"
    place = _place(rng)
    if kind == "county":
        return rng.choice((f"{place} County", f"County of {place}"))
    if kind == "school_district":
        return f"{place} {rng.choice(('Unified School District', 'Independent School District', 'School District'))}"
    return rng.choice((f"City of {place}", f"Town of {place}", f"City of {place}"))


def _u(rng: random.Random, lo: float, hi: float) -> float:
    return rng.uniform(lo, hi)


def _size(rng: random.Random, kind: str) -> int:
    lo, hi = {
        "school_district": (4e7, 9e8),
        "city": (8e7, 6e9),
        "county": (1.5e8, 8e9),
        "state": (5e9, 1.5e11),
    }[kind]
    return int(lo * (hi / lo) ** rng.random())


def _activity(
    rng: random.Random, assets: int, year: int, opeb: str | None, npl: int, governmental: bool
) -> dict[str, int]:
    """Statement of Net Position line items for one activity column; net position items plug to balance."""
    a = assets
    items = {
        "cash": int(a * _u(rng, 0.08, 0.22)),
        "receivables": int(a * _u(rng, 0.02, 0.07)),
        "due_other_gov": int(a * _u(rng, 0.01, 0.04)) if governmental else 0,
        "inventories": int(a * _u(rng, 0.001, 0.006)),
        "cap_nondep": int(a * _u(rng, 0.06, 0.18)),
    }
    items["cap_dep"] = a - sum(items.values())
    items["dof_pension"] = int(a * _u(rng, 0.01, 0.04)) if year >= 2015 else 0
    items.update(
        ap=int(a * _u(rng, 0.015, 0.045)),
        interest_payable=int(a * _u(rng, 0.001, 0.005)),
        unearned=int(a * _u(rng, 0.002, 0.015)),
        lt_within=int(a * _u(rng, 0.015, 0.035)),
        lt_more=int(a * _u(rng, 0.12, 0.40)),
        npl=npl if year >= 2015 else 0,
        opeb=int(a * _u(rng, 0.01, 0.12)) if opeb else 0,
        dif_pension=int(a * _u(rng, 0.003, 0.015)) if year >= 2015 else 0,
    )
    liabilities = sum(
        items[k] for k in ("ap", "interest_payable", "unearned", "lt_within", "lt_more", "npl", "opeb")
    )
    net = a + items["dof_pension"] - liabilities - items["dif_pension"]
    items["invested"] = int((items["cap_nondep"] + items["cap_dep"]) - items["lt_more"] * _u(rng, 0.5, 0.85))
    items["restricted_debt"] = int(a * _u(rng, 0.003, 0.015))
    items["restricted_other"] = int(a * _u(rng, 0.003, 0.03))
    items["unrestricted"] = net - items["invested"] - items["restricted_debt"] - items["restricted_other"]
    return items


def _fund(rng: random.Random, revenues: int, year: int, committed: bool, deficit: bool) -> dict[str, int]:
    """Governmental fund: balance sheet and operating statement items that tie to each other."""
    f = {"revenues": revenues, "expenditures": int(revenues * _u(rng, 0.9, 1.03))}
    f["transfers_in"] = int(revenues * _u(rng, 0.0, 0.04))
    f["transfers_out"] = int(revenues * _u(rng, 0.01, 0.06))
    fb = int(revenues * _u(rng, 0.03, 0.10)) if deficit else int(revenues * _u(rng, 0.08, 0.35))
    f["nonspendable"] = int(fb * _u(rng, 0.005, 0.03))
    f["restricted"] = int(fb * _u(rng, 0.0, 0.08))
    f["committed"] = int(fb * _u(rng, 0.02, 0.15)) if committed else 0
    f["assigned"] = int(fb * (_u(rng, 1.1, 1.6) if deficit else _u(rng, 0.02, 0.2)))
    f["unassigned"] = fb - f["nonspendable"] - f["restricted"] - f["committed"] - f["assigned"]
    f["fund_balance"] = fb
    f["liabilities"] = int(revenues * _u(rng, 0.03, 0.09))
    f["deferred_inflows"] = int(revenues * _u(rng, 0.003, 0.02)) if year >= 2015 else 0
    assets = fb + f["liabilities"] + f["deferred_inflows"]
    f["cash"] = int(assets * _u(rng, 0.55, 0.8))
    f["receivables"] = int(assets * _u(rng, 0.1, 0.3))
    f["due_from_other_funds"] = assets - f["cash"] - f["receivables"]
    return f


def generate_issuer(seed: int, index: int) -> SampleIssuer:
    """Deterministic issuer number `index` of a family `seed`; layouts rotate with the index."""
    rng = random.Random(seed * 1_000_003 + index)
    layout = LAYOUTS[index % len(LAYOUTS)]
    kind = rng.choice(("city", "city", "county", "school_district", "state"))
    lo, hi = _LAYOUT_YEARS[layout]
    month, day = rng.choice(_FYE)
    year = rng.randint(lo, hi)
    gov_assets = _size(rng, kind)
    has_bta = kind != "school_district" and rng.random() < 0.85
    has_cu = kind in ("state", "county", "city") and rng.random() < 0.6
    opeb_present = rng.random() < 0.75
    opeb = ("liability" if year >= 2018 else "obligation") if opeb_present else None

    pension = funding = None
    if year >= 2015:
        tpl = int(gov_assets * _u(rng, 0.15, 0.6))
        fnp = int(tpl * _u(rng, 0.45, 0.95))
        pension = {year: (tpl, fnp)}
        for y in range(year - 1, max(2014, year - 9) - 1, -1):
            tpl = int(tpl / _u(rng, 1.02, 1.06))
            fnp = int(fnp / _u(rng, 0.96, 1.10))
            pension[y] = (tpl, fnp)
    else:
        aal = int(gov_assets * _u(rng, 0.15, 0.6))
        funding = (int(aal * _u(rng, 0.5, 0.95)), aal)
    npl_total = (pension[year][0] - pension[year][1]) if pension else 0
    bta_share = _u(rng, 0.05, 0.2) if has_bta else 0.0
    npl_bta = int(npl_total * bta_share)

    governmental = _activity(rng, gov_assets, year, opeb, npl_total - npl_bta, True)
    business = (
        _activity(rng, int(gov_assets * _u(rng, 0.1, 0.6)), year, opeb, npl_bta, False) if has_bta else None
    )
    if business:
        internal = int(gov_assets * _u(rng, 0.0005, 0.01))
        governmental["internal"], business["internal"] = -internal, internal
        governmental["cap_dep"] += internal
        business["cap_dep"] -= internal
    component = _activity(rng, int(gov_assets * _u(rng, 0.05, 0.4)), year, opeb, 0, False) if has_cu else None

    gf_revenues = int(gov_assets * _u(rng, 0.12, 0.35))
    has_committed = rng.random() < 0.7
    general = _fund(rng, gf_revenues, year, has_committed, deficit=rng.random() < 0.12)
    others = _fund(rng, int(gf_revenues * _u(rng, 0.2, 0.7)), year, True, False)

    debt_total = int((governmental["lt_within"] + governmental["lt_more"]) * _u(rng, 0.7, 0.9))
    if business:
        debt_total += int((business["lt_within"] + business["lt_more"]) * _u(rng, 0.7, 0.9))
    names = ["General obligation bonds"]
    if business:
        names.append("Revenue bonds")
    names += [
        n for n in ("Certificates of participation", "Notes payable", "Capital leases") if rng.random() < 0.5
    ]
    shares = [rng.random() + 0.2 for _ in names]
    debt = []
    for name, share in zip(names, shares, strict=True):
        ending = int(debt_total * share / sum(shares))
        reductions = int(ending * _u(rng, 0.03, 0.08))
        additions = int(ending * _u(rng, 0.0, 0.15)) if rng.random() < 0.6 else 0
        debt.append((name, ending - additions + reductions, additions, reductions))
    interest = int(sum(d[1] for d in debt) * _u(rng, 0.028, 0.045))

    population = assessed = None
    if rng.random() < 0.8:
        pop = int({"school_district": 9e4, "city": 2e5, "county": 4e5, "state": 6e6}[kind] * _u(rng, 0.15, 4))
        population = {}
        for y in range(year, year - 10, -1):
            population[y] = pop
            pop = int(pop / _u(rng, 0.996, 1.02))
    if kind != "state" and rng.random() < 0.8:
        av = int(gov_assets * _u(rng, 6, 25))
        assessed = {}
        for y in range(year, year - 10, -1):
            assessed[y] = av
            av = int(av / _u(rng, 0.98, 1.07))

    return SampleIssuer(
        name=_issuer_name(rng, kind),
        kind=kind,
        fiscal_year_end=date(year, month, day),
        layout=layout,
        governmental=governmental,
        business_type=business,
        component_units=component,
        general_fund=general,
        other_funds=others,
        has_committed=has_committed,
        pension=pension,
        funding_progress=funding,
        opeb=opeb,
        debt=debt,
        interest_paid=interest,
        population=population,
        assessed_value=assessed,
        narrative_seed=rng.randint(0, 10**6),
    )


# --------------------------------------------------------------------------------------------------------------
# Layout styles and number formatting
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    name: str
    scale: int
    decimals: int
    scale_text: str | None
    net: str  # "Position" | "Assets"
    negative: str  # "paren" | "minus"
    zero: str
    dollar: str  # "column" | "attached"
    leaders: bool
    font: str
    bold: str
    size: float
    wrap_width: float | None  # label column width that forces wrapping
    split_numbers: bool
    two_page_statement: bool
    years_newest_first: bool
    total_header: str
    col_step: float = 78.0
    cash_label: str = "Cash and investments"

    @property
    def unit(self) -> Decimal:
        return Decimal(self.scale) / (10**self.decimals)


_STYLES = {
    "classic": _Style(
        "classic",
        1_000,
        0,
        "(amounts in thousands)",
        "Position",
        "paren",
        "\u2014",
        "column",
        True,
        "helv",
        "hebo",
        8.0,
        None,
        False,
        False,
        True,
        "Total",
    ),
    "pre2012": _Style(
        "pre2012",
        1,
        0,
        None,
        "Assets",
        "minus",
        "-",
        "attached",
        False,
        "tiro",
        "tibo",
        8.5,
        None,
        False,
        False,
        True,
        "Totals",
    ),
    "modern": _Style(
        "modern",
        1_000_000,
        1,
        "(amounts in millions)",
        "Position",
        "paren",
        "\u2013",
        "column",
        False,
        "helv",
        "hebo",
        8.0,
        150.0,
        True,
        True,
        False,
        "Total",
    ),
}

_FONTS: dict[str, pymupdf.Font] = {}


def _font(name: str) -> pymupdf.Font:
    if name not in _FONTS:
        _FONTS[name] = pymupdf.Font(name)
    return _FONTS[name]


@lru_cache(maxsize=4096)
def _advance(name: str, char: str) -> float:
    return _font(name).text_length(char, fontsize=1.0)


def _text_width(name: str, text: str, size: float) -> float:
    """Font.text_length is slow per call; the sum of cached glyph advances is the same number."""
    return sum(_advance(name, ch) for ch in text) * size


def _units(dollars: int, unit: Decimal) -> int:
    """Dollars -> printed integer units (thousands, tenths of millions ...), rounded like report software."""
    return int((Decimal(dollars) / unit).to_integral_value())


def _fmt(units: int, style: _Style, decimals: int | None = None) -> str:
    d = style.decimals if decimals is None else decimals
    if units == 0:
        return style.zero
    whole, frac = divmod(abs(units), 10**d)
    text = f"{whole:,}" + (f".{frac:0{d}d}" if d else "")
    if units < 0:
        return f"({text})" if style.negative == "paren" else f"-{text}"
    return text


def _dollars(units: int, unit: Decimal) -> float:
    return float(Decimal(units) * unit)


# --------------------------------------------------------------------------------------------------------------
# Drawing
# --------------------------------------------------------------------------------------------------------------


class _Canvas:
    """One page with a TextWriter; text is flushed when the page is finished."""

    def __init__(self, doc: pymupdf.Document, style: _Style, landscape: bool = False):
        self.page_w, self.page_h = (PAGE_H, PAGE_W) if landscape else (PAGE_W, PAGE_H)
        self.page = doc.new_page(width=self.page_w, height=self.page_h)
        self.writer = pymupdf.TextWriter(self.page.rect)
        self.style = style

    def text(
        self,
        x: float,
        y: float,
        s: str,
        *,
        size: float | None = None,
        bold: bool = False,
        align: str = "left",
        font: str | None = None,
    ) -> None:
        fname = font or (self.style.bold if bold else self.style.font)
        size = size or self.style.size
        width = _text_width(fname, s, size)
        if align == "right":
            x -= width
        elif align == "center":
            x -= width / 2
        self.writer.append((x, y), s, font=_font(fname), fontsize=size)

    def width(self, s: str, size: float | None = None, bold: bool = False) -> float:
        return _text_width(self.style.bold if bold else self.style.font, s, size or self.style.size)

    def rule(self, x0: float, x1: float, y: float) -> None:
        self.page.draw_line((x0, y), (x1, y), width=0.5)

    def finish(self) -> None:
        self.writer.write_text(self.page)


@dataclass
class _Line:
    """One printed statement line; values in printed units, None = blank cell."""

    label: str
    values: tuple[int | str | None, ...] = ()  # str: printed as is (rates, years)
    kind: str = "item"  # item | section | total | blank
    indent: int = 0
    dollar: bool = False


@dataclass
class _Table:
    headers: list[list[str]]  # per value column: header lines, top to bottom
    lines: list[_Line]
    rights: list[float]
    label_x: float = 54.0
    split_column: int | None = None  # modern: numbers in this column may be drawn broken
    decimals: int | None = None
    group_header: tuple[str, int, int] | None = None  # ("Primary Government", first col, last col)


def _header_block(
    c: _Canvas,
    issuer: SampleIssuer,
    title: list[str],
    date_line: str | None,
    scale_text: str | None,
    y: float = 50.0,
) -> float:
    c.text(c.page_w / 2, y, issuer.name, size=10, bold=True, align="center")
    y += 16
    for t in title:
        c.text(c.page_w / 2, y, t, size=12, bold=True, align="center")
        y += 15
    if date_line:
        c.text(c.page_w / 2, y, date_line, size=9, align="center")
        y += 12
    if scale_text:
        c.text(c.page_w / 2, y, scale_text, size=8.5, align="center")
        y += 12
    return y + 10


def _draw_table(c: _Canvas, table: _Table, y: float, rng: random.Random) -> float:
    st = c.style
    col_w = min(72.0, (table.rights[-1] - table.label_x - 120) / max(1, len(table.rights)))
    label_right = table.rights[0] - col_w - 6
    wrap = min(st.wrap_width or 1e9, label_right - table.label_x)
    step = st.size + 3.2
    y = _draw_headers(c, table, y, col_w)
    for line in table.lines:
        if line.kind == "blank":
            y += step * 0.6
            continue
        x = table.label_x + 9 * line.indent
        label_lines = _wrap(c, line.label, wrap - 9 * line.indent, bold=line.kind == "section")
        if line.kind == "total":
            for r in table.rights:
                c.rule(r - col_w + 10, r, y - st.size - 1)
        for i, part in enumerate(label_lines):
            last = i == len(label_lines) - 1
            text = part
            if last and st.leaders and line.values:
                text = _with_leaders(c, part, label_right - x)
            c.text(x + (0 if i == 0 else 6), y, text, bold=line.kind == "section")
            if not last:
                y += step
        _draw_values(c, table, line, y, col_w, len(label_lines) > 1, step, rng)
        y += step
    return y


def _draw_headers(c: _Canvas, table: _Table, y: float, col_w: float) -> float:
    size = c.style.size - 0.5
    depth = max(len(h) for h in table.headers)
    if table.group_header:
        text, first, last = table.group_header
        x0, x1 = table.rights[first] - col_w, table.rights[last]
        c.text((x0 + x1) / 2, y, text, size=size, bold=True, align="center")
        c.rule(x0, x1, y + 2)
        y += size + 4
    for level in range(depth):
        for right, lines in zip(table.rights, table.headers, strict=True):
            offset = depth - len(lines)  # bottom-align header lines
            if level >= offset and lines[level - offset]:
                c.text(right - col_w / 2 + 2, y, lines[level - offset], size=size, bold=True, align="center")
        y += size + 2
    return y + 8


def _wrap(c: _Canvas, text: str, width: float, bold: bool = False) -> list[str]:
    words, lines, cur = text.split(), [], ""
    for w in words:
        trial = f"{cur} {w}".strip()
        if cur and c.width(trial, bold=bold) > width:
            lines.append(cur)
            cur = w
        else:
            cur = trial
    lines.append(cur)
    return lines


def _with_leaders(c: _Canvas, text: str, width: float) -> str:
    out = text + " "
    while c.width(out + ". ") < width - 4:
        out += ". "
    return out


def _draw_values(
    c: _Canvas,
    table: _Table,
    line: _Line,
    y: float,
    col_w: float,
    wrapped: bool,
    step: float,
    rng: random.Random,
) -> None:
    st = c.style
    for i, (right, units) in enumerate(zip(table.rights, line.values, strict=False)):
        if units is None:
            continue
        if isinstance(units, str):
            c.text(right, y, units, align="right")
            continue
        text = _fmt(units, st, table.decimals)
        if line.dollar and st.dollar == "attached" and units != 0:
            text = "$" + text
        elif line.dollar and st.dollar == "column":
            c.text(right - col_w + 8, y, "$")
        if i == table.split_column and st.split_numbers and "," in text:
            if wrapped:  # broken over the two printed lines of a wrapped label
                cut = text.index(",") + 1
                c.text(right, y - step, text[:cut], align="right")
                c.text(right, y, text[cut:], align="right")
                continue
            if rng.random() < 0.5:  # two text runs, the right one first in the content stream
                cut = len(text) // 2
                left_w = c.width(text[:cut])
                x0 = right - c.width(text)
                c.text(x0 + left_w, y, text[cut:])
                c.text(x0, y, text[:cut])
                continue
        c.text(right, y, text, align="right")


# --------------------------------------------------------------------------------------------------------------
# Statements
# --------------------------------------------------------------------------------------------------------------


def _date_text(d: date) -> str:
    return f"{_MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"


class _Doc:
    """Builds one document and records the truth for each metric as it prints it."""

    def __init__(self, issuer: SampleIssuer, style: _Style):
        self.issuer = issuer
        self.rng = random.Random(issuer.narrative_seed)
        self.style = _vary(style, self.rng)
        self.doc = pymupdf.open()
        self.truth: dict[str, float | None] = {}
        self.fund_balances = (0, 0)  # general / other fund balances, printed on the balance sheet
        self.scratch: pymupdf.Document | None = None

    def canvas(self) -> _Canvas:
        return _Canvas(self.doc, self.style)

    def landscape_canvas(self) -> _Canvas:
        """Drawn upright on a scratch landscape page; `place_rotated` puts it in as a rotated portrait page."""
        if self.scratch is None:
            self.scratch = pymupdf.open()
        return _Canvas(self.scratch, self.style, landscape=True)

    def place_rotated(self, c: _Canvas) -> None:
        page = self.doc.new_page(width=PAGE_W, height=PAGE_H)
        page.set_rotation(90)
        page.show_pdf_page(pymupdf.Rect(0, 0, PAGE_W, PAGE_H), self.scratch, c.page.number, rotate=90)

    def u(self, dollars: int) -> int:
        return _units(dollars, self.style.unit)

    def record(self, metric: str, units: int | None, unit: Decimal | None = None) -> None:
        self.truth[metric] = None if units is None else _dollars(units, unit or self.style.unit)


def _vary(style: _Style, rng: random.Random) -> _Style:
    """Each issuer's report software differs a little: type size, column spacing, wording of headings."""
    totals = {
        "classic": ("Total", "Total Primary Government"),
        "pre2012": ("Totals", "Total"),
        "modern": ("Total", "Total Primary Government"),
    }[style.name]
    cash = {
        "classic": ("Cash and investments", "Cash, cash equivalents and investments"),
        "pre2012": ("Cash and pooled investments", "Cash and investments"),
        "modern": ("Cash and investments", "Cash and pooled investments"),
    }[style.name]
    return replace(
        style,
        size=round(style.size + rng.uniform(-0.4, 0.6), 1),
        col_step=round(rng.uniform(74, 86), 1),
        total_header=rng.choice(totals),
        cash_label=rng.choice(cash),
    )


def _columns_for_snp(issuer: SampleIssuer) -> list[tuple[str, dict[str, int]]]:
    cols = [("governmental", issuer.governmental)]
    if issuer.business_type:
        cols.append(("business", issuer.business_type))
    return cols


def _snp_lines(d: _Doc) -> tuple[list[_Line], list[_Line], int]:
    """Assets part and liabilities/net-position part of the Statement of Net Position; returns the index of
    the primary-government total column."""
    iss, st = d.issuer, d.style
    acts = _columns_for_snp(iss)
    cu = iss.component_units if st.name == "classic" else None
    total_col = len(acts) if len(acts) > 1 else 0

    def row(key_fn) -> tuple[int | None, ...]:
        vals = [d.u(key_fn(a)) for _, a in acts]
        if len(acts) > 1:
            vals.append(sum(vals))
        if cu is not None:
            vals.append(d.u(key_fn(cu)))
        return tuple(vals)

    def total(rows: list[tuple[int | None, ...]], sign: list[int] | None = None) -> tuple[int | None, ...]:
        sign = sign or [1] * len(rows)
        return tuple(
            sum(s * (r[i] or 0) for s, r in zip(sign, rows, strict=True)) for i in range(len(rows[0]))
        )

    g = lambda k: lambda a: a.get(k, 0)  # noqa: E731
    cash, recv, dog = row(g("cash")), row(g("receivables")), row(g("due_other_gov"))
    internal, inv = row(g("internal")), row(g("inventories"))
    capn, capd = row(g("cap_nondep")), row(g("cap_dep"))
    if cu is not None and internal:
        internal = internal[:-1] + (None,)
    current = [cash, recv, dog, internal, inv]
    assets_total = total(current + [capn, capd])
    net_word = st.net
    assets = [
        _Line("ASSETS" if st.name != "modern" else "Assets", kind="section"),
        _Line(st.cash_label, cash, dollar=True, indent=1),
        _Line(
            "Receivables (net of allowance for uncollectibles)"
            if st.name == "modern"
            else "Receivables (net)",
            recv,
            indent=1,
        ),
        _Line("Due from other governments", dog, indent=1),
    ]
    if iss.business_type:
        assets.append(_Line("Internal balances", internal, indent=1))
    assets += [
        _Line("Inventories", inv, indent=1),
        _Line("Capital assets:", kind="section", indent=1),
        _Line(
            "Land, easements and construction in progress" if st.name == "modern" else "Nondepreciable",
            capn,
            indent=2,
        ),
        _Line(
            "Depreciable, net of accumulated depreciation" if st.name == "modern" else "Depreciable, net",
            capd,
            indent=2,
        ),
        _Line("Total assets", assets_total, kind="total", dollar=st.name == "pre2012"),
    ]
    dof = row(g("dof_pension"))
    if iss.fiscal_year_end.year >= 2015:
        assets += [
            _Line("", kind="blank"),
            _Line(
                "Deferred outflows of resources" if st.name != "modern" else "Deferred Outflows of Resources",
                kind="section",
            ),
            _Line(
                "Deferred outflows of resources related to pensions"
                if st.name == "modern"
                else "Related to pensions",
                dof,
                indent=1,
            ),
        ]

    ap, ip, une = row(g("ap")), row(g("interest_payable")), row(g("unearned"))
    ltw, ltm, npl, opeb = row(g("lt_within")), row(g("lt_more")), row(g("npl")), row(g("opeb"))
    liab_rows = [ap, ip, une, ltw, ltm]
    liabilities = [
        _Line("LIABILITIES" if st.name != "modern" else "Liabilities", kind="section"),
        _Line("Accounts payable and accrued liabilities", ap, dollar=True, indent=1),
        _Line("Accrued interest payable", ip, indent=1),
        _Line("Unearned revenue" if st.name != "pre2012" else "Deferred revenue", une, indent=1),
        _Line("Noncurrent liabilities:", kind="section", indent=1),
        _Line("Due within one year", ltw, indent=2),
        _Line("Due in more than one year", ltm, indent=2),
    ]
    if iss.fiscal_year_end.year >= 2015:
        liabilities.append(_Line("Net pension liability", npl, indent=2))
        liab_rows.append(npl)
    if iss.opeb:
        label = {
            "liability": "Net other postemployment benefits (OPEB) liability"
            if st.name == "modern"
            else "Net OPEB liability",
            "obligation": "Net OPEB obligation",
        }[iss.opeb]
        liabilities.append(_Line(label, opeb, indent=2))
        liab_rows.append(opeb)
    liab_total = total(liab_rows)
    liabilities.append(_Line("Total liabilities", liab_total, kind="total"))
    dif = row(g("dif_pension"))
    if iss.fiscal_year_end.year >= 2015:
        liabilities += [
            _Line("", kind="blank"),
            _Line(
                "Deferred inflows of resources" if st.name != "modern" else "Deferred Inflows of Resources",
                kind="section",
            ),
            _Line(
                "Deferred inflows of resources related to pensions"
                if st.name == "modern"
                else "Related to pensions",
                dif,
                indent=1,
            ),
        ]
    net_total = total([assets_total, dof, liab_total, dif], [1, 1, -1, -1])
    invested, rdebt, rother = row(g("invested")), row(g("restricted_debt")), row(g("restricted_other"))
    unrestricted = total([net_total, invested, rdebt, rother], [1, -1, -1, -1])
    negative = (unrestricted[total_col] or 0) < 0
    unr_label = (
        "Unrestricted"
        if st.name != "modern"
        else ("Unrestricted net position (deficit)" if negative else "Unrestricted net position")
    )
    liabilities += [
        _Line("", kind="blank"),
        _Line(f"NET {net_word.upper()}" if st.name != "modern" else f"Net {net_word}", kind="section"),
        _Line(
            "Invested in capital assets, net of related debt"
            if net_word == "Assets"
            else "Net investment in capital assets",
            invested,
            indent=1,
        ),
        _Line("Restricted for:", kind="section", indent=1),
        _Line("Debt service", rdebt, indent=2),
        _Line("Capital projects and other purposes", rother, indent=2),
        _Line(unr_label + (" (deficit)" if negative and st.name != "modern" else ""), unrestricted, indent=1),
        _Line(
            f"Total net {net_word.lower()}" + (" (deficit)" if (net_total[total_col] or 0) < 0 else ""),
            net_total,
            kind="total",
            dollar=True,
        ),
    ]
    d.record("total_assets", assets_total[total_col])
    d.record("total_liabilities", liab_total[total_col])
    d.record("net_position_total", net_total[total_col])
    d.record("net_position_unrestricted", unrestricted[total_col])
    d.record("cash_and_investments", cash[total_col])
    d.record("net_opeb_liability", opeb[total_col] if iss.opeb == "liability" else None)
    return assets, liabilities, total_col


def _snp_table(d: _Doc, lines: list[_Line], total_col: int) -> _Table:
    iss, st = d.issuer, d.style
    headers: list[list[str]] = [["Governmental", "Activities"]]
    if iss.business_type:
        headers += [["Business-type", "Activities"], st.total_header.replace("Total P", "Total|P").split("|")]
    group = ("Primary Government", 0, len(headers) - 1) if len(headers) > 1 else None
    if iss.component_units and st.name == "classic":
        headers.append(["Component", "Units"])
    n = len(headers)
    rights = [PAGE_W - 50 - (n - 1 - i) * st.col_step for i in range(n)]
    return _Table(headers, lines, rights, split_column=total_col, group_header=group)


def _page_statement_of_net_position(d: _Doc) -> None:
    st, iss = d.style, d.issuer
    assets, liabilities, total_col = _snp_lines(d)
    title = [f"Statement of Net {st.net}"]
    c = d.canvas()
    y = _header_block(c, iss, title, _date_text(iss.fiscal_year_end), st.scale_text)
    if st.two_page_statement:
        _draw_table(c, _snp_table(d, assets, total_col), y, d.rng)
        c.text(
            54,
            PAGE_H - 40,
            "The notes to the financial statements are an integral part of this statement.",
            size=7,
        )
        c.finish()
        c = d.canvas()
        c.text(PAGE_W / 2, 50, iss.name, size=10, bold=True, align="center")
        c.text(PAGE_W - 54, 66, "Government-wide Financial Statements", size=8, align="right")
        _draw_table(c, _snp_table(d, liabilities, total_col), 100, d.rng)
    else:
        _draw_table(c, _snp_table(d, assets + [_Line("", kind="blank")] + liabilities, total_col), y, d.rng)
    c.text(
        54,
        PAGE_H - 40,
        "The notes to the financial statements are an integral part of this statement.",
        size=7,
    )
    c.finish()


def _page_statement_of_activities(d: _Doc) -> None:
    """A distractor: it also has net-position totals, but beginning/ending of year, not the balance sheet."""
    iss, st = d.issuer, d.style
    c = d.canvas()
    y = _header_block(
        c,
        iss,
        ["Statement of Activities"],
        f"For the Fiscal Year Ended {_date_text(iss.fiscal_year_end)}",
        st.scale_text,
    )
    gf = iss.general_fund
    fns = (
        "General government",
        "Public safety",
        "Public works",
        "Culture and recreation",
        "Interest on long-term debt",
    )
    expenses = [d.u(int(gf["expenditures"] * s)) for s in (0.18, 0.34, 0.22, 0.08, 0.03)]
    charges = [d.u(int(gf["revenues"] * s)) for s in (0.04, 0.05, 0.03, 0.02, 0.0)]
    lines = [_Line("Functions/Programs", kind="section")]
    for i, fn in enumerate(fns):
        lines.append(_Line(fn, (expenses[i], charges[i], charges[i] - expenses[i]), indent=1, dollar=i == 0))
    net_exp = sum(ch - ex for ch, ex in zip(charges, expenses, strict=True))
    lines.append(_Line("Total governmental activities", (sum(expenses), sum(charges), net_exp), kind="total"))
    taxes = d.u(int(gf["revenues"] * 0.7))
    change = taxes + net_exp
    ending = d.u(iss.governmental["cap_dep"] // 3)
    lines += [
        _Line("", kind="blank"),
        _Line("General revenues:", kind="section"),
        _Line("Taxes", (None, None, taxes), indent=1),
        _Line(f"Change in net {st.net.lower()}", (None, None, change)),
        _Line(f"Net {st.net.lower()} - beginning", (None, None, ending - change)),
        _Line(f"Net {st.net.lower()} - ending", (None, None, ending), kind="total", dollar=True),
    ]
    rights = [PAGE_W - 50 - (2 - i) * 85 for i in range(3)]
    _draw_table(
        c,
        _Table([["Expenses"], ["Charges for", "Services"], ["Net (Expense)", "Revenue"]], lines, rights),
        y,
        d.rng,
    )
    c.finish()


def _fund_table_headers(st: _Style, page_w: float = PAGE_W) -> tuple[list[list[str]], list[float]]:
    headers = [
        ["General", "Fund"] if st.name != "pre2012" else ["General"],
        ["Other", "Governmental", "Funds"],
        ["Total", "Governmental", "Funds"],
    ]
    step = 90 if page_w == PAGE_W else 120
    rights = [page_w - 50 - (2 - i) * step for i in range(3)]
    return headers, rights


def _page_funds_balance_sheet(d: _Doc) -> None:
    iss, st = d.issuer, d.style
    gf, of = iss.general_fund, iss.other_funds
    c = d.canvas()
    title = ["Balance Sheet", "Governmental Funds"]
    y = _header_block(c, iss, title, _date_text(iss.fiscal_year_end), st.scale_text)

    def trio(key: str) -> tuple[int, int, int]:
        a, b = d.u(gf[key]), d.u(of[key])
        return a, b, a + b

    cash, recv, due = trio("cash"), trio("receivables"), trio("due_from_other_funds")
    assets_total = tuple(sum(v) for v in zip(cash, recv, due, strict=True))
    liab = trio("liabilities")
    ap = (liab[0] * 6 // 10, liab[1] * 6 // 10, liab[0] * 6 // 10 + liab[1] * 6 // 10)
    accrued = tuple(lv - a for lv, a in zip(liab, ap, strict=True))
    lines = [
        _Line("ASSETS" if st.name != "modern" else "Assets", kind="section"),
        _Line("Cash and investments", cash, indent=1, dollar=True),
        _Line("Receivables (net)", recv, indent=1),
        _Line("Due from other funds", due, indent=1),
        _Line("Total assets", assets_total, kind="total", dollar=True),
        _Line("", kind="blank"),
        _Line("LIABILITIES" if st.name != "modern" else "Liabilities", kind="section"),
        _Line("Accounts payable", ap, indent=1, dollar=True),
        _Line("Accrued liabilities", accrued, indent=1),
        _Line("Total liabilities", liab, kind="total"),
    ]
    di = trio("deferred_inflows")
    if iss.fiscal_year_end.year >= 2015:
        lines += [_Line("Deferred inflows of resources - unavailable revenue", di)]
    fb_parts = assets_total[0] - liab[0] - (di[0] if iss.fiscal_year_end.year >= 2015 else 0)
    of_fb = assets_total[1] - liab[1] - (di[1] if iss.fiscal_year_end.year >= 2015 else 0)
    lines += [
        _Line("", kind="blank"),
        _Line("FUND BALANCES" if st.name != "modern" else "Fund Balances", kind="section"),
    ]
    if iss.gasb54:
        gfu = {k: d.u(gf[k]) for k in ("nonspendable", "restricted", "committed", "assigned")}
        gfu["unassigned"] = fb_parts - sum(gfu.values())
        ofu = {k: d.u(of[k]) for k in ("nonspendable", "restricted", "committed", "assigned")}
        ofu["restricted"] += of_fb - sum(ofu.values())
        ofu["unassigned"] = 0
        for key in ("nonspendable", "restricted", "committed", "assigned", "unassigned"):
            if key == "committed" and not iss.has_committed and ofu["committed"] == 0:
                continue
            label = key.capitalize() + (" (deficit)" if key == "unassigned" and gfu[key] < 0 else "")
            lines.append(_Line(label, (gfu[key], ofu[key], gfu[key] + ofu[key]), indent=1))
        committed_stated = iss.has_committed or ofu["committed"] != 0
        d.record("fund_balance_unassigned", gfu["unassigned"])
        d.record("fund_balance_assigned", gfu["assigned"])
        d.record("fund_balance_committed", gfu["committed"] if committed_stated else None)
    else:
        reserved = d.u(gf["nonspendable"] + gf["restricted"])
        designated = d.u(gf["assigned"])
        undesignated = fb_parts - reserved - designated
        lines += [
            _Line(
                "Reserved for encumbrances and inventories",
                (reserved, d.u(of["restricted"]), reserved + d.u(of["restricted"])),
                indent=1,
            ),
            _Line("Unreserved, designated", (designated, 0, designated), indent=1),
            _Line(
                "Unreserved, undesignated",
                (undesignated, of_fb - d.u(of["restricted"]), undesignated + of_fb - d.u(of["restricted"])),
                indent=1,
            ),
        ]
        for m in ("fund_balance_unassigned", "fund_balance_assigned", "fund_balance_committed"):
            d.record(m, None)
    lines.append(_Line("Total fund balances", (fb_parts, of_fb, fb_parts + of_fb), kind="total"))
    d.fund_balances = (fb_parts, of_fb)
    headers, rights = _fund_table_headers(st)
    _draw_table(c, _Table(headers, lines, rights), y, d.rng)
    c.finish()


def _page_funds_operations(d: _Doc) -> None:
    iss, st = d.issuer, d.style
    gf, of = iss.general_fund, iss.other_funds
    landscape = st.name == "modern"  # printed sideways: a portrait page turned by /Rotate 90
    c = d.landscape_canvas() if landscape else d.canvas()
    title = ["Statement of Revenues, Expenditures, and", "Changes in Fund Balances", "Governmental Funds"]
    y = _header_block(
        c, iss, title, f"For the Fiscal Year Ended {_date_text(iss.fiscal_year_end)}", st.scale_text
    )
    rev_names = (
        "Property taxes",
        "Sales and use taxes",
        "Intergovernmental",
        "Charges for services",
        "Fines and forfeitures",
        "Investment earnings",
        "Miscellaneous",
    )
    exp_names = (
        "General government",
        "Public safety",
        "Public works",
        "Culture and recreation",
        "Health and welfare",
    )

    def split(total: int, n: int) -> list[int]:
        weights = [d.rng.random() + 0.3 for _ in range(n)]
        parts = [int(total * w / sum(weights)) for w in weights]
        parts[0] += total - sum(parts)
        return parts

    g_rev = [d.u(x) for x in split(gf["revenues"], len(rev_names))]
    o_rev = [d.u(x) for x in split(of["revenues"], len(rev_names))]
    g_exp = [d.u(x) for x in split(int(gf["expenditures"] * 0.9), len(exp_names))]
    o_exp = [d.u(x) for x in split(int(of["expenditures"] * 0.6), len(exp_names))]
    g_debt = [d.u(int(gf["expenditures"] * 0.03)), d.u(int(gf["expenditures"] * 0.01))]
    o_debt = [d.u(int(of["expenditures"] * 0.2)), d.u(int(of["expenditures"] * 0.1))]
    g_cap, o_cap = d.u(int(gf["expenditures"] * 0.06)), d.u(int(of["expenditures"] * 0.1))

    def trio(a: int, b: int) -> tuple[int, int, int]:
        return a, b, a + b

    lines = [_Line("REVENUES" if st.name != "modern" else "Revenues", kind="section")]
    for i, name in enumerate(rev_names):
        lines.append(_Line(name, trio(g_rev[i], o_rev[i]), indent=1, dollar=i == 0))
    tot_rev = trio(sum(g_rev), sum(o_rev))
    lines.append(_Line("Total revenues", tot_rev, kind="total"))
    lines += [
        _Line("EXPENDITURES" if st.name != "modern" else "Expenditures", kind="section"),
        _Line("Current:", kind="section", indent=1),
    ]
    for i, name in enumerate(exp_names):
        lines.append(_Line(name, trio(g_exp[i], o_exp[i]), indent=2))
    lines += [
        _Line("Debt service:", kind="section", indent=1),
        _Line("Principal", trio(g_debt[0], o_debt[0]), indent=2),
        _Line("Interest and fiscal charges", trio(g_debt[1], o_debt[1]), indent=2),
        _Line("Capital outlay", trio(g_cap, o_cap), indent=1),
    ]
    tot_exp = trio(sum(g_exp) + sum(g_debt) + g_cap, sum(o_exp) + sum(o_debt) + o_cap)
    lines.append(_Line("Total expenditures", tot_exp, kind="total"))
    excess = tuple(r - e for r, e in zip(tot_rev, tot_exp, strict=True))
    lines.append(_Line("Excess (deficiency) of revenues over (under) expenditures", excess))
    t_in = trio(d.u(gf["transfers_in"]), d.u(of["transfers_in"]))
    t_out = trio(-d.u(gf["transfers_out"]), -d.u(of["transfers_out"]))
    ofs = tuple(a + b for a, b in zip(t_in, t_out, strict=True))
    net_change = tuple(a + b for a, b in zip(excess, ofs, strict=True))
    ending = trio(*d.fund_balances)
    beginning = tuple(e - n for e, n in zip(ending, net_change, strict=True))
    lines += [
        _Line(
            "OTHER FINANCING SOURCES (USES)" if st.name != "modern" else "Other Financing Sources (Uses)",
            kind="section",
        ),
        _Line("Transfers in", t_in, indent=1),
        _Line("Transfers out", t_out, indent=1),
        _Line("Total other financing sources (uses)", ofs, kind="total"),
        _Line("Net change in fund balances", net_change),
        _Line("Fund balances - beginning", beginning),
        _Line("Fund balances - ending", ending, kind="total", dollar=True),
    ]
    d.record("general_fund_revenues", tot_rev[0])
    d.record("general_fund_expenditures", tot_exp[0])
    headers, rights = _fund_table_headers(st, c.page_w)
    _draw_table(c, _Table(headers, lines, rights), y, d.rng)
    c.finish()
    if landscape:
        d.place_rotated(c)


def _page_debt(d: _Doc) -> None:
    iss, st = d.issuer, d.style
    c = d.canvas()
    if st.name == "pre2012":
        title = ["Notes to the Basic Financial Statements", "Note 7 - Long-Term Debt"]
    else:
        title = ["Schedule of Changes in Long-Term Debt"]
    y = _header_block(
        c, iss, title, f"For the Fiscal Year Ended {_date_text(iss.fiscal_year_end)}", st.scale_text
    )
    lines, totals = [], [0, 0, 0, 0, 0]
    for i, (name, beginning, additions, reductions) in enumerate(iss.debt):
        b, a, r = d.u(beginning), d.u(additions), d.u(reductions)
        e = b + a - r
        due = d.u(int((beginning + additions - reductions) * 0.06))
        vals = (b, a, -r if st.name == "modern" else r, e, due)
        for k, v in enumerate((b, a, r, e, due)):
            totals[k] += v
        lines.append(_Line(name, vals, dollar=i == 0))
    shown = (totals[0], totals[1], -totals[2] if st.name == "modern" else totals[2], totals[3], totals[4])
    lines.append(_Line("Total long-term debt", shown, kind="total", dollar=True))
    rights = [PAGE_W - 50 - (4 - i) * 72 for i in range(5)]
    headers = [
        ["Beginning", "Balance"],
        ["Additions"],
        ["Reductions"],
        ["Ending", "Balance"],
        ["Due Within", "One Year"],
    ]
    y = _draw_table(c, _Table(headers, lines, rights), y, d.rng)
    d.record("long_term_debt", totals[3])

    principal = totals[2]
    interest = d.u(iss.interest_paid)
    y += 24
    c.text(54, y, f"Debt service paid during fiscal year {iss.fiscal_year_end.year}", size=9, bold=True)
    y += 18
    service = [
        _Line("Principal", (principal,), dollar=True),
        _Line("Interest and fiscal charges", (interest,)),
        _Line("Total debt service", (principal + interest,), kind="total", dollar=True),
    ]
    y = _draw_table(c, _Table([["Amount"]], service, [PAGE_W - 50 - 2 * 72]), y, d.rng)
    d.record("debt_service", principal + interest)

    y += 24
    c.text(54, y, "Annual debt service requirements to maturity", size=9, bold=True)
    y += 18
    remaining, rows = totals[3], []
    years = [str(iss.fiscal_year_end.year + k) for k in range(1, 6)] + [
        f"{iss.fiscal_year_end.year + 6}-{iss.fiscal_year_end.year + 10}",
        "Thereafter",
    ]
    for k, label in enumerate(years):
        p = remaining if k == len(years) - 1 else int(totals[3] * (0.06 if k < 5 else 0.3))
        remaining -= p
        i_ = int(p * 0.35)
        rows.append(_Line(label, (p, i_, p + i_), dollar=k == 0))
    tot = tuple(sum(r.values[j] for r in rows) for j in range(3))
    rows.append(_Line("Total", tot, kind="total", dollar=True))
    rights = [PAGE_W - 50 - (2 - i) * 80 for i in range(3)]
    _draw_table(c, _Table([["Principal"], ["Interest"], ["Total"]], rows, rights), y, d.rng)
    c.finish()


def _page_pension(d: _Doc) -> None:
    iss, st = d.issuer, d.style
    c = d.canvas()
    if not iss.pension:
        y = _header_block(
            c, iss, ["Required Supplementary Information", "Schedule of Funding Progress"], None, None
        )
        aav, aal = iss.funding_progress
        ratio = Decimal(aav) / Decimal(aal) * 100
        headers = [
            ["Actuarial", "Value of", "Assets (a)"],
            ["Actuarial", "Accrued", "Liability (b)"],
            ["Unfunded", "AAL (b-a)"],
            ["Funded", "Ratio (a/b)"],
        ]
        lines = [_Line(_date_text(iss.fiscal_year_end), (aav, aal, aal - aav, f"{ratio:.1f}%"), dollar=True)]
        rights = [PAGE_W - 50 - (3 - i) * 85 for i in range(4)]
        _draw_table(c, _Table(headers, lines, rights, decimals=0), y, d.rng)
        d.record("total_pension_liability", None)
        d.record("plan_fiduciary_net_position", None)
        c.finish()
        return
    unit = Decimal(1000) if st.name == "modern" else Decimal(1)
    scale_text = "(amounts in thousands)" if st.name == "modern" else None
    y = _header_block(
        c,
        iss,
        [
            "Required Supplementary Information",
            "Schedule of Changes in Net Pension Liability and Related Ratios",
        ],
        "Last Ten Fiscal Years",
        scale_text,
    )
    years = (
        sorted(iss.pension, reverse=st.years_newest_first)[:6]
        if st.years_newest_first
        else sorted(iss.pension)[-6:]
    )
    cols = {y_: tuple(_units(v, unit) for v in iss.pension[y_]) for y_ in years}
    prev = {
        y_: tuple(
            _units(v, unit)
            for v in iss.pension.get(y_ - 1, (int(iss.pension[y_][0] / 1.04), int(iss.pension[y_][1] / 1.03)))
        )
        for y_ in years
    }

    def per_year(fn) -> tuple[int, ...]:
        return tuple(fn(y_) for y_ in years)

    service = per_year(lambda y_: cols[y_][0] * 2 // 100)
    interest = per_year(lambda y_: prev[y_][0] * 7 // 100)
    benefits = per_year(lambda y_: -(prev[y_][0] * 5 // 100))
    tpl_change = per_year(lambda y_: cols[y_][0] - prev[y_][0])
    other = tuple(ch - s - i - b for ch, s, i, b in zip(tpl_change, service, interest, benefits, strict=True))
    contrib = per_year(lambda y_: prev[y_][1] * 4 // 100)
    fnp_change = per_year(lambda y_: cols[y_][1] - prev[y_][1])
    income = tuple(ch - ct - b for ch, ct, b in zip(fnp_change, contrib, benefits, strict=True))
    lines = [
        _Line("Total pension liability", kind="section"),
        _Line("Service cost", service, indent=1, dollar=True),
        _Line("Interest", interest, indent=1),
        _Line("Differences between expected and actual experience", other, indent=1),
        _Line("Benefit payments, including refunds", benefits, indent=1),
        _Line("Net change in total pension liability", tpl_change),
        _Line("Total pension liability - beginning", per_year(lambda y_: prev[y_][0])),
        _Line(
            "Total pension liability - ending (a)",
            per_year(lambda y_: cols[y_][0]),
            kind="total",
            dollar=True,
        ),
        _Line("", kind="blank"),
        _Line("Plan fiduciary net position", kind="section"),
        _Line("Contributions - employer", contrib, indent=1, dollar=True),
        _Line("Net investment income", income, indent=1),
        _Line("Benefit payments, including refunds", benefits, indent=1),
        _Line("Net change in plan fiduciary net position", fnp_change),
        _Line("Plan fiduciary net position - beginning", per_year(lambda y_: prev[y_][1])),
        _Line(
            "Plan fiduciary net position - ending (b)",
            per_year(lambda y_: cols[y_][1]),
            kind="total",
            dollar=True,
        ),
        _Line("", kind="blank"),
        _Line(
            "Net pension liability - ending (a) - (b)",
            per_year(lambda y_: cols[y_][0] - cols[y_][1]),
            kind="total",
            dollar=True,
        ),
    ]
    n = len(years)
    rights = [PAGE_W - 40 - (n - 1 - i) * 62 for i in range(n)]
    table = _Table([[str(y_)] for y_ in years], lines, rights, decimals=0)
    old = c.style
    c.style = replace(old, size=7.0, dollar="attached", leaders=False, split_numbers=False)
    ratios = per_year(lambda y_: f"{Decimal(cols[y_][1]) / Decimal(cols[y_][0]) * 100:.2f}%")
    table.lines.append(
        _Line("Plan fiduciary net position as a percentage of the total pension liability", ratios)
    )
    _draw_table(c, table, y, d.rng)
    c.style = old
    latest = iss.fiscal_year_end.year
    d.record("total_pension_liability", cols[latest][0], unit)
    d.record("plan_fiduciary_net_position", cols[latest][1], unit)
    c.finish()


def _page_statistics(d: _Doc) -> None:
    iss, st = d.issuer, d.style
    if st.name == "pre2012":
        _page_misc_statistics(d)
        return
    if iss.population:
        c = d.canvas()
        y = _header_block(
            c,
            iss,
            ["Statistical Section", "Demographic and Economic Statistics"],
            "Last Ten Fiscal Years",
            None,
        )
        in_thousands = iss.kind == "state" and st.name == "modern"
        pop_unit = Decimal(1000) if in_thousands else Decimal(1)
        years = sorted(iss.population, reverse=st.years_newest_first)
        lines = []
        for y_ in years:
            pop = _units(iss.population[y_], pop_unit)
            income = iss.population[y_] * 52_000 // 1000
            rate = f"{3.0 + ((y_ * 7) % 40) / 10:.1f}%"
            lines.append(_Line(str(y_), (pop, income, 52_000 + (y_ - 2000) * 700, rate)))
        headers = [
            ["Population", "(thousands)"] if in_thousands else ["Population"],
            ["Personal", "Income", "(thousands", "of dollars)"],
            ["Per Capita", "Personal", "Income"],
            ["Unemployment", "Rate"],
        ]
        rights = [PAGE_W - 50 - (3 - i) * 90 for i in range(4)]
        old = c.style
        c.style = replace(old, split_numbers=False, leaders=False)
        _draw_table(c, _Table(headers, lines, rights, decimals=0), y, d.rng)
        c.style = old
        c.finish()
        d.record("population", _units(iss.population[iss.fiscal_year_end.year], pop_unit), pop_unit)
    else:
        d.record("population", None)
    if iss.assessed_value:
        c = d.canvas()
        y = _header_block(
            c,
            iss,
            ["Statistical Section", "Assessed Value of Taxable Property"],
            "Last Ten Fiscal Years",
            "(in thousands of dollars)",
        )
        unit = Decimal(1000)
        years = sorted(iss.assessed_value, reverse=st.years_newest_first)
        lines = []
        for y_ in years:
            total = _units(iss.assessed_value[y_], unit)
            real = total * 88 // 100
            exempt = -(total * 3 // 100)
            personal = total - real - exempt
            lines.append(_Line(str(y_), (real, personal, exempt, total, total * 104 // 100)))
        headers = [
            ["Real", "Property"],
            ["Personal", "Property"],
            ["Less:", "Tax-Exempt", "Property"],
            ["Total Taxable", "Assessed", "Value"],
            ["Estimated", "Actual", "Value"],
        ]
        rights = [PAGE_W - 50 - (4 - i) * 80 for i in range(5)]
        old = c.style
        c.style = replace(old, split_numbers=False, leaders=False, negative="paren")
        _draw_table(c, _Table(headers, lines, rights, decimals=0), y, d.rng)
        c.style = old
        c.finish()
        d.record("assessed_value", _units(iss.assessed_value[iss.fiscal_year_end.year], unit), unit)
    else:
        d.record("assessed_value", None)


def _page_misc_statistics(d: _Doc) -> None:
    iss = d.issuer
    c = d.canvas()
    y = _header_block(c, iss, ["Miscellaneous Statistical Data"], _date_text(iss.fiscal_year_end), None)
    year = iss.fiscal_year_end.year
    lines = [_Line("Date of incorporation", (str(1850 + iss.narrative_seed % 60),))]
    c.text(54, y - 2, "Form of government: Council-Manager")
    y += 14
    if iss.population:
        lines.append(_Line("Population", (iss.population[year],)))
    lines.append(
        _Line("Area in square miles", (f"{12 + iss.narrative_seed % 90}.{iss.narrative_seed % 10}",))
    )
    if iss.assessed_value:
        lines.append(_Line("Total assessed value", (iss.assessed_value[year],), dollar=True))
    lines.append(_Line("Miles of streets", (str(80 + iss.narrative_seed % 400),)))
    old = c.style
    c.style = replace(old, zero="0")
    _draw_table(c, _Table([[""]], lines, [360.0], decimals=0), y, d.rng)
    c.style = old
    c.finish()
    d.record("population", iss.population[year] if iss.population else None, Decimal(1))
    d.record("assessed_value", iss.assessed_value[year] if iss.assessed_value else None, Decimal(1))


def _page_cover(d: _Doc) -> None:
    iss = d.issuer
    c = d.canvas()
    c.text(PAGE_W / 2, 200, iss.name, size=26, bold=True, align="center")
    report = (
        "Annual Comprehensive Financial Report"
        if iss.fiscal_year_end.year >= 2021
        else "Comprehensive Annual Financial Report"
    )
    c.text(PAGE_W / 2, 250, report, size=18, align="center")
    c.text(
        PAGE_W / 2,
        280,
        f"For the Fiscal Year Ended {_date_text(iss.fiscal_year_end)}",
        size=13,
        align="center",
    )
    c.text(PAGE_W / 2, 620, "Prepared by the Department of Finance", size=11, align="center")
    c.finish()


def _page_contents(d: _Doc, entries: list[tuple[str, int]]) -> None:
    c = d.canvas()
    c.text(PAGE_W / 2, 60, d.issuer.name, size=10, bold=True, align="center")
    c.text(PAGE_W / 2, 80, "Table of Contents", size=14, bold=True, align="center")
    y = 120
    for title, page in entries:
        text = title + " "
        while c.width(text + ". ", 9) < 430:
            text += ". "
        c.text(60, y, text, size=9)
        c.text(PAGE_W - 60, y, str(page), size=9, align="right")
        y += 16
    c.finish()


def _page_mdna(d: _Doc) -> None:
    """Narrative with figures and a condensed two-year table: plausible text the extractor must not read as the
    statement itself."""
    iss, st = d.issuer, d.style
    c = d.canvas()
    y = _header_block(
        c,
        iss,
        ["Management's Discussion and Analysis"],
        f"For the Fiscal Year Ended {_date_text(iss.fiscal_year_end)}",
        None,
    )
    net = d.truth.get("net_position_total") or 0
    word = st.net.lower()
    para = (
        f"As management of the {iss.name}, we offer readers of the financial statements this narrative overview "
        f"and analysis of the financial activities for the fiscal year ended {_date_text(iss.fiscal_year_end)}. "
        f"The assets and deferred outflows of resources exceeded liabilities and deferred inflows of resources at "
        f"the close of the year by ${net / 1e6:,.1f} million (net {word}). The government-wide statement of net "
        f"{word} presents information on all assets and liabilities, with the difference reported as net {word}. "
        f"Population growth and assessed valuation trends are presented in the statistical section."
    )
    for line in _wrap(c, para, PAGE_W - 110):
        c.text(54, y, line, size=9)
        y += 12
    y += 16
    c.text(PAGE_W / 2, y, f"Condensed Statement of Net {st.net}", size=9, bold=True, align="center")
    y += 16
    ta, tl = d.truth["total_assets"] or 0, d.truth["total_liabilities"] or 0
    unit = st.unit
    cur = (_units(int(ta), unit), _units(int(tl), unit), _units(int(net), unit))
    prior = tuple(int(v * 0.96) for v in cur)
    lines = [
        _Line("Total assets", (cur[0], prior[0]), dollar=True),
        _Line("Total liabilities", (cur[1], prior[1])),
        _Line(f"Total net {word}", (cur[2], prior[2]), kind="total", dollar=True),
    ]
    year = iss.fiscal_year_end.year
    old = c.style
    c.style = replace(old, split_numbers=False)
    _draw_table(c, _Table([[str(year)], [str(year - 1)]], lines, [430.0, 520.0]), y, d.rng)
    c.style = old
    c.finish()


def write_document(issuer: SampleIssuer, path: str | Path, layout: str) -> dict[str, float | None]:
    """Write the report as a PDF and return the truth per metric: dollars as printed, None where not stated."""
    if layout not in _STYLES:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    d = _Doc(issuer, _STYLES[layout])
    _page_cover(d)
    entries = [
        ("Management's Discussion and Analysis", 3),
        (f"Statement of Net {d.style.net}", 4),
        ("Statement of Activities", 5),
        ("Balance Sheet - Governmental Funds", 6),
        ("Demographic and Economic Statistics", 12),
    ]
    if layout != "pre2012":
        _page_contents(d, entries)
    _snp_lines(d)  # the MD&A quotes the statement's figures, so work them out first
    _page_mdna(d)
    _page_statement_of_net_position(d)
    _page_statement_of_activities(d)
    _page_funds_balance_sheet(d)
    _page_funds_operations(d)
    _page_debt(d)
    _page_pension(d)
    _page_statistics(d)
    d.doc.set_metadata({"title": f"{issuer.name} annual financial report", "producer": "sample_documents"})
    if d.scratch is not None:
        d.scratch.close()
    d.doc.subset_fonts()
    d.doc.save(str(path), garbage=3, deflate=True)
    d.doc.close()
    return {m: d.truth.get(m) for m in METRICS}


def generate_documents(folder: str | Path, count: int, seed: int = 7) -> list[Path]:
    """`count` reports `sample_<i>_<layout>.pdf` in `folder`, layouts rotating; deterministic for a seed."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        issuer = generate_issuer(seed, i)
        path = folder / f"sample_{i:03d}_{issuer.layout}.pdf"
        write_document(issuer, path, issuer.layout)
        paths.append(path)
    return paths
