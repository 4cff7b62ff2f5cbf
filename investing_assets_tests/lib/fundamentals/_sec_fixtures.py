"""The real SEC EDGAR payloads in ../shared/data/fixtures/sec_edgar_edgartools (skip, naming the file, if absent)."""

from __future__ import annotations

from pathlib import Path

from investing_assets_tests.lib.sources._replay import SHARED_FIXTURES, recorded

SEC_EDGARTOOLS = SHARED_FIXTURES / "sec_edgar_edgartools"


def lpa_facts() -> Path:
    """companyfacts of Logistic Properties of the Americas (CIK 1997711), an IFRS 20-F filer."""
    return recorded(SEC_EDGARTOOLS / "lpa_facts.json")


def company_tickers() -> Path:
    return recorded(SEC_EDGARTOOLS / "company_tickers.json")


SEC_FAIRVALUE = SHARED_FIXTURES / "sec_edgar_fairvalue"


def submissions(symbol: str) -> Path:
    """Real submissions bodies: AAPL and NVDA (raw, Jan 2025), TSLA (edgartools' re-serialized, Nov 2022)."""
    if symbol == "TSLA":
        return recorded(SEC_EDGARTOOLS / "company_submission.json")
    return recorded(SEC_FAIRVALUE / f"sec-filing-submissions-{symbol}.json")
