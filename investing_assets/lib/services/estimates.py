"""Analyst consensus snapshots: fetch per session -> validate -> persist, with the revisions they show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written, previews_by_session
from investing_assets.lib.core.schemas import ANALYST_ESTIMATES, conform
from investing_assets.lib.core.validation import refuse_rows
from investing_assets.lib.services.market import session_symbols
from investing_assets.lib.sources.protocol import EstimateSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.fundamentals import revisions
from investing_assets.lib.storage.queries.market import universe_by_session
from investing_assets.lib.storage.warehouse import Warehouse


def write_analyst_estimates(source: EstimateSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> Written:
    """One consensus snapshot per session for that session's universe, all sessions in one transaction.

    A source that only knows the current consensus (`point_in_time_estimates` false, e.g. FMP) is refused for
    any session but the last closed one (what the 02:00 run asks for): its numbers would be stored under a day
    they were not published on."""
    sessions = sorted(sessions)
    if not source.point_in_time_estimates:
        current = last_closed_session()
        past = [d for d in sessions if d != current]
        if past:
            raise BadMarketData(f"the {source.name} source serves the current consensus only, not the one "
                                f"published on {past[0].isoformat()}: materialize {current.isoformat()} (the last "
                                "closed session) or use the demo source")
    members = universe_by_session(warehouse, sessions)
    frames = []
    for session in sessions:
        symbols = session_symbols(members, session)
        frame = validate_estimates(conform(source.analyst_estimates(session, symbols), ANALYST_ESTIMATES),
                                   symbols, session)
        frames.append(frame.with_columns(session=pl.lit(session), source=pl.lit(source.name)))
    rows = pl.concat(frames)
    warehouse.replace_rows(names.ANALYST_ESTIMATES, rows, {"session": sessions})
    previews = previews_by_session(sessions, lambda session: revisions(warehouse, session))
    written = Written(rows.height, len(sessions), preview=previews.get(sessions[-1]), previews=previews)
    covered = rows.filter(pl.col("session") == sessions[-1]).get_column("symbol").n_unique()
    if covered < len(symbols):
        written.notes.append(f"{len(symbols) - covered} of {len(symbols)} universe symbols have no estimates on "
                             f"{sessions[-1].isoformat()}")
    return written


def validate_estimates(frame: pl.DataFrame, symbols: Sequence[str], session: dt.date) -> pl.DataFrame:
    """Refuse what would store a wrong consensus; the message names the symbol and period."""
    keys = ["symbol", "period", "period_end"]
    for bad, why in (
        (frame.filter(pl.any_horizontal(pl.col(k).is_null() for k in keys)), "missing symbol, period or period end"),
        (frame.filter(~pl.col("symbol").is_in(list(symbols))), "symbol outside the session's universe"),
        (frame.filter(frame.select(keys).is_duplicated()), "the same period twice"),
        (frame.filter(pl.any_horizontal(pl.col(c).is_nan() for c, t in ANALYST_ESTIMATES.items()
                                        if t == pl.Float64)), "NaN estimate"),
        (frame.filter(pl.any_horizontal((pl.col(f"{m}_low") > pl.col(f"{m}_avg")) | (pl.col(f"{m}_avg") >
                                                                                        pl.col(f"{m}_high"))
                                        for m in ("revenue", "eps"))),
         "the average estimate is outside its low-high range"),
        (frame.filter((pl.col("analysts_revenue") < 0) | (pl.col("analysts_eps") < 0)), "negative analyst count"),
    ):
        refuse_rows(bad, f"analyst estimates for {session.isoformat()}: {{rows}}: {why}",
                    lambda row: f"{row['symbol']} {row['period']} {row['period_end']}")
    return frame

