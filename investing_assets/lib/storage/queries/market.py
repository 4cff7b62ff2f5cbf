"""Reads of the market tables: universe, bars (daily_bars filled from price_history's symbol history), quotes,
the demo's planted patterns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.core import calendar, schemas
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def read_bars(warehouse: Warehouse, first: dt.date, last: dt.date,
              symbols: Sequence[str] | None = None) -> pl.DataFrame:
    """The stored bars of [first, last] (VENDOR_BARS: DAILY_BARS and each bar's currency) by (symbol, session), for
    readers of a long history:
    daily_bars' bar wherever it has one, price_history's (market.symbol_history) only on the sessions it lacks.

    With no symbol history in the range the frame is daily_bars' own read. The two are merged here rather than
    in SQL: daily_bars has no (symbol, session) btree, so an anti-join there hashes or rescans the whole bar range
    (measured +10-30 % on a 283-session read of 508 symbols), while this costs one small read of the history."""
    where = {"symbol": list(symbols)} if symbols else None
    window = ("session", first, last)
    bars = warehouse.read_table(names.DAILY_BARS, where, between=window, schema=schemas.VENDOR_BARS,
                                order_by=("symbol", "session"))
    history = warehouse.read_table(names.SYMBOL_HISTORY, where, between=window, schema=schemas.VENDOR_BARS)
    if history.height == 0:
        return bars
    missing = history.join(bars, on=["symbol", "session"], how="anti")
    return pl.concat([bars, missing]).sort("symbol", "session")


def read_bars_window(warehouse: Warehouse, first: dt.date, last: dt.date, lookback: int,
                     symbols: Sequence[str] | None = None) -> tuple[pl.DataFrame, list[dt.date]]:
    """`read_bars` from `lookback` sessions before `first` through `last`; returns them and the window's sessions."""
    window = calendar.sessions_ending(first, lookback + 1)[:-1] + calendar.sessions_between(first, last)
    return read_bars(warehouse, window[0], window[-1], symbols), window


def read_corporate_actions(warehouse: Warehouse, first: dt.date, last: dt.date,
                           symbols: Sequence[str] | None = None) -> pl.DataFrame:
    """Stored splits and dividends with ex-dates in [first, last] (CORPORATE_ACTIONS columns), by symbol."""
    where = {"symbol": list(symbols)} if symbols else None
    return warehouse.read_table(names.CORPORATE_ACTIONS, where, between=("session", first, last),
                                schema=schemas.CORPORATE_ACTIONS, order_by=("symbol", "session", "kind"))


def actions_for_bars(warehouse: Warehouse, bars: pl.DataFrame) -> pl.DataFrame:
    """The stored actions over the sessions and symbols of a bar window (what adjusting it needs)."""
    if bars.height == 0:
        return pl.DataFrame(schema=schemas.CORPORATE_ACTIONS)
    symbols = bars.get_column("symbol").unique().sort().to_list()
    sessions = bars.get_column("session")
    return read_corporate_actions(warehouse, sessions.min(), sessions.max(), symbols)


def last_bar_session(warehouse: Warehouse, symbol: str, as_of: dt.date) -> dt.date | None:
    """The symbol's newest session on or before `as_of` that `read_bars` has a bar for."""
    return latest_bar_session(warehouse, [symbol], as_of)


def latest_bar_session(warehouse: Warehouse, symbols: Sequence[str] | None, as_of: dt.date) -> dt.date | None:
    """The newest session on or before `as_of` that `read_bars` has a bar of any of `symbols` for (None: any)."""
    which = "AND symbol = ANY(%s)" if symbols is not None else ""
    params: list[object] = [as_of, *([list(symbols)] if symbols is not None else [])]
    return warehouse.read_frame(
        f"SELECT greatest((SELECT max(session) FROM {names.DAILY_BARS} WHERE session <= %s {which}), "
        f"(SELECT max(session) FROM {names.SYMBOL_HISTORY} WHERE session <= %s {which})) AS s", params * 2
    ).item(0, 0)


def read_bars_with_previous(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """The bars of `session` and of the NYSE session before it (what a day's change is taken from), with each bar's
    currency."""
    days = calendar.sessions_ending(session, 2)
    return warehouse.read_table(names.DAILY_BARS, between=("session", days[0], session),
                                schema=schemas.VENDOR_BARS, order_by=("symbol", "session"))


def bars_of_session(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """The stored bars of one session with their currency (VENDOR_BARS columns), by symbol."""
    return warehouse.read_table(names.DAILY_BARS, between=("session", session, session),
                                schema=schemas.VENDOR_BARS, order_by=("symbol", "session"))


def universe_symbols(warehouse: Warehouse, session: dt.date) -> list[str]:
    """The universe stored for a session (or the latest stored before it)."""
    frame = warehouse.read_frame(
        f"SELECT symbol FROM {names.UNIVERSE} WHERE session = "
        f"(SELECT max(session) FROM {names.UNIVERSE} WHERE session <= %s) ORDER BY symbol",
        [session],
    )
    return frame.get_column("symbol").to_list() if frame.height else []


def universe_by_session(warehouse: Warehouse, sessions: Sequence[dt.date]) -> pl.DataFrame:
    """(session, symbol) of each session's own stored universe; through COPY, since ten years of a wide universe
    are millions of rows (as Python tuples, GBs)."""
    return warehouse.read_table(names.UNIVERSE, {"session": list(sessions)},
                                schema={"session": pl.Date, "symbol": pl.String}, order_by=("session", "symbol"))


def range_symbols(warehouse: Warehouse, sessions: Sequence[dt.date]) -> list[str]:
    """Every symbol of the sessions' stored universes, sorted: what a ranged ask of the source covers."""
    frame = warehouse.read_frame(f"SELECT DISTINCT symbol FROM {names.UNIVERSE} WHERE session = ANY(%s) ORDER BY 1",
                                 [list(sessions)])
    return frame.get_column("symbol").to_list() if frame.height else []


def sectors_by_session(warehouse: Warehouse, sessions: Sequence[dt.date], lookback: int) -> pl.DataFrame:
    """(session, symbol, sector) per asked session: each symbol's newest universe row among the `lookback` + 1
    sessions ending at it, so a session's sectors never come from a later session."""
    frame = warehouse.read_frame(
        f"SELECT s.session, u.symbol, u.sector FROM unnest(%s::date[], %s::date[]) AS s(session, first) "
        f"CROSS JOIN LATERAL (SELECT DISTINCT ON (symbol) symbol, sector FROM {names.UNIVERSE} "
        "WHERE session BETWEEN s.first AND s.session ORDER BY symbol, session DESC) u ORDER BY 1, 2",
        [list(sessions), [calendar.sessions_ending(d, lookback + 1)[0] for d in sessions]])
    return frame if frame.height else pl.DataFrame(schema={"session": pl.Date, "symbol": pl.String,
                                                           "sector": pl.String})


def latest_quotes(warehouse: Warehouse, asset_class: str) -> pl.DataFrame:
    """The newest stored session's quotes of one asset class, by symbol."""
    return warehouse.read_frame(
        f"SELECT {_QUOTE_COLUMNS} FROM {names.QUOTES} "
        f"WHERE asset_class = %s AND session = (SELECT max(session) FROM {names.QUOTES} WHERE asset_class = %s) "
        "ORDER BY symbol",
        [asset_class, asset_class],
    )


_QUOTE_COLUMNS = "symbol, name, session, open, high, low, close, volume, change_pct, currency, source"


def quotes_of_session(warehouse: Warehouse, asset_class: str, session: dt.date) -> pl.DataFrame:
    """One session's quotes of one asset class, by symbol (the columns of `latest_quotes`)."""
    return warehouse.read_frame(
        f"SELECT {_QUOTE_COLUMNS} FROM {names.QUOTES} WHERE asset_class = %s AND session = %s ORDER BY symbol",
        [asset_class, session])


def newest_universe_session(warehouse: Warehouse) -> dt.date | None:
    """The newest session with a stored universe (its primary key leads with session: one index probe)."""
    return warehouse.read_frame(f"SELECT max(session) AS s FROM {names.UNIVERSE}").item(0, 0)


def universe_row(warehouse: Warehouse, symbol: str, as_of: dt.date) -> dict | None:
    """The symbol's newest universe row on or before `as_of` (name, sector, industry, shares, listing), or None."""
    frame = warehouse.read_frame(
        f"SELECT * FROM {names.UNIVERSE} WHERE symbol = %s AND session <= %s ORDER BY session DESC LIMIT 1",
        [symbol, as_of])
    return frame.row(0, named=True) if frame.height else None


def history_span(warehouse: Warehouse, symbol: str) -> tuple[dt.date, dt.date] | None:
    """First and last session of the symbol's own history (market.symbol_history), or None without one."""
    frame = warehouse.read_frame(
        f"SELECT min(session), max(session) FROM {names.SYMBOL_HISTORY} WHERE symbol = %s", [symbol])
    first, last = frame.row(0)
    return (first, last) if first is not None else None


def index_levels(warehouse: Warehouse, session: dt.date) -> pl.DataFrame:
    """The index quotes of one session, by symbol."""
    return warehouse.read_frame(
        f"SELECT symbol, name, close, change_pct FROM {names.QUOTES} "
        "WHERE asset_class = 'index' AND session = %s ORDER BY symbol",
        [session],
    )


def planted_pattern_symbols(warehouse: Warehouse) -> list[str]:
    """Every symbol with a stored planted pattern."""
    stored = warehouse.read_frame(f"SELECT DISTINCT symbol FROM {names.DEMO_PLANTED_PATTERNS}")
    return stored.to_series().to_list() if stored.height else []
