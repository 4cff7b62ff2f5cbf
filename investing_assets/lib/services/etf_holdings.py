"""ETF holdings as plain functions: fetch -> validate -> persist -> cache, and what a face shows of them.

The etf_holdings asset and `investing etf` both call these. A holdings list keeps every line the source gives,
cash and other lines without a ticker included (symbol null, known by name), so an ETF's weights sum to about 1;
how far from 1 they may be is `WEIGHT_TOLERANCE`, which the asset's check holds the stored rows to.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written
from investing_assets.lib.core.schemas import ETF_HOLDINGS, conform
from investing_assets.lib.core.symbols import check_symbols
from investing_assets.lib.sources.protocol import EtfHoldingSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.holdings import (
    holdings_of_session,
    latest_holdings_session,
    weight_sums,
)
from investing_assets.lib.storage.warehouse import Warehouse

# Vendors round each line's weight (FMP to a thousandth of a percent: up to 0.01 over IWM's ~2000 lines) and may
# leave out lines such as futures margin; a list off by more than this is missing holdings or double counting.
WEIGHT_TOLERANCE = 0.02
PREVIEW_TOP = 3


def validate_holdings(frame: pl.DataFrame) -> pl.DataFrame:
    """ETF_HOLDINGS refused unless every line is an ETF's ticker or named line, with a finite weight >= 0, once."""
    frame = conform(frame, ETF_HOLDINGS)
    check_symbols(frame.get_column("etf").to_list())
    check_symbols(frame.get_column("symbol").drop_nulls().to_list())
    unnamed = frame.filter(pl.col("symbol").is_null() & pl.col("name").is_null())
    if unnamed.height:
        raise BadMarketData(f"{unnamed.height} holding line(s) of {unnamed.item(0, 'etf')} have neither a symbol "
                            "nor a name")
    for column in ("weight", "shares", "market_value"):
        bad = frame.filter(pl.col(column).is_nan() | (pl.col(column) < 0) |
                           (pl.col(column).is_null() if column == "weight" else pl.lit(False)))
        if bad.height:
            row = bad.row(0, named=True)
            raise BadMarketData(f"holding {row['symbol'] or row['name']} of {row['etf']} has {column} {row[column]}")
    keyed = frame.with_columns(line=pl.coalesce(pl.col("symbol"), pl.lit("name: ") + pl.col("name")))
    repeated = keyed.filter(keyed.select("etf", "line").is_duplicated())
    if repeated.height:
        raise BadMarketData(f"holding {repeated.item(0, 'line')} of {repeated.item(0, 'etf')} is listed twice")
    return frame


def write_etf_holdings(source: EtfHoldingSource, warehouse: Warehouse, cache: HotCache | None,
                       sessions: Sequence[dt.date]) -> Written:
    """Each session's holdings of every ETF the source lists, replaced in one transaction; the newest stored session
    in Redis. A source whose list is of another day than the session (FMP's are today's) is noted."""
    frames = []
    for session in sessions:
        frame = validate_holdings(source.etf_holdings(session))
        if frame.height == 0:
            raise BadMarketData(f"source {source.name} returned no ETF holdings for {session.isoformat()}")
        frames.append(frame.with_columns(session=pl.lit(session), source=pl.lit(source.name)))
    rows = pl.concat(frames)
    warehouse.replace_rows(names.ETF_HOLDINGS, rows, {"session": list(sessions)})
    cached = publish_latest_holdings(warehouse, cache) if cache is not None else None
    previews = {session: holdings_preview(frame) for session, frame in zip(sessions, frames, strict=True)}
    return Written(rows.height, len(sessions), cached=cached, preview=previews[sessions[-1]], previews=previews,
                   notes=_as_of_notes(rows, source.name))


def _as_of_notes(rows: pl.DataFrame, source: str) -> list[str]:
    other = rows.filter(pl.col("as_of").is_not_null() & (pl.col("as_of") != pl.col("session")))
    if other.height == 0:
        return []
    days = sorted(set(other.get_column("as_of").to_list()))
    sessions = other.get_column("session")
    return [f"{source} lists holdings as of {', '.join(d.isoformat() for d in days[:3])}"
            f"{' ...' if len(days) > 3 else ''}, stored for session(s) {sessions.min()} .. {sessions.max()}: "
            "the source keeps no older lists"]


def holdings_preview(frame: pl.DataFrame, top: int = PREVIEW_TOP) -> pl.DataFrame:
    """One line per ETF: its line count, weight total and largest holdings ("GS 10.69%, MSFT 6.76%, ...")."""
    ranked = frame.sort(["etf", "weight"], descending=[False, True])
    return ranked.group_by("etf", maintain_order=True).agg(
        holdings=pl.len(),
        weight=pl.col("weight").sum(),
        top=pl.format("{} {}%", pl.coalesce("symbol", "name"), (pl.col("weight") * 100).round(2)).head(top)
        .str.join(", "),
    )


def weight_problems(sums: pl.DataFrame, tolerance: float = WEIGHT_TOLERANCE) -> pl.DataFrame:
    """The (session, etf) weight totals of `weight_sums` further than `tolerance` from 1."""
    return sums.filter(~((pl.col("weight") - 1.0).abs() <= tolerance))


def stored_weight_problems(warehouse: Warehouse, sessions: Sequence[dt.date]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(every stored ETF's weight total of the sessions, those off by more than the tolerance)."""
    sums = weight_sums(warehouse, sessions)
    return sums, weight_problems(sums)


def publish_latest_holdings(warehouse: Warehouse, cache: HotCache) -> bool:
    """Cache the newest stored session's holdings, by ETF (a backfill never makes the cache older)."""
    latest = latest_holdings_session(warehouse)
    if latest is None:
        return False
    frame = holdings_of_session(warehouse, latest)
    by_etf = {etf: group.drop("etf").to_dicts()
              for (etf,), group in frame.group_by("etf", maintain_order=True)}
    return cache.publish(names.ETF_HOLDINGS_KEY, by_etf, as_of=latest)


def top_holdings(frame: pl.DataFrame, etf: str, count: int) -> pl.DataFrame:
    """The `count` largest lines of one ETF by weight (ties by symbol)."""
    return frame.filter(pl.col("etf") == etf).sort(["weight", "symbol"], descending=[True, False],
                                                   nulls_last=True).head(count)


def weight_text(weight: float) -> str:
    return f"{weight * 100:.2f}%" if math.isfinite(weight) else "n/a"
