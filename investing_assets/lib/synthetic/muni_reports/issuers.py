"""Synthetic issuers and their books: seeded governments whose statements tie to each other, in whole dollars."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

# The three report layouts (style.py); an issuer's fiscal year falls in its layout's era.
LAYOUTS: tuple[str, ...] = ("classic", "pre2012", "modern")
LAYOUT_SCALE: dict[str, int] = {"classic": 1_000, "pre2012": 1, "modern": 1_000_000}
_LAYOUT_YEARS = {"classic": (2014, 2019), "pre2012": (2009, 2011), "modern": (2019, 2024)}

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


def generate_issuer(seed: int, index: int) -> SampleIssuer:
    """Deterministic issuer number `index` of a family `seed`; layouts rotate with the index."""
    rng = random.Random(seed * 1_000_003 + index)
    layout = LAYOUTS[index % len(LAYOUTS)]
    kind = rng.choice(("city", "city", "county", "school_district", "state"))
    first_year, last_year = _LAYOUT_YEARS[layout]
    month, day = rng.choice(_FYE)
    year = rng.randint(first_year, last_year)
    gov_assets = _size(rng, kind)
    has_bta = kind != "school_district" and rng.random() < 0.85
    has_cu = kind in ("state", "county", "city") and rng.random() < 0.6
    opeb_present = rng.random() < 0.75
    opeb = ("liability" if year >= 2018 else "obligation") if opeb_present else None
    pension, funding = _pension_history(rng, gov_assets, year)
    npl_total = (pension[year][0] - pension[year][1]) if pension else 0
    governmental, business, component = _activities(rng, gov_assets, year, opeb, npl_total, has_bta, has_cu)

    gf_revenues = int(gov_assets * rng.uniform(0.12, 0.35))
    has_committed = rng.random() < 0.7
    general = _fund(rng, gf_revenues, year, has_committed, deficit=rng.random() < 0.12)
    others = _fund(rng, int(gf_revenues * rng.uniform(0.2, 0.7)), year, True, False)
    debt, interest = _debt_schedule(rng, governmental, business)

    population = assessed = None
    if rng.random() < 0.8:
        typical = {"school_district": 9e4, "city": 2e5, "county": 4e5, "state": 6e6}[kind]
        population = _ten_years_back(rng, year, int(typical * rng.uniform(0.15, 4)), (0.996, 1.02))
    if kind != "state" and rng.random() < 0.8:
        assessed = _ten_years_back(rng, year, int(gov_assets * rng.uniform(6, 25)), (0.98, 1.07))

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


def _size(rng: random.Random, kind: str) -> int:
    low, high = {
        "school_district": (4e7, 9e8),
        "city": (8e7, 6e9),
        "county": (1.5e8, 8e9),
        "state": (5e9, 1.5e11),
    }[kind]
    return int(low * (high / low) ** rng.random())


def _pension_history(
    rng: random.Random, gov_assets: int, year: int
) -> tuple[dict[int, tuple[int, int]] | None, tuple[int, int] | None]:
    """GASB 68 years (from 2015): up to ten years of (total pension liability, plan fiduciary net position),
    newest first. Earlier years: the funding-progress pair (actuarial value of assets, accrued liability)."""
    if year < 2015:
        accrued = int(gov_assets * rng.uniform(0.15, 0.6))
        return None, (int(accrued * rng.uniform(0.5, 0.95)), accrued)
    liability = int(gov_assets * rng.uniform(0.15, 0.6))
    net_position = int(liability * rng.uniform(0.45, 0.95))
    pension = {year: (liability, net_position)}
    for y in range(year - 1, max(2014, year - 9) - 1, -1):
        liability = int(liability / rng.uniform(1.02, 1.06))
        net_position = int(net_position / rng.uniform(0.96, 1.10))
        pension[y] = (liability, net_position)
    return pension, None


def _activities(
    rng: random.Random,
    gov_assets: int,
    year: int,
    opeb: str | None,
    npl_total: int,
    has_bta: bool,
    has_cu: bool,
) -> tuple[dict[str, int], dict[str, int] | None, dict[str, int] | None]:
    """Governmental, business-type and component-unit columns; the net pension liability is shared between
    the first two, and internal balances between them net to zero."""
    bta_share = rng.uniform(0.05, 0.2) if has_bta else 0.0
    npl_bta = int(npl_total * bta_share)
    governmental = _activity(rng, gov_assets, year, opeb, npl_total - npl_bta, True)
    business = (
        _activity(rng, int(gov_assets * rng.uniform(0.1, 0.6)), year, opeb, npl_bta, False)
        if has_bta
        else None
    )
    if business:
        internal = int(gov_assets * rng.uniform(0.0005, 0.01))
        governmental["internal"], business["internal"] = -internal, internal
        governmental["cap_dep"] += internal
        business["cap_dep"] -= internal
    component = (
        _activity(rng, int(gov_assets * rng.uniform(0.05, 0.4)), year, opeb, 0, False) if has_cu else None
    )
    return governmental, business, component


def _activity(
    rng: random.Random, assets: int, year: int, opeb: str | None, npl: int, governmental: bool
) -> dict[str, int]:
    """Statement of Net Position line items for one activity column; net position items plug to balance."""
    items = {
        "cash": int(assets * rng.uniform(0.08, 0.22)),
        "receivables": int(assets * rng.uniform(0.02, 0.07)),
        "due_other_gov": int(assets * rng.uniform(0.01, 0.04)) if governmental else 0,
        "inventories": int(assets * rng.uniform(0.001, 0.006)),
        "cap_nondep": int(assets * rng.uniform(0.06, 0.18)),
    }
    items["cap_dep"] = assets - sum(items.values())
    items["dof_pension"] = int(assets * rng.uniform(0.01, 0.04)) if year >= 2015 else 0
    items.update(
        ap=int(assets * rng.uniform(0.015, 0.045)),
        interest_payable=int(assets * rng.uniform(0.001, 0.005)),
        unearned=int(assets * rng.uniform(0.002, 0.015)),
        lt_within=int(assets * rng.uniform(0.015, 0.035)),
        lt_more=int(assets * rng.uniform(0.12, 0.40)),
        npl=npl if year >= 2015 else 0,
        opeb=int(assets * rng.uniform(0.01, 0.12)) if opeb else 0,
        dif_pension=int(assets * rng.uniform(0.003, 0.015)) if year >= 2015 else 0,
    )
    liabilities = sum(
        items[k] for k in ("ap", "interest_payable", "unearned", "lt_within", "lt_more", "npl", "opeb")
    )
    net = assets + items["dof_pension"] - liabilities - items["dif_pension"]
    items["invested"] = int(
        (items["cap_nondep"] + items["cap_dep"]) - items["lt_more"] * rng.uniform(0.5, 0.85)
    )
    items["restricted_debt"] = int(assets * rng.uniform(0.003, 0.015))
    items["restricted_other"] = int(assets * rng.uniform(0.003, 0.03))
    items["unrestricted"] = net - items["invested"] - items["restricted_debt"] - items["restricted_other"]
    return items


def _fund(rng: random.Random, revenues: int, year: int, committed: bool, deficit: bool) -> dict[str, int]:
    """Governmental fund: balance sheet and operating statement items that tie to each other."""
    fund = {"revenues": revenues, "expenditures": int(revenues * rng.uniform(0.9, 1.03))}
    fund["transfers_in"] = int(revenues * rng.uniform(0.0, 0.04))
    fund["transfers_out"] = int(revenues * rng.uniform(0.01, 0.06))
    balance = int(revenues * rng.uniform(0.03, 0.10)) if deficit else int(revenues * rng.uniform(0.08, 0.35))
    fund["nonspendable"] = int(balance * rng.uniform(0.005, 0.03))
    fund["restricted"] = int(balance * rng.uniform(0.0, 0.08))
    fund["committed"] = int(balance * rng.uniform(0.02, 0.15)) if committed else 0
    fund["assigned"] = int(balance * (rng.uniform(1.1, 1.6) if deficit else rng.uniform(0.02, 0.2)))
    fund["unassigned"] = (
        balance - fund["nonspendable"] - fund["restricted"] - fund["committed"] - fund["assigned"]
    )
    fund["fund_balance"] = balance
    fund["liabilities"] = int(revenues * rng.uniform(0.03, 0.09))
    fund["deferred_inflows"] = int(revenues * rng.uniform(0.003, 0.02)) if year >= 2015 else 0
    assets = balance + fund["liabilities"] + fund["deferred_inflows"]
    fund["cash"] = int(assets * rng.uniform(0.55, 0.8))
    fund["receivables"] = int(assets * rng.uniform(0.1, 0.3))
    fund["due_from_other_funds"] = assets - fund["cash"] - fund["receivables"]
    return fund


def _debt_schedule(
    rng: random.Random, governmental: dict[str, int], business: dict[str, int] | None
) -> tuple[list[tuple[str, int, int, int]], int]:
    """Long-term debt by kind, (description, beginning, additions, reductions), and the interest paid."""
    debt_total = int((governmental["lt_within"] + governmental["lt_more"]) * rng.uniform(0.7, 0.9))
    if business:
        debt_total += int((business["lt_within"] + business["lt_more"]) * rng.uniform(0.7, 0.9))
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
        reductions = int(ending * rng.uniform(0.03, 0.08))
        additions = int(ending * rng.uniform(0.0, 0.15)) if rng.random() < 0.6 else 0
        debt.append((name, ending - additions + reductions, additions, reductions))
    interest = int(sum(d[1] for d in debt) * rng.uniform(0.028, 0.045))
    return debt, interest


def _ten_years_back(
    rng: random.Random, year: int, latest: int, growth: tuple[float, float]
) -> dict[int, int]:
    """`latest` in `year` and the nine years before it, each a year's random growth below the next."""
    values = {}
    for y in range(year, year - 10, -1):
        values[y] = latest
        latest = int(latest / rng.uniform(*growth))
    return values
