"""Which pages hold which statement: every page's plain text is checked cheaply for a statement's words, and
only those candidates get a positional page whose title block must announce the statement (not a fund-level
or combining variant, not a table-of-contents entry)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cached_property

import pymupdf

from investing_assets.lib.muni.extract.pages import Page

NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV = (
    "net_position",
    "net_position_continued",
    "fund_balance_sheet",
    "fund_operations",
    "pension",
    "debt",
    "population",
    "assessed_value",
)

_PREFILTER: dict[str, Callable[[str], bool]] = {
    NP: lambda t: "statement of net assets" in t or "statement of net position" in t,
    FB: lambda t: "balance sheet" in t and "governmental funds" in t,
    FO: lambda t: "changes in fund balance" in t and "governmental funds" in t,
    PENSION: lambda t: "pension liability" in t,
    DEBT: lambda t: "long-term debt" in t or "long-term obligations" in t,
    STAT_POP: lambda t: "population" in t,
    STAT_AV: lambda t: "assessed valu" in t,
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
    return False


class Document:
    """Page texts for the whole file plus positional pages built on demand."""

    def __init__(self, doc: pymupdf.Document, texts: list[str]):
        self.doc = doc
        self.texts = texts
        self.lower = [
            re.sub(r"\s+", " ", t.lower()).replace("\u2013", "-").replace("\u2014", "-") for t in texts
        ]
        self._pages: dict[int, Page] = {}

    def page(self, number: int) -> Page:
        if number not in self._pages:
            self._pages[number] = Page(self.doc[number - 1], number)
        return self._pages[number]

    @cached_property
    def statements(self) -> dict[str, list[int]]:
        """Pages per statement kind, in document order; NP title pages are followed by their continuation."""
        found: dict[str, list[int]] = {k: [] for k in (NP, NP_CONT, FB, FO, PENSION, DEBT, STAT_POP, STAT_AV)}
        for i, text in enumerate(self.lower):
            for kind, pre in _PREFILTER.items():
                if pre(text) and _is_title(kind, self.page(i + 1)):
                    found[kind].append(i + 1)
        for n in found[NP]:
            nxt = n + 1
            if nxt <= len(self.texts) and nxt not in found[NP] and self._is_continuation(nxt):
                found[NP_CONT].append(nxt)
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
