import datetime as dt

import polars as pl
import psycopg
import pytest

from investing_assets.lib.storage.warehouse import Warehouse

D1, D2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


def bars(session: dt.date, symbols=("AAPL", "MSFT"), close=100.0) -> pl.DataFrame:
    return pl.DataFrame({
        "symbol": list(symbols),
        "session": [session] * len(symbols),
        "open": [close] * len(symbols),
        "high": [close + 1] * len(symbols),
        "low": [close - 1] * len(symbols),
        "close": [close] * len(symbols),
        "adj_close": [close] * len(symbols),
        "volume": [1000] * len(symbols),
        "source": ["test"] * len(symbols),
    })


def stored(warehouse: Warehouse) -> list[tuple]:
    with warehouse.connect() as conn:
        return conn.execute("SELECT symbol, session, close FROM market.daily_bars ORDER BY 1, 2").fetchall()


def test_migrate_is_idempotent_and_recorded(warehouse: Warehouse):
    first = warehouse.migrate()
    second = warehouse.migrate()
    assert first == second and "001_market.sql" in first
    with warehouse.connect() as conn:
        recorded = {r[0] for r in conn.execute("SELECT file FROM ops.schema_migrations").fetchall()}
    assert set(first) <= recorded


def test_replace_rows_is_idempotent(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    once = stored(warehouse)
    result = warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    assert stored(warehouse) == once
    assert (result.deleted, result.inserted) == (2, 2)


def test_replace_rows_touches_only_its_partition(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", bars(D1, close=10.0), {"session": [D1]})
    warehouse.replace_rows("market.daily_bars", bars(D2, symbols=("AAPL",), close=20.0), {"session": [D2]})
    # re-run D2 with one symbol dropped by the source and the price changed: D1 is untouched
    warehouse.replace_rows("market.daily_bars", bars(D2, symbols=("MSFT",), close=30.0), {"session": [D2]})
    assert stored(warehouse) == [("AAPL", D1, 10.0), ("MSFT", D1, 10.0), ("MSFT", D2, 30.0)]


def test_rows_outside_the_scope_are_refused(warehouse: Warehouse):
    with pytest.raises(ValueError, match="outside the partition scope"):
        warehouse.replace_rows("market.daily_bars", pl.concat([bars(D1), bars(D2)]), {"session": [D1]})
    assert stored(warehouse) == []


def test_failed_write_keeps_previous_rows(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", bars(D1, close=10.0), {"session": [D1]})
    broken = bars(D1, close=11.0).with_columns(low=pl.lit(50.0))  # violates the OHLC check constraint
    with pytest.raises(psycopg.errors.CheckViolation):
        warehouse.replace_rows("market.daily_bars", broken, {"session": [D1]})
    assert [r[2] for r in stored(warehouse)] == [10.0, 10.0]


def test_read_table_round_trips_types(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", pl.concat([bars(D1), bars(D2)]), {"session": [D1, D2]})
    from investing_assets.lib.sources.schemas import DAILY_BARS

    frame = warehouse.read_table("market.daily_bars", {"symbol": ["AAPL"]}, between=("session", D1, D2),
                                 schema=DAILY_BARS, order_by=("symbol", "session"))
    assert frame.schema == pl.Schema(DAILY_BARS)
    assert frame.get_column("session").to_list() == [D1, D2]
    empty = warehouse.read_table("market.daily_bars", {"symbol": ["NONE"]}, schema=DAILY_BARS)
    assert empty.height == 0 and empty.schema == pl.Schema(DAILY_BARS)


def test_upsert_by_key(warehouse: Warehouse):
    warehouse.upsert("market.daily_bars", bars(D1, close=10.0), key=("symbol", "session"))
    warehouse.upsert("market.daily_bars", bars(D1, symbols=("AAPL",), close=12.0), key=("symbol", "session"))
    assert stored(warehouse) == [("AAPL", D1, 12.0), ("MSFT", D1, 10.0)]
