"""The non-equity instruments the project quotes, by our symbol, with their display names."""

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
    # currency pairs: the price of one unit of the first currency in the second (quote) one
    "fx": {"EURUSD": "Euro / US Dollar", "GBPUSD": "British Pound / US Dollar", "USDJPY": "US Dollar / Japanese Yen"},
}


def pair_quote_currency(pair: str) -> str:
    """The currency a pair's rate is priced in, its last three letters (EURUSD: USD, USDJPY: JPY)."""
    if pair not in INSTRUMENTS["fx"]:
        raise ValueError(f"no currency pair {pair!r}; known: {sorted(INSTRUMENTS['fx'])}")
    return pair[3:]
