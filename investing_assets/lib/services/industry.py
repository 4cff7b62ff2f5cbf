"""Industry aggregation and index valuations per session, from what the other assets stored: forward figures on
the analysts' consensus, trailing ones on the SEC filings known by the session (lib/fundamentals/trailing)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjusted_symbols
from investing_assets.lib.analytics.industry import (
    INDEX_VALUATIONS,
    MEMBERS,
    aggregates,
    index_valuations,
    member_closes,
)
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.schemas import BAR_CURRENCY
from investing_assets.lib.fundamentals.trailing import CONCEPTS as TRAILING_CONCEPTS
from investing_assets.lib.fundamentals.trailing import TRAILING, fresh_only, from_known, known_by
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.fundamentals import index_weights, industry_members
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window
from investing_assets.lib.storage.queries.sec import financials, ticker_map
from investing_assets.lib.storage.warehouse import Warehouse

RETURN_SESSIONS = 21
TRAILING_VALUATIONS = {
    "symbol": pl.String, "cik": pl.Int64, "close": pl.Float64, "trailing_eps": pl.Float64,
    "book_per_share": pl.Float64, "dividends_per_share": pl.Float64, "trailing_pe": pl.Float64,
    "price_to_book": pl.Float64, "dividend_yield": pl.Float64, "ttm_period_end": pl.Date,
    "equity_period_end": pl.Date, "filed": pl.Date, "accession": pl.String,
}
_VERSIONS = {"cik": pl.Int64, "concept": pl.String, "unit": pl.String, "period_start": pl.Date, "period_end": pl.Date,
             "months": pl.Int32, "value": pl.Float64, "filed": pl.Date, "accession": pl.String, "rank": pl.Int32,
             "derived": pl.Boolean}


@dataclass
class IndustryOutcome:
    sessions: list[dt.date]
    aggregates: pl.DataFrame  # every session's rows
    valuations: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    basis: str = ADJUSTED  # the prices the returns are computed on (lib.analytics.adjustment)
    trailing: pl.DataFrame = field(default_factory=pl.DataFrame)  # per session and symbol, TRAILING_VALUATIONS

    def latest(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(pl.col("session") == self.sessions[-1]).drop("session")


def write_industry_aggregates(warehouse: Warehouse, sessions: Sequence[dt.date],
                              basis: str = ADJUSTED) -> IndustryOutcome:
    """Both tables for every session, in one transaction, returns on `basis` prices (adjusted: adj_close where the
    source gave it, else the stored corporate actions, as the indicators); missing estimates, indicators or
    constituents leave their columns null and say so, missing bars or universe fail the run."""
    sessions = sorted(sessions)
    members, notes = _members(warehouse, sessions, basis)
    weights = index_weights(warehouse, sessions)
    versions, tickers = _trailing_inputs(warehouse, sessions[-1], notes)
    groups, valuations, per_symbol = [], [], []
    known = _KnownFilings(versions)
    for session in sessions:
        today = members.filter(pl.col("session") == session).drop("session")
        symbols = trailing_of(known.figures(session), tickers, today)
        per_symbol.append(symbols.with_columns(session=pl.lit(session)))
        today = today.join(symbols.select("symbol", "trailing_eps", "book_per_share", "dividends_per_share"),
                           on="symbol", how="left")
        groups.append(aggregates(today).with_columns(session=pl.lit(session)))
        day_weights = weights.filter(pl.col("session") == session).drop("session") if weights.height else weights
        if day_weights.height:
            valuations.append(index_valuations(day_weights, today).with_columns(session=pl.lit(session)))
    missing = [d.isoformat() for d in sessions
               if not weights.height or weights.filter(pl.col("session") == d).is_empty()]
    if missing:
        notes.append(f"no index constituents stored for {', '.join(missing[:5])}: no index valuations there")
    run = IndustryOutcome(sessions, pl.concat(groups), pl.concat(valuations) if valuations else pl.DataFrame(),
                          notes, basis, pl.concat(per_symbol).select("session", *TRAILING_VALUATIONS))
    scope = {"session": sessions}
    writes = [(names.INDUSTRY_AGGREGATES, run.aggregates, scope), (names.TRAILING_VALUATIONS, run.trailing, scope)]
    writes.append((names.INDEX_VALUATIONS, run.valuations if run.valuations.height else
                   pl.DataFrame(schema={"session": pl.Date, **INDEX_VALUATIONS}), scope))
    warehouse.replace_many(writes)
    return run


def _trailing_inputs(warehouse: Warehouse, last: dt.date, notes: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The standardized SEC rows the trailing figures need, filed by the last session, and the newest ticker map
    (which CIK a symbol is: not a figure, so a later map leaks nothing), EDGAR's BRK-B spelled BRK.B."""
    versions = financials(warehouse, list(_VERSIONS), filed_by=last, concepts=TRAILING_CONCEPTS)
    tickers = ticker_map(warehouse)
    if not versions.height or not tickers.height:
        notes.append("no SEC financials or ticker map stored: the trailing P/E, P/B and dividend yield are empty "
                     "(materialize sec_filing_index, sec_raw_facts and sec_financials)")
        return pl.DataFrame(schema=_VERSIONS), pl.DataFrame(schema={"cik": pl.Int64, "symbol": pl.String})
    tickers = tickers.select(pl.col("cik").cast(pl.Int64), pl.col("symbol").str.replace_all("-", ".", literal=True))
    return versions.cast(_VERSIONS), tickers.unique("symbol", keep="first", maintain_order=True)


