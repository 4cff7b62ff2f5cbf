import datetime as dt
import re

import polars as pl
import pytest

from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.validation import validate_bars, validate_quotes

D = dt.date(2026, 11, 20)


def good() -> pl.DataFrame:
    return pl.DataFrame({
        "symbol": ["AAPL", "MSFT"], "session": [D, D], "open": [10.0, 20.0], "high": [11.0, 21.0],
        "low": [9.0, 19.0], "close": [10.5, 20.5], "adj_close": [10.5, 20.5], "volume": [100, 200],
    })


def test_good_bars_pass_and_are_conformed():
    out = validate_bars(good().with_columns(pl.col("volume").cast(pl.Float64)), ["AAPL", "MSFT"])
    assert out.schema["volume"] == pl.Int64 and out.height == 2


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda f: f.drop("close"), "missing column"),
        (lambda f: f.with_columns(close=pl.when(pl.col("symbol") == "MSFT").then(-1.0).otherwise(pl.col("close"))),
         "non-positive price in bar: MSFT on 2026-11-20"),
        (lambda f: f.with_columns(open=pl.when(pl.col("symbol") == "AAPL").then(None).otherwise(pl.col("open"))),
         "null, NaN or infinite price in bar: AAPL on 2026-11-20"),
        (lambda f: f.with_columns(close=pl.when(pl.col("symbol") == "AAPL").then(float("inf")).otherwise("close")),
         "infinite price in bar: AAPL on 2026-11-20"),
        (lambda f: f.with_columns(adj_close=pl.when(pl.col("symbol") == "MSFT").then(float("nan")).otherwise(
            "adj_close")), "adj_close in bar: MSFT on 2026-11-20"),
        (lambda f: f.with_columns(adj_close=pl.when(pl.col("symbol") == "MSFT").then(-1.0).otherwise(
            "adj_close")), "adj_close in bar: MSFT on 2026-11-20"),
        (lambda f: f.with_columns(high=pl.when(pl.col("symbol") == "MSFT").then(18.0).otherwise(pl.col("high"))),
         "high below low in bar: MSFT on 2026-11-20"),
        (lambda f: pl.concat([f, f.head(1)]), "duplicate bar rows: AAPL on 2026-11-20"),
        (lambda f: f.with_columns(symbol=pl.lit("ZZZZ")).head(1), "outside the universe: ZZZZ on 2026-11-20"),
        (lambda f: f.with_columns(symbol=pl.lit("AAPL; DROP")).head(1), "refused bar symbol"),
    ],
)
def test_bad_frames_name_symbol_and_session(mutate, message):
    with pytest.raises(BadMarketData, match=message.replace("(", r"\(")):
        validate_bars(mutate(good()), ["AAPL", "MSFT"])


@pytest.mark.parametrize("symbol", [".", "..", "-", "AAPL\n", "ABCDEFGHIJK", None])
def test_a_frame_with_a_non_ticker_is_refused_by_the_one_rule(symbol):
    with pytest.raises(BadMarketData, match="refused bar symbol"):
        validate_bars(good().with_columns(symbol=pl.Series([symbol, "MSFT"], dtype=pl.String)), ["AAPL", "MSFT"])


def test_a_bar_without_a_session_is_refused_before_any_other_check():
    bars = good().with_columns(session=pl.when(pl.col("symbol") == "MSFT").then(None).otherwise("session"))
    with pytest.raises(BadMarketData, match="bar without a symbol or session: MSFT on None"):
        validate_bars(bars, ["AAPL", "MSFT"])


def test_quotes_take_vendor_symbols_but_not_path_components():
    quotes = pl.DataFrame({
        "asset_class": ["index", "commodity", "crypto"], "symbol": ["^GSPC", "GC=F", "BTC-USD"],
        "session": [D, D, D], "open": [1.0] * 3, "high": [2.0] * 3, "low": [0.5] * 3, "close": [1.5] * 3,
        "name": ["S&P 500", "Gold", "Bitcoin"], "volume": [1, 1, 1], "change_pct": [0.1, 0.2, 0.3],
        "currency": ["USD", None, "GBp"]})
    assert validate_quotes(quotes).height == 3
    with pytest.raises(BadMarketData, match="currency that is not a three-letter code"):
        validate_quotes(quotes.with_columns(currency=pl.lit("US Dollar")))
    assert validate_quotes(quotes.with_columns(volume=pl.lit(None, pl.Int64))).height == 3  # a currency pair's
    with pytest.raises(BadMarketData, match="negative volume in quote"):
        validate_quotes(quotes.with_columns(volume=pl.lit(-1)))
    for bad in ("..", "-", "^GSPC\n", "=F"):
        with pytest.raises(BadMarketData, match=re.escape(f"refused quote symbol {bad!r}")):
            validate_quotes(quotes.with_columns(symbol=pl.lit(bad)))
