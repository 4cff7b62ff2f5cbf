"""Industry aggregation and index valuations per session, from what the other assets stored."""

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
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.fundamentals import index_weights, industry_members
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse

RETURN_SESSIONS = 21


@dataclass
class IndustryOutcome:
    sessions: list[dt.date]
    aggregates: pl.DataFrame  # every session's rows
    valuations: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    basis: str = ADJUSTED  # the prices the returns are computed on (lib.analytics.adjustment)

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
    groups, valuations = [], []
    for session in sessions:
        today = members.filter(pl.col("session") == session).drop("session")
        groups.append(aggregates(today).with_columns(session=pl.lit(session)))
        day_weights = weights.filter(pl.col("session") == session).drop("session") if weights.height else weights
        if day_weights.height:
            valuations.append(index_valuations(day_weights, today).with_columns(session=pl.lit(session)))
    missing = [d.isoformat() for d in sessions
               if not weights.height or weights.filter(pl.col("session") == d).is_empty()]
    if missing:
        notes.append(f"no index constituents stored for {', '.join(missing[:5])}: no index valuations there")
    run = IndustryOutcome(sessions, pl.concat(groups), pl.concat(valuations) if valuations else pl.DataFrame(),
                          notes, basis)
    scope = {"session": sessions}
    writes = [(names.INDUSTRY_AGGREGATES, run.aggregates, scope)]
    writes.append((names.INDEX_VALUATIONS, run.valuations if run.valuations.height else
                   pl.DataFrame(schema={"session": pl.Date, **INDEX_VALUATIONS}), scope))
    warehouse.replace_many(writes)
    return run


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
