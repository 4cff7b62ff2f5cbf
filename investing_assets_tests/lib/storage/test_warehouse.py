import datetime as dt
from pathlib import Path

import polars as pl
import psycopg
import pytest

from investing_assets.lib.storage.warehouse import SQL_DIR, Warehouse

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
        "currency": ["USD"] * len(symbols),
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
    assert (result.deleted, result.inserted, result.unchanged) == (0, 0, 1)


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
    from investing_assets.lib.core.schemas import DAILY_BARS

    frame = warehouse.read_table("market.daily_bars", {"symbol": ["AAPL"]}, between=("session", D1, D2),
                                 schema=DAILY_BARS, order_by=("symbol", "session"))
    assert frame.schema == pl.Schema(DAILY_BARS)
    assert frame.get_column("session").to_list() == [D1, D2]
    empty = warehouse.read_table("market.daily_bars", {"symbol": ["NONE"]}, schema=DAILY_BARS)
    assert empty.height == 0 and empty.schema == pl.Schema(DAILY_BARS)


def test_unchanged_units_are_skipped_and_changed_ones_rewritten(warehouse: Warehouse):
    both = pl.concat([bars(D1, close=10.0), bars(D2, close=20.0)])
    first = warehouse.replace_rows("market.daily_bars", both, {"session": [D1, D2]})
    assert (first.inserted, first.unchanged) == (4, 0)
    again = warehouse.replace_rows("market.daily_bars", both, {"session": [D1, D2]})
    assert (again.deleted, again.inserted, again.unchanged) == (0, 0, 2)
    corrected = pl.concat([bars(D1, close=10.0), bars(D2, close=21.0)])  # a vendor correction of D2 only
    fixed = warehouse.replace_rows("market.daily_bars", corrected, {"session": [D1, D2]})
    assert (fixed.deleted, fixed.inserted, fixed.unchanged) == (2, 2, 1)
    assert [r[2] for r in stored(warehouse)] == [10.0, 21.0, 10.0, 21.0]


def test_rows_removed_behind_the_digest_are_restored(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    with warehouse.connect() as conn:
        conn.execute("DELETE FROM market.daily_bars WHERE symbol = 'MSFT'")
    result = warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    assert result.unchanged == 0 and len(stored(warehouse)) == 2


def test_multi_column_scope_units(warehouse: Warehouse):
    def quotes(asset_class, session, close):
        return pl.DataFrame({"asset_class": [asset_class], "symbol": ["X"], "session": [session], "name": ["x"],
                             "open": [close], "high": [close], "low": [close], "close": [close], "volume": [1],
                             "change_pct": [None], "source": ["test"]},
                            schema_overrides={"change_pct": pl.Float64})
    warehouse.replace_rows("market.quotes", quotes("etf", D1, 1.0), {"asset_class": ["etf"], "session": [D1]})
    warehouse.replace_rows("market.quotes", quotes("crypto", D1, 2.0), {"asset_class": ["crypto"], "session": [D1]})
    warehouse.replace_rows("market.quotes", quotes("etf", D1, 3.0), {"asset_class": ["etf"], "session": [D1]})
    with warehouse.connect() as conn:
        rows = conn.execute("SELECT asset_class, close FROM market.quotes ORDER BY 1").fetchall()
    assert rows == [("crypto", 2.0), ("etf", 3.0)]


def test_a_write_under_another_scope_invalidates_the_digests(warehouse: Warehouse):
    """A batch scan writes its symbols by session x symbol, a full scan whole sessions: neither may skip over
    the other's rows (shown on a bar table, which has the same (session, symbol) key)."""
    def history(close):
        return pl.concat([bars(D1, ("AAPL",), close), bars(D2, ("AAPL",), close)])

    batch = {"session": [D1, D2], "symbol": ["AAPL"]}
    warehouse.replace_rows("market.daily_bars", history(50.0), batch)
    warehouse.replace_rows("market.daily_bars", history(100.0), {"session": [D1, D2]})
    repaired = warehouse.replace_rows("market.daily_bars", history(50.0), batch)
    assert repaired.unchanged == 0
    assert [r[2] for r in stored(warehouse)] == [50.0, 50.0]
    again = warehouse.replace_rows("market.daily_bars", history(100.0), {"session": [D1, D2]})
    assert again.unchanged == 0 and [r[2] for r in stored(warehouse)] == [100.0, 100.0]


@pytest.mark.parametrize("table", ["market.daily_bars", "market.quotes"])
def test_a_frame_repeating_its_key_is_refused_before_anything_is_deleted(warehouse: Warehouse, table: str):
    """daily_bars keeps its key in the writer (no unique index); quotes by its primary key: both name the row."""
    if table == "market.daily_bars":
        good, scope = bars(D1), {"session": [D1]}
        repeated = pl.concat([good, good.head(1).with_columns(close=pl.lit(100.5))])
        expected = r"2 rows repeat the key \(session, symbol\), first session=2026-11-19, symbol=AAPL"
    else:
        good = pl.DataFrame({"asset_class": ["etf"], "symbol": ["SPY"], "session": [D1], "name": ["x"],
                             "open": [1.0], "high": [1.0], "low": [1.0], "close": [1.0], "volume": [1],
                             "change_pct": [None], "source": ["test"]}, schema_overrides={"change_pct": pl.Float64})
        scope = {"asset_class": ["etf"], "session": [D1]}
        repeated = pl.concat([good, good])
        expected = r"2 rows repeat the key \(session, asset_class, symbol\), first session=2026-11-19, asset_class=etf"
    warehouse.replace_rows(table, good, scope)
    with pytest.raises(ValueError, match=expected):
        warehouse.replace_rows(table, repeated, scope)
    assert warehouse.count(table) == good.height


def test_a_writer_kept_key_needs_a_scope_of_key_columns(warehouse: Warehouse):
    """Replacing rows by `source` could leave a same-key row of another source behind: refused."""
    with pytest.raises(ValueError, match=r"kept by the writer.*\['source'\]"):
        warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1], "source": ["test"]})
    assert stored(warehouse) == []


