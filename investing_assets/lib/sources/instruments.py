"""The non-equity instruments every source quotes, by our symbol, and each vendor's spelling of them.

Internal mappings, not user input, so vendor tickers like '^GSPC' skip the equity-symbol check.
"""

from __future__ import annotations

INSTRUMENTS: dict[str, dict[str, str]] = {
    "index": {"SPX": "S&P 500", "NDX": "NASDAQ-100", "DJI": "Dow Jones Industrial Average"},
    "etf": {
        "SPY": "SPDR S&P 500 ETF Trust",
        "QQQ": "Invesco QQQ Trust",
        "DIA": "SPDR Dow Jones Industrial Average ETF Trust",
        "IWM": "iShares Russell 2000 ETF",
        "TLT": "iShares 20+ Year Treasury Bond ETF",
        "XLB": "Materials Select Sector SPDR Fund",
        "XLC": "Communication Services Select Sector SPDR Fund",
        "XLE": "Energy Select Sector SPDR Fund",
        "XLF": "Financial Select Sector SPDR Fund",
        "XLI": "Industrial Select Sector SPDR Fund",
        "XLK": "Technology Select Sector SPDR Fund",
        "XLP": "Consumer Staples Select Sector SPDR Fund",
        "XLRE": "Real Estate Select Sector SPDR Fund",
        "XLU": "Utilities Select Sector SPDR Fund",
        "XLV": "Health Care Select Sector SPDR Fund",
        "XLY": "Consumer Discretionary Select Sector SPDR Fund",
    },
    "commodity": {"GC=F": "Gold", "SI=F": "Silver", "CL=F": "Crude Oil", "NG=F": "Natural Gas", "HG=F": "Copper"},
    "crypto": {"BTC-USD": "Bitcoin USD", "ETH-USD": "Ethereum USD", "SOL-USD": "Solana USD"},
}


def vendor_table(spellings: dict[str, str]) -> dict[str, dict[str, tuple[str, str]]]:
    """asset class -> our symbol -> (vendor symbol, display name); unlisted symbols keep our spelling."""
    return {
        asset_class: {ours: (spellings.get(ours, ours), name) for ours, name in names.items()}
        for asset_class, names in INSTRUMENTS.items()
    }


def pick(table: dict[str, dict[str, tuple[str, str]]], asset_class: str, symbols, provider: str
         ) -> list[tuple[str, str, str]]:
    """(our symbol, vendor symbol, name) for the asked symbols (default: all of the class); unknown ones fail."""
    mapping = table[asset_class]
    unknown = [s for s in (symbols or ()) if s not in mapping]
    if unknown:
        raise ValueError(f"{provider}: no {asset_class} mapping for {unknown}; known: {sorted(mapping)}")
    return [(ours, *mapping[ours]) for ours in (symbols or mapping)]


class QuotesByAssetClass:
    """The four quote methods every source exposes, for sources that serve them through one `quotes` call."""

    def quotes(self, asset_class: str, sessions, symbols=None):
        raise NotImplementedError

    def index_quotes(self, sessions):
        return self.quotes("index", sessions)

    def etf_quotes(self, sessions):
        return self.quotes("etf", sessions)

    def commodity_quotes(self, sessions):
        return self.quotes("commodity", sessions)

    def crypto_quotes(self, sessions):
        return self.quotes("crypto", sessions)
