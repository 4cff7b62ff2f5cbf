"""What a symbol may look like before it reaches SQL, Redis, a URL or a partition key."""

from __future__ import annotations

import re
from collections.abc import Iterable

from investing_assets.lib.core.errors import BadMarketData

# Equity tickers: capitals, digits, '.' and '-' (BRK-B, BF.B, 4063.T). Anything else (spaces, '&', '/', '?')
# could change the meaning of a URL or a key, so it never gets that far.
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9.\-]{1,10}$")
# Instruments that are not equities carry vendor conventions: GC=F (futures), ^GSPC (indexes).
INSTRUMENT_PATTERN = re.compile(r"^[A-Z0-9.\-=^]{1,12}$")


def is_ticker(symbol: object) -> bool:
    return isinstance(symbol, str) and SYMBOL_PATTERN.fullmatch(symbol) is not None


def check_symbol(symbol: str) -> str:
    """Refuse anything that is not a plain ticker."""
    if not is_ticker(symbol):
        raise BadMarketData(f"refused symbol {symbol!r}: a ticker is 1-10 of A-Z, 0-9, '.', '-'")
    return symbol


def check_symbols(symbols: Iterable[str]) -> list[str]:
    return [check_symbol(s) for s in symbols]
