"""Adjusted prices: the one place every analytics path (indicators, scan, charts, `investing ta`) turns stored raw
bars into the prices its detectors read.

Basis. `adjusted` (the default) removes splits and dividends from the price history; `raw` leaves the bars as the
source served them. market.daily_bars always keeps the raw bars; only what is computed from them is adjusted.

Anchor. Bars are adjusted back from an as-of session (a stored session's own, the scan's, the report's): that
session keeps its raw prices and each earlier bar is scaled by the splits and dividends between it and the anchor.
A session's values are therefore in that session's own price units and never change when a later split happens
(a vendor's adj_close, adjusted to the download day, would make them depend on when the data was fetched).

Factors. Per row k, `step[k]` is what every earlier bar of the symbol is multiplied by because of row k:
- where the source gives adj_close on rows k-1 and k: step = (adj/close)[k-1] / (adj/close)[k], the vendor's own
  split and dividend adjustment (Yahoo, FMP, csv exports with an Adj Close column);
- otherwise from market.corporate_actions dated on row k's session (or, with its bar missing, the first row after
  the ex-date): a split of ratio r (shares after per share before) gives 1/r when the bars show it, i.e. the
  overnight ratio previous close / open is nearer r than 1 (Yahoo and FMP serve split-adjusted OHLC, so their
  splits are no gap and get no factor); a dividend d gives 1 - d / previous close (the CRSP / Yahoo method).
  A stored action is also applied where adj_close is given but shows no adjustment on that row.
Relative factors over a window are the running product of those steps from the anchor back, computed the same way
whatever frame the window was cut from, so a session's values are identical however it was run.

Volume. Before a split applied from stored actions, volume is multiplied by the ratio (doubled for 2:1) only where
the split day's own volume shows the split too (its ratio to the previous bar's volume is nearer r than 1): many
vendors split-adjust volume even where they leave prices raw, and dividing it again would invent a volume jump.
Only those two bars are read, so the rule depends on nothing outside the window. Where adj_close carries the
adjustment, volume is taken as served: vendors that publish adj_close split-adjust their volume (Yahoo, FMP,
yfinance dumps), and adj_close cannot tell a split from a dividend.

A split whose gap is not on its ex-date row (a vendor dating it a day off) is not applied; the data screen's split
guard (lib.analytics.data_quality) remains the fallback for such raw bars and for raw bars without actions.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

ADJUSTED = "adjusted"
RAW = "raw"
BASES = (ADJUSTED, RAW)
# |log step| below this is vendor rounding of adj_close (Yahoo stores it as float32), not an adjustment.
_ROUNDING = 1e-6
_PRICES = ("open", "high", "low", "close")


def check_basis(basis: str) -> str:
    if basis not in BASES:
        raise ValueError(f"price basis {basis!r}: expected one of {', '.join(BASES)}")
    return basis


def _actions_by_row(frame: pl.DataFrame, actions: pl.DataFrame | None) -> pl.DataFrame:
    """(row, split ratio product, dividend sum) for each row of `frame` an action lands on."""
    empty = pl.DataFrame(schema={"row": pl.UInt32, "ratio": pl.Float64, "amount": pl.Float64})
    if actions is None or actions.height == 0 or frame.height == 0:
        return empty
    rows = frame.select("symbol", "session").with_row_index("row")
    landed = (
        actions.select(pl.col("symbol").cast(pl.String), pl.col("session").cast(pl.Date), "kind",
                       pl.col("ratio").cast(pl.Float64), pl.col("amount").cast(pl.Float64))
        .sort("session")
        .join_asof(rows.sort("session"), on="session", by="symbol", strategy="forward", check_sortedness=False)
        .filter(pl.col("row").is_not_null())
    )
    return landed.group_by("row").agg(
        ratio=pl.col("ratio").filter(pl.col("kind") == "split").product(),
        amount=pl.col("amount").filter(pl.col("kind") == "dividend").sum(),
    )


def adjustment_steps(frame: pl.DataFrame, actions: pl.DataFrame | None = None,
                     basis: str = ADJUSTED) -> tuple[np.ndarray, np.ndarray]:
    """(price step, volume step) per row of `frame` (sorted by symbol, session; open, close and volume, adj_close
    if the source has it): see the module docstring. 1.0 on each symbol's first row and wherever nothing happened."""
    if check_basis(basis) == RAW or frame.height == 0:
        return np.ones(frame.height), np.ones(frame.height)
    by_row = _actions_by_row(frame, actions)
    has_adj = "adj_close" in frame.columns
    steps = frame.select(
        same=pl.col("symbol") == pl.col("symbol").shift(1),
        previous_close=pl.col("close").cast(pl.Float64).shift(1),
        open=pl.col("open").cast(pl.Float64),
        volume_jump=(pl.col("volume").cast(pl.Float64) / pl.col("volume").cast(pl.Float64).shift(1)).log(),
        adj_step=((pl.col("adj_close") / pl.col("close")).shift(1) / (pl.col("adj_close") / pl.col("close")))
        if has_adj else pl.lit(None, pl.Float64),
    ).with_row_index("row").join(by_row, on="row", how="left").sort("row")
    gap = (pl.col("previous_close") / pl.col("open")).log()
    ratio = pl.col("ratio").fill_null(1.0)
    shows_split = (pl.col("ratio").is_not_null() & ((gap - ratio.log()).abs() < gap.abs())).fill_null(False)
    jump = pl.col("volume_jump").fill_nan(None)
    volume_shows = shows_split & ((jump - ratio.log()).abs() < jump.abs()).fill_null(False)
    dividend = pl.col("amount").fill_null(0.0)
    dividend_step = pl.when((dividend > 0) & (dividend < pl.col("previous_close"))).then(
        1.0 - dividend / pl.col("previous_close")).otherwise(1.0)
    vendor = pl.col("same").fill_null(False) & pl.col("adj_step").is_not_null() & pl.col("adj_step").is_finite()
    reflected = vendor & (pl.col("adj_step").log().abs() > _ROUNDING)
    action_step = pl.when(shows_split).then(1.0 / ratio).otherwise(1.0) * dividend_step
    out = steps.select(
        price=pl.when(~pl.col("same").fill_null(False)).then(1.0)
        .otherwise(pl.when(vendor).then(pl.col("adj_step")).otherwise(1.0)
                   * pl.when(reflected).then(1.0).otherwise(action_step)),
        volume=pl.when(pl.col("same").fill_null(False) & volume_shows & ~reflected).then(ratio).otherwise(1.0),
    )
    return (np.ascontiguousarray(out["price"].to_numpy(), dtype=np.float64),
            np.ascontiguousarray(out["volume"].to_numpy(), dtype=np.float64))


