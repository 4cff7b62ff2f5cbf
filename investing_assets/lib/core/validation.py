"""Guards between a source and the warehouse: bad rows stop a partition before anything is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import polars as pl

from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.schemas import BAR_CURRENCY, CORPORATE_ACTIONS, DAILY_BARS, QUOTES
from investing_assets.lib.core.symbols import is_instrument, is_ticker

PRICE_COLUMNS = ("open", "high", "low", "close")


def validate_bars(bars: pl.DataFrame, universe: Iterable[str] | None = None) -> pl.DataFrame:
    """Return the bars in DAILY_BARS shape or raise BadMarketData naming the first offending rows."""
    return _validate(bars, DAILY_BARS, key=("symbol", "session"), universe=universe, what="bar",
                     rule=is_ticker)


def validate_priced_bars(bars: pl.DataFrame, universe: Iterable[str] | None = None) -> pl.DataFrame:
    """`validate_bars`, in VENDOR_BARS shape: the currency the source names on each bar (a three-letter code, never
    null), or BAR_CURRENCY for a source whose bars carry no currency column (it serves dollars only)."""
    frame = validate_bars(bars, universe)  # selects and checks, keeping the rows in order
    if "currency" not in bars.columns:
        return frame.with_columns(currency=pl.lit(BAR_CURRENCY, pl.String))
    frame = frame.with_columns(currency=bars.get_column("currency").cast(pl.String))
    _refuse(frame, pl.col("currency").is_null() | ~pl.col("currency").str.contains(r"^[A-Za-z]{3}$"),
            "bar without a three-letter currency")
    return frame


def validate_quotes(quotes: pl.DataFrame) -> pl.DataFrame:
    """QUOTES rows, or BadMarketData for the first bad one; a currency, where given, is a three-letter code, and the
    volume may be null (a currency pair has none)."""
    frame = _validate(quotes, QUOTES, key=("asset_class", "symbol", "session"), universe=None, what="quote",
                      rule=is_instrument, volume_optional=True)
    _refuse(frame, pl.col("currency").is_not_null() & ~pl.col("currency").str.contains(r"^[A-Za-z]{3}$"),
            "quote with a currency that is not a three-letter code")
    return frame


def _conformed(frame: pl.DataFrame, schema: dict, what: str, rule: Callable[[object], bool]) -> pl.DataFrame:
    """`frame` cast to `schema` (every column present, no lossy cast) with symbols that pass `rule` only (the
    one rule of lib.core.symbols, applied in Python: a regex in polars would be a second spelling of it)."""
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise BadMarketData(f"{what}s are missing column(s) {missing}; got {frame.columns}")
    try:
        frame = frame.select([pl.col(c).cast(t, strict=True) for c, t in schema.items()])
    except pl.exceptions.PolarsError as exc:
        raise BadMarketData(f"{what}s have a column of the wrong type: {exc}") from exc
    bad_symbols = [s for s in frame.get_column("symbol").unique(maintain_order=True).to_list() if not rule(s)]
    if bad_symbols:
        raise BadMarketData(f"refused {what} symbol {bad_symbols[0]!r}: not a plain ticker")
    return frame


def _validate(
    frame: pl.DataFrame, schema: dict, *, key: tuple[str, ...], universe: Iterable[str] | None, what: str,
    rule: Callable[[object], bool], volume_optional: bool = False,
) -> pl.DataFrame:
    frame = _conformed(frame, schema, what, rule)
    if frame.height == 0:
        return frame
    _refuse(frame, pl.any_horizontal(pl.col(key).is_null()), f"{what} without a {' or '.join(key)}")
    _refuse(frame, pl.any_horizontal(pl.col(PRICE_COLUMNS).is_null() | ~pl.col(PRICE_COLUMNS).is_finite()),
            f"null, NaN or infinite price in {what}")
    _refuse(frame, pl.any_horizontal(pl.col(PRICE_COLUMNS) <= 0), f"non-positive price in {what}")
    if "adj_close" in frame.columns:  # may be absent (null) when a source has no adjusted series
        _refuse(frame, pl.col("adj_close").is_not_null() & ~(pl.col("adj_close").is_finite()
                                                             & (pl.col("adj_close") > 0)),
                f"NaN, infinite or non-positive adj_close in {what}")
    _refuse(frame, pl.col("high") < pl.col("low"), f"high below low in {what}")
    _refuse(
        frame,
        (pl.col("low") > pl.min_horizontal("open", "close")) | (pl.col("high") < pl.max_horizontal("open", "close")),
        f"open/close outside the low-high range in {what}",
    )
    if "volume" in frame.columns:
        negative = pl.col("volume") < 0
        _refuse(frame, pl.col("volume").is_not_null() & negative if volume_optional else negative,
                f"negative volume in {what}")
    _refuse(frame, pl.struct(list(key)).is_duplicated(), f"duplicate {what} rows")
    if universe is not None:
        known = set(universe)
        _refuse(frame, ~pl.col("symbol").is_in(list(known)), f"{what} for a symbol outside the universe")
    return frame


def validate_corporate_actions(actions: pl.DataFrame, universe: Iterable[str] | None = None) -> pl.DataFrame:
    """CORPORATE_ACTIONS rows or BadMarketData naming the first offending symbol and ex-date: a split needs a
    positive ratio, a dividend a positive amount, one row per (symbol, session, kind)."""
    frame = _conformed(actions, CORPORATE_ACTIONS, "corporate action", is_ticker)
    if frame.height == 0:
        return frame
    _refuse(frame, pl.col("session").is_null(), "corporate action without an ex-date session")
    _refuse(frame, ~pl.col("kind").is_in(["split", "dividend"]), "corporate action neither split nor dividend")
    split, dividend = pl.col("kind") == "split", pl.col("kind") == "dividend"
    positive = {c: pl.col(c).is_not_null() & pl.col(c).is_finite() & (pl.col(c) > 0) for c in ("ratio", "amount")}
    _refuse(frame, split & (~positive["ratio"] | pl.col("amount").is_not_null()),
            "split without a positive ratio (shares after per share before)")
    _refuse(frame, dividend & (~positive["amount"] | pl.col("ratio").is_not_null()),
            "dividend without a positive amount per share")
    _refuse(frame, pl.struct("symbol", "session", "kind").is_duplicated(), "duplicate corporate action rows")
    if universe is not None:
        _refuse(frame, ~pl.col("symbol").is_in(list(set(universe))), "corporate action for a symbol outside the universe")
    return frame


def refuse_rows(offenders: pl.DataFrame, message: str, describe: Callable[[dict], str], *,
                examples: int = 1) -> None:
    """Raise BadMarketData when any row offends: `message` with "{rows}" replaced by the first rows as
    `describe` names them, and how many there are. The one shape of every row-level refusal."""
    if offenders.height:
        rows = ", ".join(describe(row) for row in offenders.head(examples).iter_rows(named=True))
        raise BadMarketData(f"{message.replace('{rows}', rows)} ({offenders.height} row(s) in all); "
                            "nothing was written")


def symbol_on_session(row: dict) -> str:
    return f"{row['symbol']} on {row['session']}"


def _refuse(frame: pl.DataFrame, bad: pl.Expr, reason: str) -> None:
    refuse_rows(frame.filter(bad.fill_null(True)), f"{reason}: {{rows}}", symbol_on_session, examples=3)
