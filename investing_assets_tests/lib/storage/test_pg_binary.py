"""Binary COPY round trips through real PostgreSQL: every encoded type, nulls, unicode, empty strings."""

import datetime as dt
import math

import polars as pl

from investing_assets.lib.storage.warehouse import Warehouse

FRAME = pl.DataFrame(
    {
        "k": ["a", "a", "a", "a", "a"],
        "s": ["plain", "é€ünïcode", None, "", "x" * 300],
        "d": [dt.date(2000, 1, 1), None, dt.date(2026, 11, 20), dt.date(1999, 12, 31), dt.date(1970, 1, 1)],
        "x": [1.5, None, float("inf"), -0.0, 1e-300],
        "i": [1, 2, None, -(2**62), 2**62],
        "j": [1, None, -5, 2**31 - 1, 0],
        "b": [True, None, False, True, False],
    },
    schema_overrides={"j": pl.Int64},  # the writer casts to the column's int4
)


def make_table(warehouse: Warehouse, extra: str = "") -> None:
    with warehouse.connect() as conn:
        conn.execute(f"CREATE TABLE ops.roundtrip (k text, s text, d date, x float8, i int8, j int4, b bool{extra})")


def read_back(warehouse: Warehouse) -> pl.DataFrame:
    return warehouse.read_frame("SELECT k, s, d, x, i, j, b FROM ops.roundtrip ORDER BY i NULLS FIRST")


def test_every_type_round_trips(warehouse: Warehouse):
    make_table(warehouse)
    warehouse.replace_rows("ops.roundtrip", FRAME, {"k": ["a"]})
    back = read_back(warehouse)
    expected = FRAME.sort("i", nulls_last=False)
    for column in FRAME.columns:
        got, want = back.get_column(column).to_list(), expected.get_column(column).to_list()
        if column == "x":
            assert [g if g is None else (math.copysign(1, g), g) for g in got] == \
                   [w if w is None else (math.copysign(1, w), w) for w in want]
        else:
            assert got == want, column


def test_a_column_without_binary_encoding_falls_back_to_csv(warehouse: Warehouse):
    make_table(warehouse, ", meta jsonb")
    frame = FRAME.with_columns(meta=pl.lit('{"a": 1}'))
    warehouse.replace_rows("ops.roundtrip", frame, {"k": ["a"]})
    assert warehouse.count("ops.roundtrip") == 5
    with warehouse.connect() as conn:
        assert conn.execute("SELECT DISTINCT meta ->> 'a' FROM ops.roundtrip").fetchall() == [("1",)]


def test_an_int_too_large_for_the_column_is_refused_not_truncated(warehouse: Warehouse):
    make_table(warehouse)
    import pytest

    with pytest.raises(pl.exceptions.InvalidOperationError):
        warehouse.replace_rows("ops.roundtrip", FRAME.with_columns(j=pl.lit(2**40)), {"k": ["a"]})
    assert warehouse.count("ops.roundtrip") == 0


def test_text_heavy_rows_go_by_csv_and_keep_empty_strings_apart_from_nulls(warehouse: Warehouse):
    from investing_assets.lib.storage import pg_binary

    with warehouse.connect() as conn:
        conn.execute("CREATE TABLE ops.texty (k text, s text, t text, x float8)")
    types = {"k": "text", "s": "text", "t": "text", "x": "float8"}
    assert not pg_binary.worthwhile(types, list(types)) and pg_binary.worthwhile(types, ["x"])
    frame = pl.DataFrame({"k": ["a"] * 4, "s": ["", None, "é,\"q\"\nline", "x"], "t": ["1", "2", "3", "4"],
                          "x": [1.0, None, 2.5, -0.0]})
    warehouse.replace_rows("ops.texty", frame, {"k": ["a"]})
    back = warehouse.read_frame("SELECT k, s, t, x FROM ops.texty ORDER BY t")
    assert back.get_column("s").to_list() == ["", None, "é,\"q\"\nline", "x"]
    assert back.get_column("x").to_list() == [1.0, None, 2.5, -0.0]