def relative_factors(step: np.ndarray, low: int, row: int) -> np.ndarray:
    """Factors of rows [low, row] relative to `row` (1.0 there): the product of the steps after each row up to
    `row`, multiplied from the anchor back, so a window gives the same floats whatever frame it was cut from."""
    factors = np.ones(row + 1 - low)
    if row > low:
        factors[:-1] = np.cumprod(step[low + 1 : row + 1][::-1])[::-1]
    return factors


def _symbol_blocks(frame: pl.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    symbol = frame["symbol"]
    starts = np.flatnonzero((symbol != symbol.shift(1)).fill_null(True).to_numpy())
    return starts, np.append(starts[1:], frame.height)


def adjust_bars(bars: pl.DataFrame, actions: pl.DataFrame | None = None, *, as_of: dt.date,
                basis: str = ADJUSTED) -> pl.DataFrame:
    """Each symbol's bars up to `as_of`, sorted by (symbol, session), adjusted back from its last bar on or before
    `as_of` (see the module docstring). Columns and dtypes are kept (integer volume is rounded); adj_close, when
    present, becomes the adjusted close. The bars should not be adjusted a second time."""
    frame = bars.filter(pl.col("session") <= as_of).sort("symbol", "session")
    if check_basis(basis) == RAW or frame.height == 0:
        return frame
    price_step, volume_step = adjustment_steps(frame, actions, basis)
    price = np.ones(frame.height)
    volume = np.ones(frame.height)
    for start, stop in zip(*_symbol_blocks(frame), strict=True):
        price[start:stop] = relative_factors(price_step, int(start), int(stop) - 1)
        volume[start:stop] = relative_factors(volume_step, int(start), int(stop) - 1)
    if bool((price == 1.0).all() and (volume == 1.0).all()):
        return frame
    factor = pl.Series(price)
    adjusted = frame.with_columns(pl.col(c).cast(pl.Float64) * factor for c in _PRICES)
    if "adj_close" in frame.columns:
        adjusted = adjusted.with_columns(adj_close=pl.col("close"))
    scaled = pl.col("volume").cast(pl.Float64) * pl.Series(volume)
    dtype = frame.schema["volume"]
    return adjusted.with_columns(scaled.round(0).cast(dtype) if dtype.is_integer() else scaled.cast(dtype))


def adjusted_symbols(bars: pl.DataFrame, actions: pl.DataFrame | None = None, basis: str = ADJUSTED) -> list[str]:
    """Symbols of `bars` whose history an adjustment changes (for run metadata)."""
    frame = bars.sort("symbol", "session")
    if frame.height == 0:
        return []
    price_step, volume_step = adjustment_steps(frame, actions, basis)
    changed = (np.abs(np.log(price_step)) > _ROUNDING) | (volume_step != 1.0)
    return sorted(set(frame["symbol"].filter(pl.Series(changed)).to_list()))
