"""Sector and industry aggregates, and index valuations, from one session's members, prices and consensus.

Valuations are aggregated the way index providers do it: a group's forward P/E is its total market cap over its
total forward earnings (the harmonic, cap-weighted mean of its members' P/Es), never the mean of member P/Es,
which one near-zero earner would blow up. Members with no positive forward EPS count for size, returns and
breadth, not for the P/E; `pe_coverage` says what share of the group's cap the P/E stands on. "Forward" is the
coming fiscal year (the nearest period ending on or after the session), not the next twelve months, so a
group's P/E steps when its members' years roll over.

Returns are on the analytics' price basis (lib.analytics.adjustment, default adjusted): the closes a session's
returns compare with are scaled into that session's own price units by the splits and dividends between them,
exactly the factors the indicators adjust their windows with, so a 2:1 split inside the window is no -50 % return.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjustment_steps
from investing_assets.lib.core import calendar

AGGREGATES = {
    "level": pl.String,  # sector | industry
    "name": pl.String,
    "sector": pl.String,
    "members": pl.Int64,
    "market_cap": pl.Float64,
    "return_1d": pl.Float64,  # cap-weighted, percent
    "return_21d": pl.Float64,
    "forward_pe": pl.Float64,
    "pe_coverage": pl.Float64,  # share of the group's cap with a positive forward EPS
    "pct_above_sma50": pl.Float64,
    "revision_breadth": pl.Float64,  # percent of members whose EPS consensus rose minus percent whose fell
    "trailing_pe": pl.Float64,  # total cap / total trailing (TTM, filed) earnings of members with positive ones
    "price_to_book": pl.Float64,  # total cap / total book value of members with positive equity
    "dividend_yield": pl.Float64,  # percent: total TTM dividends / total cap of members with a known dividend
    "trailing_coverage": pl.Float64,  # share of the group's cap with a positive trailing EPS
}

INDEX_VALUATIONS = {
    "index_code": pl.String,
    "members": pl.Int64,
    "forward_pe": pl.Float64,
    "earnings_yield": pl.Float64,  # percent
    "pe_coverage": pl.Float64,  # share of the index weight with a positive forward EPS
    "trailing_pe": pl.Float64,
    "price_to_book": pl.Float64,
    "dividend_yield": pl.Float64,  # percent
    "trailing_coverage": pl.Float64,  # share of the index weight with a positive trailing EPS
}

MEMBERS = {
    "symbol": pl.String, "sector": pl.String, "industry": pl.String, "shares_outstanding": pl.Int64,
    "close": pl.Float64, "close_1d": pl.Float64, "close_21d": pl.Float64, "sma_50": pl.Float64,
    "forward_eps": pl.Float64, "forward_eps_before": pl.Float64,
}

# Per-share figures from filings (lib/fundamentals/trailing), as of the session; absent columns are "not known".
TRAILING_MEMBERS = {"trailing_eps": pl.Float64, "book_per_share": pl.Float64, "dividends_per_share": pl.Float64}


def with_trailing_columns(members: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in TRAILING_MEMBERS if c not in members.columns]
    return members.with_columns(pl.lit(None, dtype=TRAILING_MEMBERS[c]).alias(c) for c in missing)


CLOSES = {"session": pl.Date, "symbol": pl.String, "close": pl.Float64, "close_1d": pl.Float64,
          "close_21d": pl.Float64}


def member_closes(bars: pl.DataFrame, actions: pl.DataFrame | None, sessions: Sequence[dt.date],
                  return_sessions: int, basis: str = ADJUSTED) -> pl.DataFrame:
    """CLOSES for each symbol with a bar on each of `sessions`: its close, and its closes one and `return_sessions`
    NYSE sessions before (null without a bar there) in the session's units on `basis`. `bars` (raw DAILY_BARS)
    must reach `return_sessions` sessions before the first session, `actions` cover them.

    A close k sessions back is multiplied by the product of the adjustment steps of the symbol's rows after it up
    to the session: the running product of the steps divided at both ends, which is exactly 1.0 where nothing
    happened, so raw and adjusted agree to the bit there."""
    frame = bars.sort("symbol", "session")
    price_step, _ = adjustment_steps(frame, actions, basis)
    level = frame.select("symbol", "session", "close").with_columns(step=pl.Series(price_step)).select(
        "symbol", "session", "close", level=pl.col("step").cum_prod().over("symbol"))
    days = pl.DataFrame(
        [(d, *_sessions_before(d, (1, return_sessions))) for d in sessions],
        schema={"session": pl.Date, "d_1": pl.Date, "d_21": pl.Date}, orient="row")
    out = level.join(days, on="session")
    for column, lag in (("close_1d", "d_1"), ("close_21d", "d_21")):
        before = level.select("symbol", pl.col("session").alias(lag), earlier=pl.col("close"),
                              earlier_level=pl.col("level"))
        out = out.join(before, on=["symbol", lag], how="left").with_columns(
            (pl.col("earlier") * (pl.col("level") / pl.col("earlier_level"))).alias(column)).drop(
            "earlier", "earlier_level")
    return out.select(CLOSES.keys()).cast(CLOSES).sort("session", "symbol")


def _sessions_before(session: dt.date, lags: Sequence[int]) -> list[dt.date | None]:
    """The NYSE sessions `lag` sessions before `session` (None before the calendar's first)."""
    days = calendar.sessions_ending(session, max(lags) + 1)
    return [days[-1 - lag] if lag < len(days) else None for lag in lags]


def aggregates(members: pl.DataFrame) -> pl.DataFrame:
    """One row per sector and per industry of a session's MEMBERS frame.

    Every ratio compares like with like: a member enters a return only with both of its caps, the P/E only with
    today's cap and positive earnings; a member with no sector or industry is grouped as "Unclassified"."""
    shares = pl.col("shares_outstanding").cast(pl.Float64)
    frame = with_trailing_columns(members).with_columns(
        pl.col("sector", "industry").fill_null("Unclassified"),
        cap=shares * pl.col("close"),
        cap_1d=shares * pl.col("close_1d"),
        cap_21d=shares * pl.col("close_21d"),
        earnings=pl.when((pl.col("forward_eps") > 0) & pl.col("close").is_not_null())
        .then(shares * pl.col("forward_eps")),
        revised=(pl.col("forward_eps") - pl.col("forward_eps_before")).sign(),
        trailing=pl.when((pl.col("trailing_eps") > 0) & pl.col("close").is_not_null())
        .then(shares * pl.col("trailing_eps")),
        book=pl.when((pl.col("book_per_share") > 0) & pl.col("close").is_not_null())
        .then(shares * pl.col("book_per_share")),
        dividends=pl.when(pl.col("close").is_not_null()).then(shares * pl.col("dividends_per_share")),
    )
    has_cap = pl.col("cap").is_not_null()

    def change(earlier: str) -> pl.Expr:
        both = has_cap & pl.col(earlier).is_not_null()
        return 100 * (pl.col("cap").filter(both).sum() / pl.col(earlier).filter(both).sum() - 1)

    earning = pl.col("earnings").is_not_null()
    stats = [
        pl.len().alias("members"),
        pl.when(has_cap.any()).then(pl.col("cap").sum()).alias("market_cap"),
        change("cap_1d").alias("return_1d"),
        change("cap_21d").alias("return_21d"),
        (pl.col("cap").filter(earning).sum() / pl.col("earnings").filter(earning).sum()).alias("forward_pe"),
        (pl.col("cap").filter(earning).sum() / pl.col("cap").filter(has_cap).sum()).clip(0, 1).alias("pe_coverage"),
        (100 * (pl.col("close") > pl.col("sma_50")).mean()).alias("pct_above_sma50"),
        (100 * pl.col("revised").mean()).alias("revision_breadth"),
        *_trailing_stats(has_cap),
    ]
    sectors = frame.group_by("sector").agg(stats).with_columns(level=pl.lit("sector"), name=pl.col("sector"))
    industries = frame.group_by("sector", "industry").agg(stats).with_columns(
        level=pl.lit("industry"), name=pl.col("industry"))
    out = pl.concat([sectors.select(AGGREGATES.keys()), industries.select(AGGREGATES.keys())])
    return _nan_to_null(out, AGGREGATES).sort("level", "name", descending=[True, False])


def _trailing_stats(has_cap: pl.Expr) -> list[pl.Expr]:
    """Cap-weighted like the forward P/E: totals over totals, each over the members that have the figure."""
    def ratio(numerator: str, denominator: str) -> pl.Expr:
        known = pl.col(denominator).is_not_null() & pl.col(numerator).is_not_null()
        return pl.col(numerator).filter(known).sum() / pl.col(denominator).filter(known).sum()

    return [
        ratio("cap", "trailing").alias("trailing_pe"),
        ratio("cap", "book").alias("price_to_book"),
        (100 * ratio("dividends", "cap")).alias("dividend_yield"),
        (pl.col("cap").filter(pl.col("trailing").is_not_null()).sum() / pl.col("cap").filter(has_cap).sum())
        .clip(0, 1).alias("trailing_coverage"),
    ]


def index_valuations(weights: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Forward P/E per index from its weights: 1 / sum(w * E/P) over members with a price and a positive
    forward EPS, the weights renormalised over them (cap-weighted indexes get cap/earnings, the Dow its own);
    trailing P/E and P/B the same way on filed TTM earnings and book value, the dividend yield sum(w * D/P)."""
    members = with_trailing_columns(members)
    joined = weights.join(members.select("symbol", "close", "forward_eps", *TRAILING_MEMBERS), on="symbol",
                          how="left").with_columns(
        has_pe=(pl.col("forward_eps") > 0) & (pl.col("close") > 0))
    has_pe = pl.col("has_pe").fill_null(False)
    priced = pl.col("close") > 0

    def harmonic(per_share: str) -> pl.Expr:  # 1 / sum(w * X/P) over members with a positive X, w renormalised
        has = ((pl.col(per_share) > 0) & priced).fill_null(False)
        return (pl.col("weight").filter(has).sum()
                / (pl.col("weight") * pl.col(per_share) / pl.col("close")).filter(has).sum())

    has_dividend = (pl.col("dividends_per_share").is_not_null() & priced).fill_null(False)
    out = joined.group_by("index_code").agg(
        pl.len().alias("members"),
        (pl.col("weight").filter(has_pe).sum()
         / (pl.col("weight") * pl.col("forward_eps") / pl.col("close")).filter(has_pe).sum()).alias("forward_pe"),
        (pl.col("weight").filter(has_pe).sum() / pl.col("weight").sum()).clip(0, 1).alias("pe_coverage"),
        harmonic("trailing_eps").alias("trailing_pe"),
        harmonic("book_per_share").alias("price_to_book"),
        (100 * (pl.col("weight") * pl.col("dividends_per_share") / pl.col("close")).filter(has_dividend).sum()
         / pl.col("weight").filter(has_dividend).sum()).alias("dividend_yield"),
        (pl.col("weight").filter(((pl.col("trailing_eps") > 0) & priced).fill_null(False)).sum()
         / pl.col("weight").sum()).clip(0, 1).alias("trailing_coverage"),
    ).with_columns(earnings_yield=100 / pl.col("forward_pe"))
    return _nan_to_null(out.select(INDEX_VALUATIONS.keys()), INDEX_VALUATIONS).sort("index_code")


def _nan_to_null(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    """0/0 and x/0 (no earners, no caps) are "not known": null, never NaN or inf stored as a valuation."""
    floats = [c for c, t in schema.items() if t == pl.Float64]
    return frame.with_columns(pl.when(pl.col(c).is_finite()).then(pl.col(c)) for c in floats).cast(schema)
