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
