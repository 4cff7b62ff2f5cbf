"""Market data as plain functions: fetch -> validate -> persist -> cache.

Dagster assets and the `investing` CLI both call these, so the two faces run the same code.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written, previews_by_session, session_groups
from investing_assets.lib.core.schemas import INDEX_CONSTITUENTS, LISTINGS, UNIVERSE, conform
from investing_assets.lib.core.symbols import check_symbols
from investing_assets.lib.core.validation import (
    refuse_rows,
    symbol_on_session,
    validate_corporate_actions,
    validate_priced_bars,
    validate_quotes,
)
from investing_assets.lib.sources.protocol import (
    BarFileSource,
    BarSource,
    ConstituentSource,
    CorporateActionSource,
    ListingsSource,
    QuoteSource,
    UniverseSource,
    declared,
)
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.market import (
    bars_of_session,
    latest_quotes,
    range_symbols,
    universe_by_session,
)
from investing_assets.lib.storage.warehouse import Warehouse

log = logging.getLogger(__name__)

# Rows a ranged write holds at once: ten years of a 5,000-symbol universe are 14 M bars, which at once would take
# several GB to fetch, check and encode. The chunks share one transaction, so a range is still all or nothing.
ROWS_PER_CHUNK = 1_000_000


def session_chunks(sessions: Sequence[dt.date], rows_per_session: int,
                   rows_per_chunk: int | None = None) -> list[list[dt.date]]:
    """`sessions` in runs of about `rows_per_chunk` rows (default ROWS_PER_CHUNK), in order."""
    size = max(1, (rows_per_chunk or ROWS_PER_CHUNK) // max(rows_per_session, 1))
    return [list(sessions[i : i + size]) for i in range(0, len(sessions), size)]


def universe_width(warehouse: Warehouse, sessions: Sequence[dt.date]) -> int:
    """Symbols in the newest session's stored universe: how wide the range's rows are, to chunk them."""
    return warehouse.count(names.UNIVERSE, {"session": [sessions[-1]]})


def write_universe(source: UniverseSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> tuple[Written, list[str]]:
    """Snapshot the universe for each session, each symbol only while it trades (its listing, when the source
    knows it); returns the symbols of the newest session. Checked once over the whole range, refused by session."""
    listings = source_listings(source)
    previews: dict[dt.date, pl.DataFrame] = {}
    written_rows, latest = 0, []
    first = {sessions[0]: source.universe(sessions[0])}  # its width sizes the chunks; asked for once
    with warehouse.replacing(names.UNIVERSE, sessions) as replace:
        for chunk in session_chunks(sessions, first[sessions[0]].height):
            rows = _listed_universe(source, listings, chunk, first)
            replace(rows, {"session": chunk})
            rows_of = session_groups(rows)
            previews.update({session: rows_of(session).drop("session", "source").head(10) for session in chunk})
            written_rows += rows.height
            latest = rows_of(chunk[-1]).get_column("symbol").to_list()
    written = Written(written_rows, len(sessions), preview=previews[sessions[-1]], previews=previews,
                      notes=listing_notes(listings, sessions))
    return written, latest


def _listed_universe(source: UniverseSource, listings: pl.DataFrame, sessions: Sequence[dt.date],
                     served_already: Mapping[dt.date, pl.DataFrame]) -> pl.DataFrame:
    """The sessions' universe rows, each symbol only while it trades; checked once over them, refused by session."""
    served = pl.concat([
        conform(served_already[session] if session in served_already else source.universe(session), UNIVERSE)
        .with_columns(session=pl.lit(session)) for session in sessions])
    check_symbols(served.get_column("symbol").unique(maintain_order=True).to_list())
    twice = served.filter(served.select("session", "symbol").is_duplicated())
    if twice.height:
        raise BadMarketData(f"universe for {twice.item(0, 'session')} lists a symbol twice")
    listed = listed_between(served.join(listings, on="symbol", how="left"))
    empty = set(served.get_column("session").unique().to_list()) - set(listed.get_column("session").unique().to_list())
    if empty:  # an empty universe would also drop every symbol partition
        raise BadMarketData(f"no symbol of the {source.name} source trades on {min(empty)}: its histories run "
                            f"{listings.get_column('first_session').min()} to "
                            f"{listings.get_column('last_session').max()}")
    return listed.with_columns(source=pl.lit(source.name))