class _KnownFilings:
    """The trailing figures as of each session, recomputed only when a filing's date has passed since the last
    session asked (the rows in force change then, and only then; the staleness cut is applied per session)."""

    def __init__(self, versions: pl.DataFrame) -> None:
        self.versions = versions
        self._state: tuple[int, pl.DataFrame] | None = None

    def figures(self, session: dt.date) -> pl.DataFrame:
        if not self.versions.height:
            return pl.DataFrame(schema=TRAILING)
        filed = self.versions.filter(pl.col("filed") <= session).height  # grows with every filing passed
        if self._state is None or self._state[0] != filed:
            self._state = (filed, from_known(known_by(self.versions, session)))
        return fresh_only(self._state[1], session)


def trailing_of(figures: pl.DataFrame, tickers: pl.DataFrame, members: pl.DataFrame) -> pl.DataFrame:
    """TRAILING_VALUATIONS of the session's members that have a CIK and any filed figure by the session."""
    if not figures.height:
        return pl.DataFrame(schema=TRAILING_VALUATIONS)
    rows = (members.select("symbol", "close").join(tickers, on="symbol", how="inner")
            .join(figures, on="cik", how="inner"))
    price = pl.col("close")
    return rows.with_columns(
        trailing_pe=pl.when((pl.col("trailing_eps") > 0) & (price > 0)).then(price / pl.col("trailing_eps")),
        price_to_book=pl.when((pl.col("book_per_share") > 0) & (price > 0)).then(price / pl.col("book_per_share")),
        dividend_yield=pl.when(price > 0).then(100 * pl.col("dividends_per_share") / price),
    ).select(TRAILING_VALUATIONS.keys()).cast(TRAILING_VALUATIONS).sort("symbol")


def _members(warehouse: Warehouse, sessions: list[dt.date], basis: str = ADJUSTED) -> tuple[pl.DataFrame, list[str]]:
    """MEMBERS per session: universe, closes now / a session / 21 sessions ago (on `basis`), SMA 50, nearest-year
    EPS."""
    frame = industry_members(warehouse, sessions)
    if frame.is_empty():
        raise BadMarketData(f"no universe stored for {sessions[0].isoformat()}..{sessions[-1].isoformat()}: "
                            "materialize `universe` and `daily_bars` first")
    bars, _ = read_bars_window(warehouse, sessions[0], sessions[-1], RETURN_SESSIONS)
    bars, frame, notes = _in_dollars(bars, frame)
    actions = actions_for_bars(warehouse, bars)
    closes = member_closes(bars.drop("currency"), actions, sessions, RETURN_SESSIONS, basis)
    frame = frame.cast({c: t for c, t in MEMBERS.items() if c in frame.columns} | {"session": pl.Date}).join(
        closes, on=["session", "symbol"], how="left").select("session", *MEMBERS)
    changed = adjusted_symbols(bars, actions, basis)
    if changed:
        notes.append(f"{basis} prices: {len(changed)} symbol(s) with a split or dividend in the return window "
                     f"({', '.join(changed[:10])}{', ...' if len(changed) > 10 else ''})")
    for session in sessions:
        day = frame.filter(pl.col("session") == session)
        if day.is_empty() or day.get_column("close").null_count() == day.height:
            raise BadMarketData(f"no bars or universe stored for {session.isoformat()}: materialize `universe` "
                                "and `daily_bars` first")
    for column, asset in (("forward_eps", "analyst_estimates"), ("sma_50", "indicators"),
                          ("shares_outstanding", "shares outstanding in the universe (no caps, returns or P/E)")):
        empty = sorted({d.isoformat() for d, n, total in frame.group_by("session").agg(
            pl.col(column).null_count(), pl.len()).iter_rows() if n == total})
        if empty:
            notes.append(f"no {asset} stored for {', '.join(empty[:5])}: its columns are empty there")
    return frame, notes


def _in_dollars(bars: pl.DataFrame, members: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[str]]:
    """The bars and members of the symbols priced in BAR_CURRENCY only: industry caps and returns and index
    valuations add prices up, and pence or yen added to dollars would be wrong by a factor nobody sees. Symbols
    priced in another currency are left out, and a note names them and their currency."""
    foreign = bars.filter(pl.col("currency") != BAR_CURRENCY).group_by("symbol").agg(
        pl.col("currency").unique().sort().str.join("/")).sort("symbol")
    if foreign.is_empty():
        return bars, members, []
    left_out = foreign.get_column("symbol").to_list()
    named = ", ".join(f"{symbol} ({currency})" for symbol, currency in foreign.head(10).iter_rows())
    note = (f"{len(left_out)} symbol(s) priced in another currency than {BAR_CURRENCY} left out of the industry "
            f"aggregates and index valuations: {named}{', ...' if len(left_out) > 10 else ''}")
    return (bars.filter(~pl.col("symbol").is_in(left_out)), members.filter(~pl.col("symbol").is_in(left_out)),
            [note])
