"""One rule per metric: the statement kinds to search, the row labels that state it (best first, as patterns over
normalised labels so that one rule covers the spellings of many reports), the column to read, and how a label
printed as a heading is read (its total row, or the sum of the rows under it).

A metric without such a row is None with a reason: never guessed. Sums are taken only where the report prints the
parts under one heading and no total (a single line under "Deferred inflows of resources", the items under "Due in
more than one year"), and say so in their basis.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from investing_assets.lib.muni.extract.columns import (
    ENDING,
    GENERAL,
    GOVERNMENTAL_TOTAL,
    LATEST_YEAR,
    PRIMARY_TOTAL,
    SINGLE,
)
from investing_assets.lib.muni.extract.statements import (
    DEBT,
    FB,
    FO,
    NP,
    NP_CONT,
    PENSION,
    STAT_AV,
    STAT_INCOME,
    STAT_POP,
    Document,
)

YEAR_TABLE = "year_table"  # statistical tables: one year per row, or one year per column


@dataclass(frozen=True)
class Rule:
    metric: str
    kinds: tuple[str, ...]
    labels: tuple[str, ...]  # full-match regexes on normalised labels, best first
    column: str  # primary_total | general | governmental_total | latest_year | ending | single | year_table
    header: str = ""  # year_table: regex the column header (or the heading of a year-column table) must match
    header_not: str = ""
    leaf_not: str = ""  # year_table: regex the column's own (lowest) header must not match
    section: str = ""  # the row's heading, or its own label, must match this (e.g. "debt service")
    headings: bool = False  # a matching label printed as a heading: its total row, or the sum of its rows
    sum_parts: bool = False  # several matching rows are parts of the figure ("Unreserved, designated" + ...)
    candidate: str = ""  # text on a searched page that shows the figure is there though no rule read it

    @cached_property
    def patterns(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(p) for p in self.labels)

    @cached_property
    def candidate_pattern(self) -> re.Pattern[str] | None:
        return re.compile(self.candidate) if self.candidate else None


_DEFICIT = r"( \((deficits?|deficiency)\)| deficits?)?"
_NET = r"net (assets|position)"
_LONG_TERM = r"(long-term|noncurrent) (liabilities|debt|obligations)"
_OPEB = r"(opeb|other post-?employment benefits?( \(opeb\))?|post-?employment benefits other than pensions?)"
_NOTE = r"( \(note \d+\))?"

RULES: tuple[Rule, ...] = (
    Rule("total_assets", (NP, NP_CONT), (r"total assets",), PRIMARY_TOTAL),
    Rule("total_liabilities", (NP, NP_CONT), (r"total liabilities",), PRIMARY_TOTAL),
    Rule(
        "net_position_total",
        (NP, NP_CONT),
        (rf"total {_NET}{_DEFICIT}", rf"{_NET}{_DEFICIT}"),
        PRIMARY_TOTAL,
    ),
    Rule(
        "net_position_unrestricted",
        (NP, NP_CONT),
        # "Unrestricted", "Unrestricted (deficit)", "Unrestricted net position (deficit)", "Unrestricted
        # deficit", "Total unrestricted net assets", "Unrestricted (deficit) net position"
        (rf"(total )?unrestricted{_DEFICIT}( {_NET})?{_DEFICIT}{_NOTE}",),
        PRIMARY_TOTAL,
        candidate=r"\bunrestricted\b",
    ),
    Rule(
        "cash_and_investments",
        (NP, NP_CONT),
        (r"(total )?cash and (pooled )?investments", r"cash,? cash equivalents,? and investments"),
        PRIMARY_TOTAL,
    ),
    Rule(
        "net_opeb_liability",
        (NP, NP_CONT),
        (rf"net {_OPEB} liabilit(y|ies){_NOTE}", r"net opeb liabilities"),
        PRIMARY_TOTAL,
    ),
    Rule(
        "deferred_outflows",
        (NP, NP_CONT),
        (r"total deferred outflows( of resources)?", r"deferred outflows( of resources)?"),
        PRIMARY_TOTAL,
        headings=True,
    ),
    Rule(
        "deferred_inflows",
        (NP, NP_CONT),
        (r"total deferred inflows( of resources)?", r"deferred inflows( of resources)?"),
        PRIMARY_TOTAL,
        headings=True,
    ),
    Rule(
        "long_term_liabilities_due_within_one_year",
        (NP, NP_CONT),
        (
            rf"({_LONG_TERM}( ?[,:-] ?| ))?(amounts? |portion )?(due|payable)( or payable)? within one year",
            rf"(current portion|current maturities) of {_LONG_TERM}",
        ),
        PRIMARY_TOTAL,
        candidate=r"within one year",
    ),
    Rule(
        "long_term_liabilities_due_after_one_year",
        (NP, NP_CONT),
        (
            rf"({_LONG_TERM}( ?[,:-] ?| ))?(amounts? |portion )?(due|payable)( or payable)? (in more than|after) "
            r"one year",
            rf"noncurrent portion of {_LONG_TERM}",
            r"total noncurrent liabilities",
        ),
        PRIMARY_TOTAL,
        headings=True,
        candidate=r"(more than|after) one year|noncurrent liabilities",
    ),
    Rule(
        "net_pension_liability",
        (NP, NP_CONT),
        (rf"net pension liabilit(y|ies){_NOTE}",),
        PRIMARY_TOTAL,
    ),
    Rule(
        "opeb_obligation",
        (NP, NP_CONT),
        (rf"net {_OPEB} obligations?{_NOTE}", rf"{_OPEB}( obligations?)?"),
        PRIMARY_TOTAL,
    ),
    Rule("general_fund_revenues", (FO,), (r"total revenues",), GENERAL),
    Rule("general_fund_expenditures", (FO,), (r"total expenditures",), GENERAL),
    Rule("governmental_funds_expenditures", (FO,), (r"total expenditures",), GOVERNMENTAL_TOTAL),
    Rule(
        "debt_service_principal",
        (FO,),
        (
            r"(debt service[ :-]+)?(bond |bonds? and [a-z ]+ |debt |note )?(principal|retirement|redemption)"
            r"( retirement| payments?| on (long-term )?debt| of (long-term )?debt)?",
            r"(debt service[ :-]+)?(retirement|redemption|repayment) of (long-term )?(debt|bonds|principal)",
        ),
        GOVERNMENTAL_TOTAL,
        section=r"debt service",
        candidate=r"\bprincipal\b|\b(bond|debt) (retirement|redemption)",
    ),
    Rule(
        "debt_service_interest",
        (FO,),
        (r"(debt service[ :-]+)?(bond )?interest( and (other|fiscal) charges| charges| expense| payments?)?",),
        GOVERNMENTAL_TOTAL,
        section=r"debt service",
        candidate=r"\binterest and (fiscal|other) charges",
    ),
    Rule("fund_balance_unassigned", (FB,), (rf"unassigned( fund balances?)?{_DEFICIT}",), GENERAL),
    Rule("fund_balance_assigned", (FB,), (r"(total )?assigned( fund balances?)?( for| to)?",), GENERAL,
         headings=True),
    Rule("fund_balance_committed", (FB,), (r"(total )?committed( fund balances?)?( for| to)?",), GENERAL,
         headings=True),
    Rule(
        "fund_balance_unreserved",
        (FB,),
        (
            rf"total unreserved( fund balances?)?{_DEFICIT}",
            rf"unreserved( fund balances?)?{_DEFICIT}",
            r"unreserved[,:]? (reported in|undesignated|designated)\b.*",
        ),
        GENERAL,
        headings=True,
        sum_parts=True,
        candidate=r"\bunreserved\b",
    ),
    Rule(
        "total_pension_liability",
        (PENSION,),
        (
            r"total pension liability ?[-,]? ?(ending|end of (the )?year)( \(a\))?",
            r"total pension liability( \(a\))?",
        ),
        LATEST_YEAR,
    ),
    Rule(
        "plan_fiduciary_net_position",
        (PENSION,),
        (
            r"plan fiduciary net position ?[-,]? ?(ending|end of (the )?year)( \(b\))?",
            r"plan fiduciary net position( \(b\))?",
        ),
        LATEST_YEAR,
    ),
    Rule(
        "long_term_debt",
        (DEBT,),
        (
            r"total long-term (debt|obligations|bonded debt)( outstanding)?",
            r"total outstanding (long-term )?debt",
        ),
        ENDING,
    ),
    Rule("debt_service", (DEBT,), (r"total (annual )?debt service( paid)?",), SINGLE),
    Rule(
        "population",
        (STAT_POP,),
        (r"(estimated |resident )?population( \(.*\))?",),
        YEAR_TABLE,
        header=r"population",
        header_not=r"per |density",
        leaf_not=r"percent|%|change|per ",
    ),
    Rule(
        "personal_income",
        (STAT_INCOME,),
        (r"(total )?personal income( \(.*\))?",),
        YEAR_TABLE,
        header=r"personal income|^income",
        header_not=r"per capita|median|average",
        leaf_not=r"percent|%|change",
    ),
    Rule(
        "assessed_value",
        (STAT_AV,),
        (r"(total |net )?(taxable )?assessed (value|valuation)( \(.*\))?",),
        YEAR_TABLE,
        header=r"assessed",
        header_not=r"ratio|rate|actual|exempt|less|estimated|full|market",
        leaf_not=r"percent|%",
    ),
    Rule(
        "full_value",
        (STAT_AV,),
        (r"(total )?(estimated )?(actual|full|market) (value|valuation)( \(.*\))?",),
        YEAR_TABLE,
        header=r"(estimated )?(actual|full|market) (value|valuation)",
        header_not=r"ratio|rate|exempt|less|per capita",
        leaf_not=r"percent|%",
    ),
)

# the debt service a fund statement prints as one line (New York: "Debt service, including payments on
# financing arrangements"); read in the Total column when the debt notes print no total
FUND_DEBT_SERVICE = Rule(
    "debt_service",
    (FO,),
    (r"(total )?debt service(,? including .*| expenditures)?",),
    GOVERNMENTAL_TOTAL,
)


@dataclass
class Context:
    doc: Document
    scale: int
    fiscal_year_end: date | None
    np_scale_page: dict[int, tuple[int, str]]
    home: str = ""  # the issuer's own name as statistical tables print it ("california", "rhode island")
