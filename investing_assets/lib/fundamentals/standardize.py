"""Standardized financials from raw XBRL facts, point in time.

`filing_versions` keeps one row per concept, unit, period and filing: an amendment or a restatement is a new
row with its own `filed` date, never an overwrite, so `as_of(versions, session)` sees only what had been filed
by that session. Periods come from the facts' start/end dates (fy/fp describe the filing that carried the fact,
which also repeats earlier years as comparatives); instants (no start) and durations are told apart by the
concept. Each unit is its own series: a figure in EUR or a tag filed in a wrong unit is never mixed with USD.
Quarters filed only as year-to-date figures (6, 9, 12 months) are derived by subtracting the year-to-date
figure three months shorter with the same start, known from the later of the two filings.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from investing_assets.lib.fundamentals.concepts import UNIT_PATTERNS, tag_map

SERIES = ["cik", "concept", "unit", "period_start", "period_end"]
# duration length in days -> months; anything else (a month, a stub period) is not a fiscal period
_MONTHS = [(3, 80, 100), (6, 170, 190), (9, 260, 285), (12, 350, 380)]
VERSION_COLUMNS = [*SERIES, "months", "value", "filed", "accession", "form", "tag", "rank", "derived"]


def _months(days: pl.Expr) -> pl.Expr:
    expr = pl.lit(None, dtype=pl.Int32)
    for months, low, high in reversed(_MONTHS):
        expr = pl.when(days.is_between(low, high)).then(pl.lit(months, dtype=pl.Int32)).otherwise(expr)
    return expr


def concept_facts(facts: pl.DataFrame) -> pl.DataFrame:
    """The facts of mapped tags whose unit fits their concept and whose period has the concept's shape."""
    mapped = facts.join(tag_map(), on=["taxonomy", "tag"], how="inner")
    unit_fits = pl.lit(False)
    for measure, pattern in UNIT_PATTERNS.items():
        unit_fits = unit_fits | ((pl.col("measure") == measure) & pl.col("unit").str.contains(pattern))
    days = (pl.col("period_end") - pl.col("period_start")).dt.total_days() + 1
    return (mapped.filter(unit_fits)
            .with_columns(months=pl.when(pl.col("kind") == "instant").then(None).otherwise(_months(days)))
            .filter(pl.when(pl.col("kind") == "instant").then(pl.col("period_start").is_null())
                    .otherwise(pl.col("months").is_not_null())))


def filing_versions(facts: pl.DataFrame) -> pl.DataFrame:
    """One row per series (cik, concept, unit, period) and filing, best tag first; derived quarters added."""
    chosen = (concept_facts(facts)
              .sort([*SERIES, "accession", "rank"], nulls_last=False)
              .unique([*SERIES, "accession"], keep="first", maintain_order=True))
    direct = chosen.with_columns(derived=pl.lit(False)).select([*VERSION_COLUMNS, "additive"])
    derived = _derived_quarters(direct.filter("additive"))
    return pl.concat([direct.drop("additive"), derived], how="vertical").sort([*SERIES, "filed", "derived"])


def _derived_quarters(versions: pl.DataFrame) -> pl.DataFrame:
    """Quarter = YTD(n months) - YTD(n-3 months) of the same start, for every date either side was (re)filed."""
    group = ["cik", "concept", "unit", "period_start", "tag", "rank"]  # one tag: one meaning
    longer = versions.filter(pl.col("months") > 3)
    pairs = (longer.select([*group, "period_end", "months"]).unique()
             .join(versions.select([*group, "period_end", "months"]).unique(), on=group, suffix="_short")
             .filter((pl.col("months") - pl.col("months_short") == 3)
                     & (pl.col("period_end_short") < pl.col("period_end"))))
    if pairs.height == 0:
        return pl.DataFrame(schema={c: versions.schema[c] for c in VERSION_COLUMNS})
    long_side = versions.select([*group, "period_end", "filed", pl.col("filed").alias("filed_long"), "value",
                                 "accession", "form"])
    short_side = versions.select([*group, pl.col("period_end").alias("period_end_short"), "filed",
                                  pl.col("value").alias("value_short"), pl.col("accession").alias("accession_short")])
    dates = pl.concat([  # every date either side was (re)filed: the left of both as-of joins, sorted
        pairs.join(long_side.select([*group, "period_end", "filed"]), on=[*group, "period_end"]),
        pairs.join(short_side.select([*group, "period_end_short", "filed"]), on=[*group, "period_end_short"]),
    ]).unique().sort("filed")
    known = (dates
             .join_asof(long_side.sort("filed"), on="filed", by=[*group, "period_end"], strategy="backward",
                        check_sortedness=False)
             .join_asof(short_side.sort("filed"), on="filed", by=[*group, "period_end_short"],
                        strategy="backward", check_sortedness=False)
             .filter(pl.col("value").is_not_null() & pl.col("value_short").is_not_null()))
    # the filing that made the derived figure known: the one filed on that date (the longer one on a tie)
    latest_long = pl.col("filed_long") == pl.col("filed")
    return (known.with_columns(
                period_start=pl.col("period_end_short") + dt.timedelta(days=1),
                months=pl.lit(3, dtype=pl.Int32),
                value=pl.col("value") - pl.col("value_short"),
                accession=pl.when(latest_long).then("accession").otherwise("accession_short"),
                form=pl.when(latest_long).then("form").otherwise(None),
                derived=pl.lit(True))
            .select(VERSION_COLUMNS)
            .unique([*SERIES, "value", "accession"], keep="first", maintain_order=True))


def as_of(versions: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """Each series' figure as known on `session`: among the versions filed on or before it, those of the best
    tag known (a later filing that only gives a fallback tag, e.g. total equity where the parent's share was
    given before, does not change the figure's meaning), then the latest filed, a filed figure before one
    derived the same day."""
    return (versions.filter(pl.col("filed") <= session)
            .sort([*SERIES, pl.col("rank"), pl.col("filed"), pl.col("derived")],
                  descending=[False] * len(SERIES) + [False, True, False], nulls_last=False)
            .unique(SERIES, keep="first", maintain_order=True))


def with_symbols(frame: pl.DataFrame, tickers: pl.DataFrame) -> pl.DataFrame:
    """Attach the ticker map's symbols (a company with several share classes gets a row per symbol)."""
    return frame.join(tickers.select("cik", "symbol"), on="cik", how="inner")
