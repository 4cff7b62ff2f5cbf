"""Trailing fundamentals per company as of a session, from the standardized filing versions.

As of session S only rows filed on or before S count (standardize.as_of). Trailing twelve months (TTM) of a flow
(net income, dividends per share) is the sum of the four latest quarters when they tile one year (derived
quarters included: a 10-K gives no Q4, the year less nine months does), else the latest fiscal year's figure,
whichever ends later; a TTM whose period ended more than `STALE_DAYS` before S is stale and left out (a company
that stopped filing has no trailing P/E). Book value is the latest equity instant; shares the latest cover-page
count (dei), else the latest diluted weighted count (each left out when stale, like the TTM). Money is USD only: a company reporting in another currency
gets no trailing figures rather than a mix of currencies (P/E against a USD price).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.fundamentals.standardize import SERIES, as_of

STALE_DAYS = 550  # a year and a half: the newest TTM of a regular filer is at most ~5 months old
TRAILING: dict[str, pl.DataType] = {
    "cik": pl.Int64,
    "ttm_net_income": pl.Float64,
    "ttm_period_end": pl.Date,
    "dividends_per_share": pl.Float64,  # TTM
    "equity": pl.Float64,
    "equity_period_end": pl.Date,
    "shares": pl.Float64,
    "trailing_eps": pl.Float64,  # ttm_net_income / shares
    "book_per_share": pl.Float64,
    "filed": pl.Date,  # the newest filing among the figures used
    "accession": pl.String,  # the filing of the TTM net income's latest period
}
CONCEPTS = ("net_income", "dividends_per_share", "equity", "shares_outstanding", "diluted_shares")
_PERIOD_ENDS = {"income_filed": pl.Date, "dividends_period_end": pl.Date, "dividends_filed": pl.Date,
                "equity_filed": pl.Date, "shares_period_end": pl.Date, "shares_filed": pl.Date}
_UNITS = {"net_income": "USD", "dividends_per_share": "USD/shares", "equity": "USD", "shares_outstanding": "shares",
          "diluted_shares": "shares"}


def trailing(versions: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """TRAILING, one row per company with any of the figures as of `session`."""
    return fresh_only(from_known(known_by(versions, session)), session)


def known_by(versions: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """The rows of the trailing concepts in force on `session` (standardize.as_of), in their expected units. It
    changes only when a filing's date passes, so a caller may reuse it for the sessions until the next one."""
    known = as_of(versions.filter(pl.col("concept").is_in(CONCEPTS)), session)
    return known.filter(pl.col("unit") == pl.col("concept").replace_strict(_UNITS, default=None))


def from_known(known: pl.DataFrame) -> pl.DataFrame:
    """TRAILING plus each figure's period end, before the staleness cut (fresh_only)."""
    if not known.height:
        return pl.DataFrame(schema={**TRAILING, **_PERIOD_ENDS})
    income = _ttm(known.filter(concept="net_income")).rename(
        {"value": "ttm_net_income", "period_end": "ttm_period_end", "filed": "income_filed"})
    dividends = _ttm(known.filter(concept="dividends_per_share")).select(
        "cik", pl.col("value").alias("dividends_per_share"), pl.col("period_end").alias("dividends_period_end"),
        pl.col("filed").alias("dividends_filed"))
    equity = _latest(known.filter(concept="equity")).select(
        "cik", pl.col("value").alias("equity"), pl.col("period_end").alias("equity_period_end"),
        pl.col("filed").alias("equity_filed"))
    shares = (known.filter(pl.col("concept").is_in(["shares_outstanding", "diluted_shares"]))
              .with_columns(pref=(pl.col("concept") != "shares_outstanding").cast(pl.Int8))  # the cover page's
              .sort("cik", "pref", "period_end", "filed", descending=[False, False, True, True])
              .unique("cik", keep="first", maintain_order=True)
              .select("cik", pl.col("value").alias("shares"), pl.col("period_end").alias("shares_period_end"),
                      pl.col("filed").alias("shares_filed")))
    ciks = known.select("cik").unique()
    return (ciks.join(income, on="cik", how="left").join(dividends, on="cik", how="left")
            .join(equity, on="cik", how="left").join(shares, on="cik", how="left"))


def fresh_only(figures: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """Each figure whose period ended more than STALE_DAYS before `session` dropped (null), then TRAILING."""
    cutoff = session - dt.timedelta(days=STALE_DAYS)

    def fresh(column: str, end: str) -> pl.Expr:
        return pl.when(pl.col(end) >= cutoff).then(pl.col(column))

    out = figures.with_columns(
        *(fresh(c, "ttm_period_end") for c in ("ttm_net_income", "income_filed", "accession")),
        fresh("dividends_per_share", "dividends_period_end"), fresh("dividends_filed", "dividends_period_end"),
        fresh("equity", "equity_period_end"), fresh("equity_filed", "equity_period_end"),
        fresh("shares", "shares_period_end"), fresh("shares_filed", "shares_period_end"),
    ).with_columns(
        fresh("ttm_period_end", "ttm_period_end"), fresh("equity_period_end", "equity_period_end"))
    positive = pl.col("shares") > 0
    return out.with_columns(
        trailing_eps=pl.when(positive).then(pl.col("ttm_net_income") / pl.col("shares")),
        book_per_share=pl.when(positive).then(pl.col("equity") / pl.col("shares")),
        filed=pl.max_horizontal("income_filed", "dividends_filed", "equity_filed", "shares_filed"),
    ).select(TRAILING.keys()).cast(TRAILING).sort("cik")


def _latest(rows: pl.DataFrame) -> pl.DataFrame:
    """Each company's newest period (instants, counts)."""
    return (rows.sort("cik", "period_end", "filed", descending=[False, True, True])
            .unique("cik", keep="first", maintain_order=True))


def _ttm(rows: pl.DataFrame) -> pl.DataFrame:
    """cik, value, period_end, filed, accession: the four latest quarters summed when they tile a year, else the
    latest fiscal year, whichever ends later (the year on a tie: a filed figure over a sum)."""
    quarters = (rows.filter(months=3).sort("cik", "period_end", descending=[False, True])
                .group_by("cik", maintain_order=True).head(4))
    tiled = (quarters.group_by("cik").agg(
        pl.len().alias("n"), pl.col("value").sum(), pl.col("period_end").max(),
        pl.col("period_start").min().alias("first_start"), pl.col("filed").max(),
        pl.col("accession").sort_by("period_end").last(),
        # four quarters that tile: consecutive (each starts the day after the one before ends)
        ((pl.col("period_start").sort_by("period_end").shift(-1)
          - pl.col("period_end").sort_by("period_end")).dt.total_days().drop_nulls() == 1).all().alias("chain"))
        .filter((pl.col("n") == 4) & pl.col("chain"))
        .select("cik", "value", "period_end", "filed", "accession", pl.lit(1, dtype=pl.Int8).alias("pref")))
    annual = (rows.filter(months=12).sort("cik", "period_end", descending=[False, True])
              .unique("cik", keep="first", maintain_order=True)
              .select("cik", "value", "period_end", "filed", "accession", pl.lit(0, dtype=pl.Int8).alias("pref")))
    both = pl.concat([tiled, annual.cast(tiled.schema)]) if tiled.height else annual
    return (both.sort("cik", "period_end", "pref", descending=[False, True, False])
            .unique("cik", keep="first", maintain_order=True).drop("pref"))


__all__ = ["CONCEPTS", "SERIES", "STALE_DAYS", "TRAILING", "fresh_only", "from_known", "known_by", "trailing"]
