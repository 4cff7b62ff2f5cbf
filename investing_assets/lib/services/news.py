"""Company news per session: fetch the session's window -> validate -> persist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.results import Written, previews_by_session
from investing_assets.lib.core.schemas import NEWS_ARTICLES, conform
from investing_assets.lib.core.validation import refuse_rows
from investing_assets.lib.services.market import session_symbols
from investing_assets.lib.sources.protocol import NewsSource
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import universe_by_session
from investing_assets.lib.storage.warehouse import Warehouse


def session_window(session: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[the day after the previous session, the day after this one) at New York midnight: weekend and holiday
    news belongs to the next session, and every article to exactly one session."""
    previous = calendar.sessions_ending(session, 2)[0]
    first_day = previous + dt.timedelta(days=1) if previous < session else session  # the calendar's first session
    start = dt.datetime.combine(first_day, dt.time(0), calendar.NEW_YORK)
    return start, dt.datetime.combine(session + dt.timedelta(days=1), dt.time(0), calendar.NEW_YORK)


def write_news(source: NewsSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> Written:
    """Each session's articles about its universe's symbols, all sessions in one transaction."""
    sessions = sorted(sessions)
    members = universe_by_session(warehouse, sessions)
    frames, notes = [], []
    for session in sessions:
        symbols = session_symbols(members, session)
        start, end = session_window(session)
        fetched = conform(source.news(start, end, symbols), NEWS_ARTICLES)
        untitled = fetched.filter(pl.col("title").is_null() | (pl.col("title").str.strip_chars() == ""))
        if untitled.height:  # an article nobody can read in a list: keep the rest of the session
            notes.append(f"{session.isoformat()}: {untitled.height} article(s) without a title left out, e.g. "
                         f"{untitled.item(0, 'url')}")
            fetched = fetched.join(untitled.select("symbol", "url"), on=["symbol", "url"], how="anti")
        frame = validate_news(fetched, symbols, session)
        frames.append(frame.with_columns(session=pl.lit(session), source=pl.lit(source.name)))
    rows = pl.concat(frames)
    warehouse.replace_rows(names.NEWS_ARTICLES, rows, {"session": sessions})
    previews = previews_by_session(sessions, lambda session: _headlines(rows, session))
    return Written(rows.height, len(sessions), notes=notes, preview=previews[sessions[-1]], previews=previews)


def _headlines(rows: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """A session's newest articles, New York time first."""
    latest = rows.filter(pl.col("session") == session).sort("published_at", "symbol", descending=[True, False])
    return latest.select(pl.col("published_at").dt.convert_time_zone(calendar.TIMEZONE).dt.strftime("%H:%M"),
                         "symbol", "title").head(15)


def validate_news(frame: pl.DataFrame, symbols: Sequence[str], session: dt.date) -> pl.DataFrame:
    start, end = (moment.astimezone(dt.UTC) for moment in session_window(session))
    checks = (
        (pl.any_horizontal(pl.col(c).is_null() for c in ("symbol", "published_at", "title", "url")),
         "missing symbol, time, title or url"),
        (~pl.col("symbol").is_in(list(symbols)), "symbol outside the session's universe"),
        ((pl.col("published_at") < start) | (pl.col("published_at") >= end),
         f"published outside the session's window [{start.isoformat()}, {end.isoformat()})"),
    )
    for bad, why in checks:
        refuse_rows(frame.filter(bad), f"news for {session.isoformat()}: {{rows}}: {why}",
                    lambda row: f"{row['symbol']} {row['url']}")
    return frame.unique(["symbol", "url"], keep="first", maintain_order=True)
