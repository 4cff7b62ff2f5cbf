"""The demo's stock universe: the real current S&P 500, NASDAQ-100 and Dow members that ship inside
pytickersymbols, each given one GICS sector and a specific industry label."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pytickersymbols import PyTickerSymbols

from investing_assets.lib.core.symbols import is_ticker

INDEX_CODES = ("SPX", "NDX", "DJI")
# pytickersymbols' own spelling of each index.
_PYTICKERSYMBOLS_INDEX = {"SPX": "S&P 500", "NDX": "NASDAQ 100", "DJI": "DOW JONES"}

SECTOR_ETFS = {
    "Information Technology": "XLK",
    "Financials": "XLF",
    "Energy": "XLE",
    "Health Care": "XLV",
    "Consumer Discretionary": "XLY",
    "Consumer Staples": "XLP",
    "Industrials": "XLI",
    "Utilities": "XLU",
    "Materials": "XLB",
    "Real Estate": "XLRE",
    "Communication Services": "XLC",
}
SECTORS = tuple(SECTOR_ETFS)

# When pytickersymbols lists two GICS sectors (AES: Energy + Utilities, EQIX: Financials + Real Estate,
# GEV: Energy + Industrials, MCO: Financials + Industrials, STE: Health Care + Utilities, GRMN: Consumer
# Discretionary + Industrials) the earlier one here is the actual GICS classification.
_SECTOR_PRECEDENCE = (
    "Real Estate",
    "Health Care",
    "Consumer Discretionary",
    "Utilities",
    "Financials",
    "Communication Services",
    "Information Technology",
    "Consumer Staples",
    "Materials",
    "Industrials",
    "Energy",
)
# For the few records without any GICS sector name (mostly NASDAQ-100-only names); first match wins.
_SECTOR_KEYWORDS = (
    (("real estate", "reit"), "Real Estate"),
    (("utilit",), "Utilities"),
    (("biotech", "pharma", "health", "medical"), "Health Care"),
    (("semiconductor", "software", "technology", "computer", "edp", "security"), "Information Technology"),
    (("bank", "insurance", "financ", "invest"), "Financials"),
    (("oil", "gas", "petroleum", "energy"), "Energy"),
    (("beverage", "food", "tobacco", "household"), "Consumer Staples"),
    (("retail", "e-commerce", "restaurant", "apparel", "automo"), "Consumer Discretionary"),
    (("media", "telecom", "internet", "entertainment"), "Communication Services"),
    (("chemical", "mining", "metal", "material", "packaging"), "Materials"),
)
# Sector-like labels that say nothing beyond the sector, so they are skipped when choosing an industry.
_NOT_AN_INDUSTRY = {s.lower() for s in SECTORS} | {
    "technology", "information technology", "healthcare", "health care", "financial services",
    "consumer cyclicals", "consumer non-cyclicals", "industrial goods", "basic materials", "real estate",
    "cyclical consumer services", "energy industry",
}  # fmt: skip
_US_STATES = {
    "Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
    "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
    "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
    "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
    "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
    "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
    "West Virginia", "Wisconsin", "Wyoming", "D.C.", "United States",
}  # fmt: skip


@dataclass(frozen=True)
class Stock:
    symbol: str
    name: str
    sector: str
    industry: str
    indices: frozenset[str]  # index codes


def _plain_ticker(raw: object) -> str | None:
    """Plain form (BRK.B, not BRK-B or BRK/B); None when it cannot be made to fit the warehouse rule."""
    if not isinstance(raw, str):
        return None
    ticker = raw.strip().upper().replace("/", ".")
    return ticker if is_ticker(ticker) else None


def _is_us(record: dict, indices: set[str]) -> bool:
    """S&P 500 and Dow membership already require a US listing and domicile; only NASDAQ-100-only names
    (which include foreign ADRs) are screened, by headquarters, else by a US ISIN when HQ is missing."""
    if indices & {"SPX", "DJI"}:
        return True
    country = (record.get("country") or "").strip()
    if country and country.lower() != "none":
        return country.rsplit(",", 1)[-1].strip() in _US_STATES
    return any(str(isin).startswith("US") for isin in record.get("isins") or [])


def _keyword_sector(label: str) -> str | None:
    text = label.lower()
    return next((sector for keywords, sector in _SECTOR_KEYWORDS if any(k in text for k in keywords)), None)


def _sector(industries: Sequence[str]) -> str:
    named = set(industries) & set(SECTORS)
    if named:
        return next(s for s in _SECTOR_PRECEDENCE if s in named)
    return _keyword_sector(" ".join(industries)) or "Industrials"


def _industry(industries: Sequence[str], sector: str) -> str:
    """First specific label, preferring one that agrees with the sector (Steris is also tagged "Electric
    Utilities" upstream). The labels come sorted alphabetically, so the choice is stable."""
    specific = [i.strip() for i in industries if i and i.strip().lower() not in _NOT_AN_INDUSTRY]
    if not specific:
        return sector

    def disagreement(label: str) -> int:
        found = _keyword_sector(label)
        return 0 if found == sector else 1 if found is None else 2

    return min(specific, key=disagreement)  # min() keeps the first of equals


@lru_cache(maxsize=1)
def stocks() -> tuple[Stock, ...]:
    """Union of S&P 500, NASDAQ-100 and Dow members, sorted by symbol. Data ships inside pytickersymbols."""
    tickers = PyTickerSymbols()
    records: dict[str, dict] = {}
    membership: dict[str, set[str]] = {}
    for code in INDEX_CODES:  # S&P 500 first: its records carry GICS sector names
        for record in tickers.get_stocks_by_index(_PYTICKERSYMBOLS_INDEX[code]):
            symbol = _plain_ticker(record.get("symbol"))
            if symbol is None:
                continue
            records.setdefault(symbol, record)
            membership.setdefault(symbol, set()).add(code)
    found = []
    for symbol in sorted(records):
        record, indices = records[symbol], membership[symbol]
        if not _is_us(record, indices):
            continue
        industries = [i for i in record.get("industries") or [] if isinstance(i, str)]
        sector = _sector(industries)
        name = str(record.get("name") or symbol).strip()
        found.append(Stock(symbol, name, sector, _industry(industries, sector), frozenset(indices)))
    return tuple(found)
