"""Which pages hold which statement: every page's plain text is checked cheaply for a statement's words, and
only those candidates get a positional page whose title block must announce the statement (not a fund-level
or combining variant, not a table-of-contents entry)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

import pymupdf

from investing_assets.lib.muni.extract.pages import Page

NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV, FUNDING, STAT_INCOME = (
    "net_position",
    "net_position_continued",
    "fund_balance_sheet",
    "fund_operations",
    "pension",
    "debt",
    "population",
    "assessed_value",
    "funding_progress",
    "personal_income",
)
KINDS = (NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV, FUNDING, STAT_INCOME)
# where each kind is printed, in words (a metric not found there is `not_stated` "in the ...")
SECTION_NAMES = {
    NP: "statement of net position (net assets)",
    NP_CONT: "statement of net position, continued",
    FB: "governmental funds balance sheet",
    FO: "governmental funds statement of revenues, expenditures and changes in fund balances",
    PENSION: "schedule of changes in net pension liability (RSI)",
    DEBT: "long-term debt note or schedule",
    STAT_POP: "statistical section, demographic tables",
    STAT_AV: "statistical section, assessed value tables",
    FUNDING: "schedules of funding progress (RSI)",
    STAT_INCOME: "statistical section, personal income tables",
}
# kinds whose columns may continue on the facing page (a two-page spread)
_SPREAD_KINDS = frozenset({FB, FO, STAT_POP, STAT_INCOME, STAT_AV})

_PREFILTER: dict[str, Callable[[str], bool]] = {
    NP: lambda t: "statement of net assets" in t or "statement of net position" in t,
    FB: lambda t: "balance sheet" in t and "governmental funds" in t,
    FO: lambda t: "changes in fund balance" in t and "governmental funds" in t,
    PENSION: lambda t: "pension liability" in t,
    DEBT: lambda t: "long-term debt" in t or "long-term obligations" in t,
    STAT_POP: lambda t: "population" in t,
    STAT_AV: lambda t: "assessed valu" in t,
    FUNDING: lambda t: "funding progress" in t and "actuarial" in t,
    STAT_INCOME: lambda t: "per capita" in t,  # demographic tables print per capita income beside the total
}

_FUND_LEVEL = re.compile(
    r"proprietary|fiduciary|enterprise|component unit|internal service|\bfunds?\b|combining|reconciliation|"
    r"budget|changes in|discretely|notes to"
)
_NOT_GOV_FUNDS = re.compile(r"combining|nonmajor|reconciliation|proprietary|budget|actual|fiduciary")
_ANY_TITLE = re.compile(
    r"\bstatement of\b|balance sheet|\bschedule of\b|reconciliation|notes to|discussion and analysis|contents"
)


def _is_title(kind: str, page: Page) -> bool:
    """Does the page's title block announce a statement of this kind (and not a fund-level variant)?"""
    tb = page.title_block
    if kind == NP:
        # a row that starts with the title, not a sentence ending "... in the Statement of Net Assets."
        starts = any(
            re.match(r"(government-wide )?statement of net (assets|position)\b", r) for r in page.title_rows
        )
        return starts and not _FUND_LEVEL.search(tb)
    if kind == FB:
        return "balance sheet" in tb and "governmental funds" in tb and not _NOT_GOV_FUNDS.search(tb)
    if kind == FO:
        return (
            bool(re.search(r"statement of revenues,? expenditures,? and changes in fund balance", tb))
            and "governmental funds" in tb
            and not _NOT_GOV_FUNDS.search(tb)
        )
    if kind == PENSION:
        return (
            "net pension liability" in tb
            and bool(re.search(r"schedule of changes|related ratios", tb))
            and ("proportionate" not in tb)
        )
    if kind == DEBT:
        return bool(re.search(r"long-term (debt|obligations)", tb))
    if kind == STAT_POP:
        return bool(re.search(r"demographic|population|miscellaneous statistic", tb))
    if kind == STAT_AV:
        return bool(re.search(r"assessed value|miscellaneous statistic", tb))
    if kind == FUNDING:
        return bool(re.search(r"schedules? of funding progress", tb)) and "notes to" not in tb
    if kind == STAT_INCOME:
        return bool(re.search(r"demographic|personal income|economic (statistics|indicators)", tb))
    return False


def _continues_funding(text: str) -> bool:
    return ("actuarial" in text and "accrued" in text and "funded" in text and "(a" in text and "(b" in text
            and "notes to" not in text)


class Document:
    """Page texts for the whole file plus positional pages built on demand."""

    def __init__(self, doc: pymupdf.Document, texts: list[str]):
        self.doc = doc
        self.texts = texts
        self.lower = [
            re.sub(r"\s+", " ", t.lower()).replace("\u2013", "-").replace("\u2014", "-") for t in texts
        ]
        self._pages: dict[int, Page] = {}
        self._spreads: dict[int, Page] = {}

    def page(self, number: int) -> Page:
        if number not in self._pages:
            self._pages[number] = Page(self.doc[number - 1], number)
        return self._pages[number]

    def view(self, number: int, kind: str) -> Page:
        """The page to read a statement of `kind` from: with its facing page when the columns continue there."""
        if kind not in _SPREAD_KINDS or number >= len(self.texts):
            return self.page(number)
        if number not in self._spreads:
            right = self.page(number + 1)
            facing = right.label_free_value_rows >= 0.8 and not _ANY_TITLE.search(right.title_block)
            self._spreads[number] = Page.spread(self.page(number), right) if facing else self.page(number)
        return self._spreads[number]

    @cached_property
    def mdna_pages(self) -> list[int]:
        """Management's discussion and analysis: before the basic statements, it restates their figures."""
        first_statement = min(self.statements[NP] or [len(self.texts) + 1])
        return [i + 1 for i, t in enumerate(self.lower[: first_statement - 1]) if "discussion and analysis" in t]

    @cached_property
    def statements(self) -> dict[str, list[int]]:
        """Pages per statement kind, in document order; NP title pages are followed by their continuation."""
        found: dict[str, list[int]] = {k: [] for k in KINDS}
        for i, text in enumerate(self.lower):
            for kind, pre in _PREFILTER.items():
                if pre(text) and _is_title(kind, self.page(i + 1)):
                    found[kind].append(i + 1)
        for n in found[NP]:
            nxt = n + 1
            if nxt <= len(self.texts) and nxt not in found[NP] and self._is_continuation(nxt):
                found[NP_CONT].append(nxt)
        for n in list(found[FUNDING]):  # the schedule goes on over pages titled only "Required Supplementary ..."
            nxt = n + 1
            while nxt <= len(self.texts) and nxt not in found[FUNDING] and _continues_funding(self.lower[nxt - 1]):
                found[FUNDING].append(nxt)
                nxt += 1
        found[FUNDING].sort()
        return found

    def search_order(self, kinds: tuple[str, ...]) -> list[tuple[int, str]]:
        """Pages to search, in document order; a continuation page right after its title page."""
        pages = [(n, k) for k in kinds for n in self.statements[k]]
        return sorted(pages, key=lambda nk: nk[0])

    def _is_continuation(self, number: int) -> bool:
        text = self.lower[number - 1]
        if not ("total liabilities" in text or "net position" in text or "net assets" in text):
            return False
        return not _ANY_TITLE.search(self.page(number).title_block)