def test_every_table_has_a_key_the_writer_can_check(warehouse: Warehouse):
    """A table without a primary key must declare its key in ops.natural_keys (sql/006_history_keys.sql)."""
    with warehouse.connect() as conn:
        keyless = conn.execute(
            "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) "
            "AND NOT EXISTS (SELECT 1 FROM ops.natural_keys k WHERE k.table_name = n.nspname || '.' || c.relname) "
            "ORDER BY 1").fetchall()
        declared = conn.execute("SELECT table_name FROM ops.natural_keys ORDER BY 1").fetchall()
    assert keyless == []
    assert declared == [("fundamentals.sec_facts",), ("fundamentals.sec_financials",), ("market.daily_bars",),
                        ("market.etf_holdings",), ("technicals.indicators",)]


def test_migrate_moves_an_older_install_to_the_writer_kept_key(warehouse: Warehouse):
    """Databases created before sql/006_history_keys.sql had a primary key on the history tables."""
    with warehouse.connect() as conn:
        conn.execute("ALTER TABLE market.daily_bars ADD PRIMARY KEY (session, symbol)")
        conn.execute("ALTER TABLE technicals.indicators ADD PRIMARY KEY (session, symbol)")
    warehouse.migrate()
    with warehouse.connect() as conn:
        indexes = conn.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname || '.' || "
                               "tablename IN ('market.daily_bars', 'technicals.indicators') ORDER BY 1, 2").fetchall()
    # no primary key: the BRIN session index and the non-unique (symbol, session) btree of 028_history_by_year.sql
    assert [(table, name, "UNIQUE" in ddl) for table, name, ddl in indexes] == [
        ("daily_bars", "daily_bars_session_brin", False), ("daily_bars", "daily_bars_symbol_session", False),
        ("indicators", "indicators_session_brin", False), ("indicators", "indicators_symbol_session", False)]


def test_an_install_from_before_the_year_partitions_is_converted_with_its_rows(warehouse: Warehouse, tmp_path: Path):
    """028_history_by_year.sql on a database whose history tables are plain tables with rows in them: the rows
    land in their years' partitions; the writer then adds a year's partition the first time it writes that year."""
    with warehouse.connect() as conn:
        conn.execute("DROP TABLE market.daily_bars, technicals.indicators")
        conn.execute("DELETE FROM ops.partition_digests")
    older = tmp_path / "sql"
    older.mkdir()
    for path in sorted(SQL_DIR.glob("[0-9][0-9][0-9]_*.sql")):
        if path.name < "028":
            (older / path.name).write_text(path.read_text())
    warehouse.migrate(older)
    bars = _bars_of([dt.date(2019, 12, 31), dt.date(2020, 1, 2)])
    with warehouse.connect() as conn:
        assert _relkind(conn, "market.daily_bars") == "r"
        conn.execute("INSERT INTO market.daily_bars SELECT * FROM json_populate_recordset(null::market.daily_bars, %s)",
                     [bars.write_json()])
    warehouse.migrate()
    with warehouse.connect() as conn:
        assert _relkind(conn, "market.daily_bars") == "p"
        assert _relkind(conn, "technicals.indicators") == "p"
        assert _partitions(conn, "market.daily_bars") == ["daily_bars_y2019", "daily_bars_y2020"]
    stored = warehouse.read_table("market.daily_bars", order_by=("session", "symbol"))
    assert stored.select(bars.columns).equals(bars.sort("session", "symbol"))

    later = _bars_of([dt.date(2021, 1, 4)])
    warehouse.replace_rows("market.daily_bars", later, {"session": [dt.date(2021, 1, 4)]})
    with warehouse.connect() as conn:
        assert _partitions(conn, "market.daily_bars") == ["daily_bars_y2019", "daily_bars_y2020", "daily_bars_y2021"]
    assert warehouse.count("market.daily_bars") == bars.height + later.height


