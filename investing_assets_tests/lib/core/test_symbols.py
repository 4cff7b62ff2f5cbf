"""One ticker rule for every face: a capital or digit first, then capitals, digits, '.' and '-', up to 10, always
matched whole. `.`, `..` and `-` are path components and flags, and a trailing newline ends a line, not a ticker."""

import argparse

import pytest

from investing_assets.cli.arguments import ticker
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.symbols import check_symbol, is_instrument, is_ticker
from investing_assets.lib.sources.http import validate_symbols

TICKERS = ["AAPL", "BRK.B", "BF-B", "X", "4063.T", "BTC-USD", "ABCDEFGHIJ", "9"]
NOT_TICKERS = [".", "..", "-", "--", ".A", "-A", "AAPL\n", "AAPL\r", "\nAAPL", "ABCDEFGHIJK", "", "aapl", "AAPL ",
               "A/B", "A|B", "'; --", "A\nB", "^GSPC", None]


@pytest.mark.parametrize("symbol", TICKERS)
def test_plain_tickers_pass_every_face(symbol):
    assert is_ticker(symbol) and check_symbol(symbol) == symbol
    assert validate_symbols([symbol], "csv") == [symbol]
    assert ticker(symbol.lower()) == symbol  # the CLI upper-cases what the user typed


@pytest.mark.parametrize("symbol", NOT_TICKERS)
def test_everything_else_is_refused_by_every_face(symbol):
    assert not is_ticker(symbol)
    with pytest.raises(BadMarketData, match="refused symbol"):
        check_symbol(symbol)
    with pytest.raises(ValueError, match="refusing symbol"):
        validate_symbols([symbol], "csv")
    if isinstance(symbol, str) and symbol != "aapl":  # lower case is the CLI's to fix: `ta aapl` means AAPL
        with pytest.raises(argparse.ArgumentTypeError, match="refused symbol"):
            ticker(symbol)


@pytest.mark.parametrize("symbol", ["^GSPC", "GC=F", "BTC-USD", "AAPL"])
def test_instruments_take_vendor_quote_symbols(symbol):
    assert is_instrument(symbol)


@pytest.mark.parametrize("symbol", [".", "..", "-", "=F", "^GSPC\n", "ABCDEFGHIJKLM", None])
def test_instruments_refuse_path_components_and_newlines(symbol):
    assert not is_instrument(symbol)