def source_listings(source: UniverseSource) -> pl.DataFrame:
    """The LISTINGS of a universe source that declares them; one that does not lists everyone on every session."""
    listings = declared(source, Dataset.LISTINGS, ListingsSource)
    frame = conform(listings.listings(), LISTINGS) if listings else pl.DataFrame(schema=LISTINGS)
    check_symbols(frame.get_column("symbol").to_list())
    return frame.unique("symbol", keep="first")


def listed_between(frame: pl.DataFrame) -> pl.DataFrame:
    """The rows of symbols trading on their row's `session`: listed on or before it, not delisted before it."""
    return frame.filter(pl.col("first_session").is_null() | (pl.col("first_session") <= pl.col("session")),
                        pl.col("last_session").is_null() | (pl.col("last_session") >= pl.col("session")))


def listing_notes(listings: pl.DataFrame, sessions: Sequence[dt.date]) -> list[str]:
    """One note per symbol that lists or delists inside the run's sessions (a last session that is the run's
    last is no news: a file that ends there may simply be up to date)."""
    first, last = sessions[0], sessions[-1]
    notes = [f"{row['symbol']} lists on {row['first_session']}" for row in listings.filter(
        pl.col("first_session").is_between(first, last)).sort("first_session", "symbol").iter_rows(named=True)]
    notes += [f"{row['symbol']} delists after {row['last_session']}" for row in listings.filter(
        pl.col("last_session").is_between(first, last, closed="left")).sort("last_session", "symbol")
        .iter_rows(named=True)]
    return notes


