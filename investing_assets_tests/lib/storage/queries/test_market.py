"""The one read of long bar history: daily_bars wherever it has a bar, price_history's table only where it has none."""

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from investing_assets.lib.core import calendar, schemas
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import latest_bar_session, read_bars, read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 4)


def bars(symbol: str, sessions, close: float, source: str) -> pl.DataFrame:
    n = len(sessions)
    return pl.DataFrame({"symbol": [symbol] * n, "session": list(sessions), "open": [close] * n,
                         "high": [close + 1] * n, "low": [close - 1] * n, "close": [close] * n,
                         "adj_close": [None] * n, "volume": [1000] * n, "source": [source] * n,
                         "currency": ["USD"] * n},
                        schema_overrides={"adj_close": pl.Float64})


def store(warehouse: Warehouse) -> None:
    """daily_bars holds the last two sessions for AAPL and MSFT; AAPL's history holds all four, at other prices."""
    warehouse.replace_rows(names.DAILY_BARS, pl.concat([bars("AAPL", DAYS[2:], 100.0, "daily"),
                                                        bars("MSFT", DAYS[2:], 300.0, "daily")]),
                           {"session": DAYS[2:]})
    warehouse.replace_rows(names.SYMBOL_HISTORY, bars("AAPL", DAYS, 50.0, "history"), {"symbol": ["AAPL"]})


def test_daily_bars_win_and_the_history_fills_only_the_sessions_they_lack(warehouse: Warehouse):
    store(warehouse)
    got = read_bars(warehouse, DAYS[0], DAYS[-1])
    assert got.schema == pl.Schema(schemas.VENDOR_BARS)
    assert got.select("symbol", "session", "close").rows() == [
        ("AAPL", DAYS[0], 50.0), ("AAPL", DAYS[1], 50.0), ("AAPL", DAYS[2], 100.0), ("AAPL", DAYS[3], 100.0),
        ("MSFT", DAYS[2], 300.0), ("MSFT", DAYS[3], 300.0)]
    only_msft = read_bars(warehouse, DAYS[0], DAYS[-1], ["MSFT"])
    assert only_msft.get_column("symbol").unique().to_list() == ["MSFT"]
    window, sessions = read_bars_window(warehouse, DAYS[-1], DAYS[-1], 3, ["AAPL"])
    assert sessions == DAYS and window.height == 4


def test_without_symbol_history_the_rows_are_daily_bars_own(warehouse: Warehouse):
    store(warehouse)
    with warehouse.connect() as conn:
        conn.execute(f"DELETE FROM {names.SYMBOL_HISTORY}")
    own = warehouse.read_table(names.DAILY_BARS, between=("session", DAYS[0], DAYS[-1]), schema=schemas.VENDOR_BARS,
                               order_by=("symbol", "session"))
    assert_frame_equal(read_bars(warehouse, DAYS[0], DAYS[-1]), own)


def test_the_newest_session_is_looked_for_in_both_tables(warehouse: Warehouse):
    warehouse.replace_rows(names.DAILY_BARS, bars("MSFT", DAYS[:2], 300.0, "daily"), {"session": DAYS[:2]})
    warehouse.replace_rows(names.SYMBOL_HISTORY, bars("AAPL", DAYS[:3], 50.0, "history"), {"symbol": ["AAPL"]})
    assert latest_bar_session(warehouse, ["AAPL"], DAYS[-1]) == DAYS[2]
    assert latest_bar_session(warehouse, ["MSFT"], DAYS[-1]) == DAYS[1]
    assert latest_bar_session(warehouse, None, DAYS[-1]) == DAYS[2]
    assert latest_bar_session(warehouse, None, DAYS[1]) == DAYS[1]
    assert latest_bar_session(warehouse, ["NVDA"], DAYS[-1]) is None
