"""The datasets a market source can serve: the names sources declare, routing uses and errors quote.

They live in core because every source declares them, the demo world (lib/synthetic) as much as the connectors
(lib/sources), and neither may import the other. The protocols with their one exact signature each are in
lib/sources/protocol.py.
"""

from __future__ import annotations

from enum import StrEnum


class Dataset(StrEnum):
    UNIVERSE = "universe"
    CONSTITUENTS = "constituents"
    BARS = "bars"
    INDEX_QUOTES = "index_quotes"
    ETF_QUOTES = "etf_quotes"
    COMMODITY_QUOTES = "commodity_quotes"
    CRYPTO_QUOTES = "crypto_quotes"
    FX_QUOTES = "fx_quotes"
    CORPORATE_ACTIONS = "corporate_actions"
    ESTIMATES = "estimates"
    NEWS = "news"
    ETF_HOLDINGS = "etf_holdings"
    FUNDAMENTALS = "fundamentals"  # IBKR's reqFundamentalData reports (lib/core/fundamental_reports.py)
    # Companions: facts about another dataset's rows that only the source serving it knows, so they always come
    # from that source (or from none) and are never routed on their own.
    LISTINGS = "listings"  # of the universe: when each symbol trades
    BAR_FILES = "bar_files"  # of the bars: the file each symbol's bars come from, rows dated off the calendar
    PLANTED_PATTERNS = "planted_patterns"  # of the bars: the chart patterns planted in them (the demo's truth)


# Quotes are one protocol (quotes(asset_class, ...)) but a dataset per asset class: a vendor may serve crypto
# and not indexes, and each class can come from its own source.
QUOTE_DATASETS: dict[str, Dataset] = {
    "index": Dataset.INDEX_QUOTES,
    "etf": Dataset.ETF_QUOTES,
    "commodity": Dataset.COMMODITY_QUOTES,
    "crypto": Dataset.CRYPTO_QUOTES,
    "fx": Dataset.FX_QUOTES,
}

COMPANION_OF: dict[Dataset, Dataset] = {
    Dataset.LISTINGS: Dataset.UNIVERSE,
    Dataset.BAR_FILES: Dataset.BARS,
    Dataset.PLANTED_PATTERNS: Dataset.BARS,
}

ROUTED: tuple[Dataset, ...] = tuple(d for d in Dataset if d not in COMPANION_OF)

# Names that route several datasets at once in a routing text ("quotes=yahoo").
GROUPS: dict[str, tuple[Dataset, ...]] = {"quotes": tuple(QUOTE_DATASETS.values())}

# A dataset that describes another one's rows comes from that one's source unless it is routed itself: splits must
# be those of the stored prices, index weights those of the stored universe.
FOLLOWS: dict[Dataset, Dataset] = {
    Dataset.CORPORATE_ACTIONS: Dataset.BARS,
    Dataset.CONSTITUENTS: Dataset.UNIVERSE,
}