def _bars_of(sessions: list[dt.date]) -> pl.DataFrame:
    rows = [{"symbol": s, "session": d, "open": 10.0, "high": 11.0, "low": 9.0, "close": 10.5, "adj_close": 10.5,
             "volume": 100, "source": "test", "currency": "USD"} for d in sessions for s in ("AAA", "BBB")]
    return pl.DataFrame(rows)


def _relkind(conn: psycopg.Connection, table: str) -> str:
    return conn.execute("SELECT relkind::text FROM pg_class WHERE oid = %s::regclass", [table]).fetchone()[0]


def _partitions(conn: psycopg.Connection, table: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                       "WHERE i.inhparent = %s::regclass ORDER BY 1", [table]).fetchall()]


def test_chunks_written_in_one_transaction_are_all_or_nothing(warehouse: Warehouse):
    warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    with pytest.raises(RuntimeError), warehouse.replacing("market.daily_bars", [D1, D2]) as replace:
        replace(bars(D1, close=5.0), {"session": [D1]})
        replace(bars(D2, close=5.0), {"session": [D2]})
        raise RuntimeError("a later chunk fails")
    assert stored(warehouse) == [("AAPL", D1, 100.0), ("MSFT", D1, 100.0)]
    with warehouse.replacing("market.daily_bars", [D1, D2]) as replace:
        replace(bars(D1, close=5.0), {"session": [D1]})
        replace(bars(D2, close=6.0), {"session": [D2]})
        with pytest.raises(ValueError, match="outside the transaction"):
            replace(bars(dt.date(2026, 11, 23)), {"session": [dt.date(2026, 11, 23)]})
    assert [row[2] for row in stored(warehouse)] == [5.0, 6.0, 5.0, 6.0]


@pytest.mark.parametrize("last", [False, True])  # the failed write seen by the next replace, or at the block's end
def test_a_chunk_whose_write_fails_rolls_the_block_back(warehouse: Warehouse, last: bool):
    warehouse.replace_rows("market.daily_bars", bars(D1), {"session": [D1]})
    broken = bars(D2, close=11.0).with_columns(low=pl.lit(50.0))  # violates the OHLC check constraint
    later = dt.date(2026, 11, 23)
    sessions = [D1, D2] if last else [D1, D2, later]
    with pytest.raises(psycopg.errors.CheckViolation), warehouse.replacing("market.daily_bars", sessions) as replace:
        replace(bars(D1, close=5.0), {"session": [D1]})
        replace(broken, {"session": [D2]})
        if not last:
            replace(bars(later), {"session": [later]})
            pytest.fail("the next replace should raise the failed write")
    assert stored(warehouse) == [("AAPL", D1, 100.0), ("MSFT", D1, 100.0)]


def test_a_chunk_is_written_while_the_caller_prepares_the_next(warehouse: Warehouse,
                                                               monkeypatch: pytest.MonkeyPatch):
    import threading

    from investing_assets.lib.storage import warehouse as module

    writing, caller_went_on = threading.Event(), threading.Event()
    copy = module._copy_frame

    def slow_copy(*args, **kwargs):
        writing.set()
        assert caller_went_on.wait(10), "the caller waited for the write"
        return copy(*args, **kwargs)

    monkeypatch.setattr(module, "_copy_frame", slow_copy)
    with warehouse.replacing("market.daily_bars", [D1, D2]) as replace:
        replace(bars(D1, close=5.0), {"session": [D1]})
        assert writing.wait(10)
        caller_went_on.set()  # replace returned while its COPY was still waiting
        replace(bars(D2, close=6.0), {"session": [D2]})
    assert [row[2] for row in stored(warehouse)] == [5.0, 6.0, 5.0, 6.0]


@pytest.mark.parametrize("table", ["market.daily_bars", "market.universe"])  # binary COPY, then CSV COPY
def test_a_frame_is_copied_a_slice_at_a_time(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch, table: str):
    from investing_assets.lib.storage import warehouse as module

    monkeypatch.setattr(module, "COPY_ROWS", 2)
    symbols = ("AAPL", "MSFT", "NVDA", "GOOGL", "A")
    if table == "market.daily_bars":
        frame = bars(D1, symbols)
    else:
        frame = pl.DataFrame({"session": [D1] * 5, "symbol": list(symbols), "name": [f"{s} Inc." for s in symbols],
                              "sector": "Information Technology", "industry": "Software",
                              "shares_outstanding": [10**9 + k for k in range(5)], "source": "test"})
    warehouse.replace_rows(table, frame, {"session": [D1]})
    back = warehouse.read_table(table, schema=frame.schema, order_by=("symbol",))
    assert back.equals(frame.sort("symbol"))
