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
from investing_assets.lib.core.schemas import ETF_HOLDINGS, ETF_HOLDINGS_BY_SESSION, conform
from investing_assets.lib.core.symbols import is_ticker, ticker_refusal
from investing_assets.lib.services.market import session_chunks
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
    """ETF_HOLDINGS refused unless every line is an ETF's ticker or named line, with a finite weight >= 0, once per
    ETF (and session: a frame of many sessions, ETF_HOLDINGS_BY_SESSION, is checked at once, each refusal naming
    the ETF and the session of its first bad line)."""
    by_session = "session" in frame.columns
    frame = conform(frame, ETF_HOLDINGS_BY_SESSION if by_session else ETF_HOLDINGS)

    def where(row: dict) -> str:
        return f" on {row['session'].isoformat()}" if by_session and row["session"] is not None else ""

    no_etf = frame.filter(pl.col("etf").is_null())
    if no_etf.height:
        row = no_etf.row(0, named=True)
        raise BadMarketData(f"{no_etf.height} holding line(s) name no ETF (first: {row['symbol'] or row['name']}"
                            f"{where(row)})")
    for column, what in (("etf", "an ETF"), ("symbol", "a holding")):
        refused = _first_refused_symbol(frame.get_column(column))
        if refused is not None:
            row = frame.filter(pl.col(column) == refused).row(0, named=True)
            held = f" of {row['etf']}" if column == "symbol" else ""
            raise BadMarketData(f"{ticker_refusal(refused)} ({what}{held}{where(row)})")
    unnamed = frame.filter(pl.col("symbol").is_null() & pl.col("name").is_null())
    if unnamed.height:
        row = unnamed.row(0, named=True)
        raise BadMarketData(f"{unnamed.height} holding line(s) of {row['etf']} have neither a symbol "
                            f"nor a name{where(row)}")
    for column in ("weight", "shares", "market_value"):
        bad = frame.filter(pl.col(column).is_nan() | (pl.col(column) < 0) |
                           (pl.col(column).is_null() if column == "weight" else pl.lit(False)))
        if bad.height:
            row = bad.row(0, named=True)
            raise BadMarketData(f"holding {row['symbol'] or row['name']} of {row['etf']} has {column} "
                                f"{row[column]}{where(row)}")
    keys = ["session", "etf"] if by_session else ["etf"]
    keyed = frame.select(*keys, line=pl.coalesce(pl.col("symbol"), pl.lit("name: ") + pl.col("name")))
    repeated = keyed.filter(keyed.is_duplicated())
    if repeated.height:
        row = repeated.row(0, named=True)
        raise BadMarketData(f"holding {row['line']} of {row['etf']} is listed twice{where(row)}")
    return frame


def _first_refused_symbol(symbols: pl.Series) -> str | None:
    """The first value that is not a ticker, each distinct value tested once (a decade of lists repeats ~500)."""
    return next((s for s in symbols.drop_nulls().unique(maintain_order=True).to_list() if not is_ticker(s)), None)


def write_etf_holdings(source: EtfHoldingSource, warehouse: Warehouse, cache: HotCache | None,
                       sessions: Sequence[dt.date]) -> Written:
    """Each session's holdings of every ETF the source lists, asked for in one range and replaced in one
    transaction; the newest stored session in Redis. A source whose list is of another day than the session (FMP's
    are today's) is noted."""
    lists = validate_holdings(source.etf_holdings_range(sessions))
    served = set(lists.get_column("session").unique().to_list())
    empty = [session for session in sessions if session not in served]
    if empty:
        shown = ", ".join(d.isoformat() for d in empty[:3]) + (f" and {len(empty) - 3} more" if len(empty) > 3 else "")
        raise BadMarketData(f"source {source.name} returned no ETF holdings for {shown}")
    rows = lists.with_columns(source=pl.lit(source.name)).select(*ETF_HOLDINGS, "session", "source")
    previews: dict[dt.date, pl.DataFrame] = {}
    with warehouse.replacing(names.ETF_HOLDINGS, sessions) as replace:  # each chunk's previews while it is written
        for chunk in session_chunks(sessions, rows.height // len(sessions)):
            part = rows.filter(pl.col("session").is_in(chunk))
            replace(part, {"session": chunk})
            previews.update(holdings_previews(part))
    cached = publish_latest_holdings(warehouse, cache) if cache is not None else None
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
    return _ranked_lines(frame, ["etf"], top)


def holdings_previews(rows: pl.DataFrame, top: int = PREVIEW_TOP) -> dict[dt.date, pl.DataFrame]:
    """`holdings_preview` of each session of `rows` (ETF_HOLDINGS_BY_SESSION), by one group_by over them all."""
    lines = _ranked_lines(rows, ["session", "etf"], top)
    return {session: preview for (session,), preview in
            lines.partition_by("session", as_dict=True, maintain_order=True, include_key=False).items()}


def _ranked_lines(frame: pl.DataFrame, keys: list[str], top: int) -> pl.DataFrame:
    ranked = frame.sort([*keys, "weight"], descending=[*(False for _ in keys), True], maintain_order=True)
    return ranked.group_by(keys, maintain_order=True).agg(
        holdings=pl.len(),
        weight=pl.col("weight").sum(),
        top=pl.format("{} {}%", pl.coalesce("symbol", "name").head(top), (pl.col("weight").head(top) * 100).round(2))
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