def write_index_constituents(source: ConstituentSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> Written:
    """Each session's index members and weights, a chunk of sessions at a time in one transaction: the source
    builds the next chunk while the last one is written."""
    first = {sessions[0]: source.index_constituents(sessions[0])}  # its width sizes the chunks; asked for once
    summaries, written_rows = [], 0
    with warehouse.replacing(names.INDEX_CONSTITUENTS, sessions) as replace:
        for chunk in session_chunks(sessions, first[sessions[0]].height):
            rows = pl.concat([conform(first.pop(session) if session in first else source.index_constituents(session),
                                      INDEX_CONSTITUENTS).with_columns(session=pl.lit(session)) for session in chunk])
            check_symbols(rows.get_column("symbol").unique(maintain_order=True).to_list())
            rows = rows.with_columns(source=pl.lit(source.name))
            replace(rows, {"session": chunk})
            summaries.append(rows.group_by("session", "index_code").agg(members=pl.len(), weight=pl.col("weight").sum()))
            written_rows += rows.height
    rows_of = session_groups(pl.concat(summaries).sort("session", "index_code"))
    previews = {session: rows_of(session).drop("session") for session in sessions}
    return Written(written_rows, len(sessions), preview=previews[sessions[-1]], previews=previews)


def session_symbols(members: pl.DataFrame, session: dt.date) -> list[str]:
    """A session's symbols from `universe_by_session`; a session with none names the asset to run first."""
    symbols = members.filter(pl.col("session") == session).get_column("symbol").to_list()
    if not symbols:
        raise BadMarketData(f"no universe stored for {session.isoformat()}: materialize `universe` first")
    return symbols


def stored_members(warehouse: Warehouse, sessions: Sequence[dt.date]) -> tuple[pl.DataFrame, list[str]]:
    """Each session's stored universe (session, symbol) and every symbol in it; refuses a session without one."""
    members = universe_by_session(warehouse, sessions)
    missing = sorted(set(sessions) - set(members.get_column("session").to_list()))
    if missing:
        raise BadMarketData(f"no universe stored for {[d.isoformat() for d in missing[:5]]}: "
                            "materialize `universe` for those sessions first")
    return members, sorted(set(members.get_column("symbol").to_list()))


def write_daily_bars(source: BarSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> Written:
    """Fetch, validate each session against its own universe, replace the sessions' bars in one transaction.

    Everything the blocking checks hold the stored bars to is refused here first, so a failed check never
    follows a partial write: a bar outside the universe, a session without bars, and a symbol listed on a
    session without its bar (universe coverage) each fail with nothing written."""
    previews: dict[dt.date, pl.DataFrame] = {}
    written_rows, every_symbol, carried = 0, set(), None  # carried: the last session's bars of the chunk before
    with warehouse.replacing(names.DAILY_BARS, sessions) as replace:
        for chunk in session_chunks(sessions, universe_width(warehouse, sessions)):
            members, symbols = stored_members(warehouse, chunk)
            bars = validate_priced_bars(source.daily_bars(chunk, symbols), symbols)
            outside = bars.join(members, on=["session", "symbol"], how="anti")
            refuse_rows(outside, "bar for a symbol outside that session's universe: {rows}", symbol_on_session)
            _require_sessions(bars, chunk, "bars")
            _require_coverage(source, members, bars)
            rows = bars.with_columns(source=pl.lit(source.name))
            replace(rows, {"session": chunk})
            written_rows += rows.height
            every_symbol.update(symbols)
            # the chunk before is not committed yet, so its last session comes from memory, not the table
            with_previous = with_previous_session(warehouse, bars, chunk[0]) if carried is None \
                else pl.concat([carried, bars], how="vertical_relaxed")
            previews.update(previews_by_session(chunk, _movers(session_groups(with_previous))))
            carried = bars.filter(pl.col("session") == chunk[-1])
    written = Written(written_rows, len(sessions), preview=previews[sessions[-1]], previews=previews)
    off = off_calendar_rows(source, sessions, sorted(every_symbol))
    if off.height:
        by_day = off.group_by("session").agg(pl.col("symbol").sort()).sort("session")
        for row in by_day.iter_rows(named=True):  # each day is told on the partition of the session after it
            tables = written.session_tables.setdefault(calendar.first_session_on_or_after(row["session"]), {})
            found = pl.DataFrame({"date": [row["session"]], "symbols": [", ".join(row["symbol"])]})
            tables["off_calendar_rows"] = pl.concat([tables["off_calendar_rows"], found]) \
                if "off_calendar_rows" in tables else found
        written.notes.append(f"{off.height} source row(s) dated on days that are not NYSE sessions, not stored: "
                             + "; ".join(f"{row['session']} ({', '.join(row['symbol'])})"
                                         for row in by_day.head(5).iter_rows(named=True))
                             + (f" and {by_day.height - 5} more day(s)" if by_day.height > 5 else ""))
    return written


def _movers(rows_of: Callable[[dt.date], pl.DataFrame]) -> Callable[[dt.date], pl.DataFrame]:
    """A session's biggest movers from `session_groups` of bars that hold the session before it too."""
    def movers(session: dt.date) -> pl.DataFrame:
        previous = _previous_session(session)
        return ranked_movers(changes_between(rows_of(session), rows_of(previous) if previous else None))

    return movers


def off_calendar_rows(source: BarSource, sessions: Sequence[dt.date], symbols: Sequence[str]) -> pl.DataFrame:
    """(symbol, session) of source rows on non-sessions after the session before the run through its last: each
    such day is reported by exactly one session's run (the next session's), however the range is cut. Only a
    source of bar files knows of such rows; the others serve sessions only."""
    files = declared(source, Dataset.BAR_FILES, BarFileSource)
    if files is None:
        return pl.DataFrame(schema={"symbol": pl.String, "session": pl.Date})
    before = calendar.sessions_ending(sessions[0] - dt.timedelta(days=1), 1)
    start = before[0] + dt.timedelta(days=1) if before else calendar.EARLIEST_START
    return files.off_calendar_rows(start, sessions[-1], symbols)


def write_corporate_actions(source: CorporateActionSource, warehouse: Warehouse, sessions: Sequence[dt.date]) -> Written:
    """Splits and dividends with ex-dates on the sessions, for each session's own universe, replaced in one
    transaction. A source that serves none (the demo) writes an empty partition and says so."""
    previews: dict[dt.date, pl.DataFrame] = {}
    written_rows = 0
    symbols = range_symbols(warehouse, sessions)  # one ask of the source for the range: actions are few rows
    if not symbols:
        stored_members(warehouse, sessions)  # refuses the sessions without a universe, by name
    served = validate_corporate_actions(source.corporate_actions(list(sessions), symbols), symbols)
    refuse_rows(served.filter(~pl.col("session").is_in(list(sessions))),
                "corporate action on an unrequested session: {rows}", symbol_on_session)
    with warehouse.replacing(names.CORPORATE_ACTIONS, sessions) as replace:
        for chunk in session_chunks(sessions, universe_width(warehouse, sessions)):
            members, _ = stored_members(warehouse, chunk)
            actions = served.filter(pl.col("session").is_in(chunk))
            outside = actions.join(members, on=["session", "symbol"], how="anti")
            refuse_rows(outside, "corporate action for a symbol outside that session's universe or on an "
                                 "unrequested session: {rows}", symbol_on_session)
            rows = actions.with_columns(source=pl.lit(source.name))
            replace(rows, {"session": chunk})
            written_rows += rows.height
            rows_of = session_groups(actions)
            previews.update(previews_by_session(
                chunk, lambda session, rows_of=rows_of: rows_of(session).drop("session").sort("symbol", "kind")))
    notes = [] if written_rows else [f"source {source.name} reported no split or dividend on these sessions"]
    return Written(written_rows, len(sessions), notes=notes, preview=previews[sessions[-1]], previews=previews)


def write_quotes(
    source: QuoteSource, warehouse: Warehouse, cache: HotCache | None, sessions: Sequence[dt.date], asset_class: str
) -> Written:
    """Index, ETF, commodity or crypto quotes: history in PostgreSQL, the newest session in Redis."""
    quotes = validate_quotes(source.quotes(asset_class, list(sessions)))
    wrong = quotes.filter(pl.col("asset_class") != asset_class)
    if wrong.height:
        raise BadMarketData(f"{asset_class} quotes contain {wrong.height} row(s) of another asset class")
    _require_sessions(quotes, sessions, f"{asset_class} quotes")
    rows = quotes.with_columns(source=pl.lit(source.name))
    warehouse.replace_rows(names.QUOTES, rows, {"asset_class": [asset_class], "session": list(sessions)})
    cached = publish_latest_quotes(warehouse, cache, asset_class) if cache is not None else None
    rows_of = session_groups(quotes)
    previews = previews_by_session(sessions, lambda session: rows_of(session).drop("asset_class").sort("symbol"))
    return Written(rows.height, len(sessions), cached=cached, preview=previews[sessions[-1]], previews=previews)


def publish_latest_quotes(warehouse: Warehouse, cache: HotCache, asset_class: str) -> bool:
    """Cache the newest stored session (not merely this run's), so a backfill never makes the cache older."""
    latest = latest_quotes_document(warehouse, asset_class)
    if latest is None:
        return False
    payload, as_of = latest
    return cache.publish(names.QUOTE_KEYS[asset_class], payload, as_of=as_of)


def latest_quotes_document(warehouse: Warehouse, asset_class: str) -> tuple[list[dict], dt.date] | None:
    """What the quotes cache of an asset class holds (the newest stored session's rows) and its session; None
    before any is stored. The read API refills a cold cache with it."""
    latest = latest_quotes(warehouse, asset_class)
    if latest.height == 0:
        return None
    return latest.to_dicts(), latest.get_column("session")[0]


def session_changes(bars: pl.DataFrame, session: dt.date) -> pl.DataFrame:
    """symbol, close, change_pct on `session`: close over the previous NYSE session's close, in percent; null
    when `bars` has no bar of the symbol on that previous session (never close over open). The close's currency
    follows when `bars` carry one (read_bars' VENDOR_BARS)."""
    previous = _previous_session(session)
    return changes_between(bars.filter(pl.col("session") == session),
                           bars.filter(pl.col("session") == previous) if previous else None)


def _previous_session(session: dt.date) -> dt.date | None:
    previous = calendar.sessions_ending(session - dt.timedelta(days=1), 1)
    return previous[0] if previous else None


def changes_between(today: pl.DataFrame, previous: pl.DataFrame | None) -> pl.DataFrame:
    """`session_changes` from a session's bars and the previous session's (None: no previous session)."""
    currency = ["currency"] if "currency" in today.columns else []
    before = previous.select("symbol", previous_close="close") if previous is not None \
        else pl.DataFrame(schema={"symbol": pl.String, "previous_close": pl.Float64})
    return today.select("symbol", "close", *currency).join(before, on="symbol", how="left").select(
        "symbol", "close", (pl.col("close") / pl.col("previous_close") - 1).mul(100).alias("change_pct"), *currency
    )


def top_movers(bars: pl.DataFrame, session: dt.date, count: int = 5) -> pl.DataFrame:
    """The session's biggest gainers and losers by `session_changes` (`bars` must hold the previous session)."""
    return ranked_movers(session_changes(bars, session), count)


def ranked_movers(changes: pl.DataFrame, count: int = 5) -> pl.DataFrame:
    """The biggest gainers and losers of one session's `session_changes`."""
    ranked = changes.filter(pl.col("change_pct").is_not_null()).sort(["change_pct", "symbol"],
                                                                      descending=[True, False])
    return pl.concat([ranked.head(count), ranked.tail(count)]).unique(maintain_order=True)


def with_previous_session(warehouse: Warehouse, bars: pl.DataFrame, first: dt.date) -> pl.DataFrame:
    """`bars` plus the stored bars of the session before `first`, so `first` has a change too."""
    previous = calendar.sessions_ending(first - dt.timedelta(days=1), 1)
    if not previous or bars.filter(pl.col("session") == previous[0]).height:
        return bars
    stored = bars_of_session(warehouse, previous[0])
    return pl.concat([stored, bars.select(stored.columns)], how="vertical_relaxed") if stored.height else bars


def _require_coverage(source: BarSource, members: pl.DataFrame, bars: pl.DataFrame) -> None:
    """Every (session, symbol) of the stored universe has a bar: the `universe_coverage` check, before the write.
    A source of bar files names the file a symbol's bars come from too."""
    missing = members.select("session", "symbol").join(bars, on=["session", "symbol"], how="anti") \
        .sort("session", "symbol")
    files = declared(source, Dataset.BAR_FILES, BarFileSource)

    def describe(row: dict) -> str:
        return symbol_on_session(row) + (f" (from {files.origin_of(row['symbol'])})" if files else "")

    refuse_rows(missing, f"no bar from the {source.name} source for a symbol listed that session: {{rows}}",
                describe, examples=3)


def _require_sessions(frame: pl.DataFrame, sessions: Sequence[dt.date], what: str) -> None:
    got = set(frame.get_column("session").unique().to_list())
    missing = [d for d in sessions if d not in got]
    if missing:
        raise BadMarketData(f"source returned no {what} for session(s) {[d.isoformat() for d in missing[:5]]}")
    extra = sorted(got - set(sessions))
    if extra:
        raise BadMarketData(f"source returned {what} for unrequested session(s) {extra[:5]}")
