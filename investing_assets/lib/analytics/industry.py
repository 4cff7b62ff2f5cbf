"""Sector and industry aggregates, and index valuations, from one session's members, prices and consensus.

Valuations are aggregated the way index providers do it: a group's forward P/E is its total market cap over its
total forward earnings (the harmonic, cap-weighted mean of its members' P/Es), never the mean of member P/Es,
which one near-zero earner would blow up. Members with no positive forward EPS count for size, returns and
breadth, not for the P/E; `pe_coverage` says what share of the group's cap the P/E stands on.
"""

from __future__ import annotations

import polars as pl

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
}

INDEX_VALUATIONS = {
    "index_code": pl.String,
    "members": pl.Int64,
    "forward_pe": pl.Float64,
    "earnings_yield": pl.Float64,  # percent
    "pe_coverage": pl.Float64,  # share of the index weight with a positive forward EPS
}

MEMBERS = {
    "symbol": pl.String, "sector": pl.String, "industry": pl.String, "shares_outstanding": pl.Int64,
    "close": pl.Float64, "close_1d": pl.Float64, "close_21d": pl.Float64, "sma_50": pl.Float64,
    "forward_eps": pl.Float64, "forward_eps_before": pl.Float64,
}


def aggregates(members: pl.DataFrame) -> pl.DataFrame:
    """One row per sector and per industry of a session's MEMBERS frame."""
    cap = pl.col("shares_outstanding").cast(pl.Float64) * pl.col("close")
    frame = members.with_columns(
        cap=cap,
        cap_1d=pl.col("shares_outstanding").cast(pl.Float64) * pl.col("close_1d"),
        cap_21d=pl.col("shares_outstanding").cast(pl.Float64) * pl.col("close_21d"),
        earnings=pl.when(pl.col("forward_eps") > 0).then(pl.col("shares_outstanding") * pl.col("forward_eps")),
        revised=(pl.col("forward_eps") - pl.col("forward_eps_before")).sign(),
    )
    stats = [
        pl.len().alias("members"),
        pl.col("cap").sum().alias("market_cap"),
        (100 * (pl.col("cap").filter(pl.col("cap_1d").is_not_null()).sum() / pl.col("cap_1d").sum() - 1)
         ).alias("return_1d"),
        (100 * (pl.col("cap").filter(pl.col("cap_21d").is_not_null()).sum()
                / pl.col("cap_21d").sum() - 1)).alias("return_21d"),
        (pl.col("cap").filter(pl.col("earnings").is_not_null()).sum() / pl.col("earnings").sum()).alias("forward_pe"),
        (pl.col("cap").filter(pl.col("earnings").is_not_null()).sum() / pl.col("cap").sum()).alias("pe_coverage"),
        (100 * (pl.col("close") > pl.col("sma_50")).mean()).alias("pct_above_sma50"),
        (100 * pl.col("revised").mean()).alias("revision_breadth"),
    ]
    sectors = frame.group_by("sector").agg(stats).with_columns(level=pl.lit("sector"), name=pl.col("sector"))
    industries = frame.group_by("sector", "industry").agg(stats).with_columns(
        level=pl.lit("industry"), name=pl.col("industry"))
    out = pl.concat([sectors.select(AGGREGATES.keys()), industries.select(AGGREGATES.keys())])
    return out.with_columns(pl.col(c).fill_nan(None) for c, t in AGGREGATES.items() if t == pl.Float64
                            ).cast(AGGREGATES).sort("level", "name", descending=[True, False])


def index_valuations(weights: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """Forward P/E per index from its weights: 1 / sum(w * E/P) over members with a positive forward EPS, the
    weights renormalised over them (cap-weighted indexes get cap/earnings, the price-weighted Dow its own)."""
    joined = weights.join(members.select("symbol", "close", "forward_eps"), on="symbol", how="left").with_columns(
        has_pe=pl.col("forward_eps") > 0)
    out = joined.group_by("index_code").agg(
        pl.len().alias("members"),
        (pl.col("weight").filter(pl.col("has_pe")).sum()
         / (pl.col("weight") * pl.col("forward_eps") / pl.col("close")).filter(pl.col("has_pe")).sum()
         ).alias("forward_pe"),
        (pl.col("weight").filter(pl.col("has_pe")).sum() / pl.col("weight").sum()).alias("pe_coverage"),
    ).with_columns(earnings_yield=100 / pl.col("forward_pe"))
    return out.select(INDEX_VALUATIONS.keys()).cast(INDEX_VALUATIONS).sort("index_code")
