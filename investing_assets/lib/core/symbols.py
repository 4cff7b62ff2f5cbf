"""What a symbol may look like before it reaches SQL, Redis, a URL, a file name or a partition key.

One rule for every face (sources, validation, the CLI, partitions), always applied with `fullmatch`: `re.match`
with `$` lets a trailing newline through, and a rule that allows '.' and '-' anywhere lets `.`, `..` and `-`
through, which are path components and command-line flags rather than tickers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from investing_assets.lib.core.errors import BadMarketData

# Equity tickers: a capital or digit, then capitals, digits, '.' and '-' (BRK-B, BF.B, 4063.T). Anything else
# (spaces, '&', '/', '?') could change the meaning of a URL or a key, so it never gets that far.
SYMBOL_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9.\-]{0,9}")
TICKER_RULE = "1-10 of A-Z, 0-9, '.', '-', starting with a letter or digit"
# Instruments that are not equities carry vendor conventions: GC=F (futures), ^GSPC (indexes).
INSTRUMENT_PATTERN = re.compile(r"[A-Z0-9^][A-Z0-9.\-=^]{0,11}")


def is_ticker(symbol: object) -> bool:
    return isinstance(symbol, str) and SYMBOL_PATTERN.fullmatch(symbol) is not None


def is_instrument(symbol: object) -> bool:
    """A ticker or a vendor's quote symbol (^GSPC, GC=F, BTC-USD)."""
    return isinstance(symbol, str) and INSTRUMENT_PATTERN.fullmatch(symbol) is not None


def ticker_refusal(symbol: object) -> str:
    """The one-line reason a symbol is refused: what every face says."""
    return f"refused symbol {symbol!r}: a ticker is {TICKER_RULE}"


def check_symbol(symbol: str) -> str:
    """Refuse anything that is not a plain ticker."""
    if not is_ticker(symbol):
        raise BadMarketData(ticker_refusal(symbol))
    return symbol


def check_symbols(symbols: Iterable[str]) -> list[str]:
    return [check_symbol(s) for s in symbols]
