"""PostgreSQL history through psycopg 3.

Every write replaces exactly one partition's rows inside one transaction: delete the partition's old rows,
COPY the new ones in. A frame that repeats its table's key is refused first, which is what keeps the key of
the history tables that have no unique index (sql/006_history_keys.sql). A re-run therefore leaves the same rows, and a failure half-way leaves the previous rows
untouched. Tables written here should be changed only through Warehouse writes: the per-partition digests
that let an unchanged re-run skip its rewrite notice added or removed rows, not rows edited in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import itertools
import json
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg
from psycopg import sql

from investing_assets.lib.storage import names, pg_binary

log = logging.getLogger(__name__)

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"  # package data, so an installed wheel can migrate
COPY_ROWS = 500_000  # rows encoded at a time into one COPY (about 60 MB of daily bars)
Replace = Callable[[pl.DataFrame, Mapping[str, Sequence[object]]], None]


@dataclass(frozen=True)
class WriteResult:
    table: str
    deleted: int
    inserted: int
    seconds: float
    unchanged: int = 0  # partition units (e.g. sessions) whose stored rows already matched


class Warehouse:
    """A connection factory plus the few write/read patterns the assets need."""

    def __init__(self, url: str) -> None:
        self.url = url

    # -- plumbing -----------------------------------------------------------------------------------------
    @contextmanager
    def connect(self) -> Iterator[psycopg.Connection]:
        with psycopg.connect(self.url, autocommit=False) as conn:
            yield conn

    def table(self, qualified: str) -> sql.Composed:
        """`market.daily_bars` -> a safely quoted identifier."""
        schema, name = qualified.split(".")
        return sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(name))

    def ping(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=3) as conn:
                conn.execute("select 1")
            return True
        except psycopg.OperationalError:
            return False

    # -- schema -------------------------------------------------------------------------------------------
    def migrate(self, sql_dir: Path = SQL_DIR) -> list[str]:
        """Apply the numbered, idempotent schema files in order; returns the files applied."""
        files = sorted(sql_dir.glob("[0-9][0-9][0-9]_*.sql"))
        with self.connect() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('investing_assets.migrate'))")
            for path in files:
                conn.execute(path.read_text())
            ops = self.table(names.SCHEMA_MIGRATIONS)
            for path in files:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                conn.execute(
                    sql.SQL(
                        "INSERT INTO {} (file, sha256) VALUES (%s, %s) "
                        "ON CONFLICT (file) DO UPDATE SET sha256 = excluded.sha256, applied_at = now()"
                    ).format(ops),
                    (path.name, digest),
                )
        _COLUMN_TYPES.clear()  # a migration may change columns, keys and partitions this process has cached
        _TABLE_KEYS.clear()
        _PARTITION_YEARS.clear()
        return [p.name for p in files]

    # -- writes -------------------------------------------------------------------------------------------
    def replace_rows(
        self,
        table: str,
        frame: pl.DataFrame,
        scope: Mapping[str, Sequence[object]],
    ) -> WriteResult:
        """Make `table`'s rows within `scope` exactly `frame`, in one transaction.

        `scope` names the partition: {"session": [d1, d2]} or {"asset_class": ["etf"], "session": [...]}; each
        combination of scope values is a unit (one session, say). Rows outside the scope are refused, so an
        asset can never overwrite another partition. A unit whose rows match the digest stored at its last
        write (and whose stored row count still agrees) is left alone; every other unit is deleted and its
        rows are COPYed straight into the table. A temp-table stage would cost a second full copy (see
        `make bench`); the single transaction already makes the swap atomic.
        """
        self.ensure_year_partitions(table, frame)
        with self.connect() as conn, conn.cursor() as cur:
            return self._replace(cur, table, frame, scope)

    def replace_many(self, writes: Sequence[tuple[str, pl.DataFrame, Mapping[str, Sequence[object]]]]
                     ) -> list[WriteResult]:
        """Several tables' partitions in ONE transaction: a run that produces several assets is all or nothing."""
        ordered = sorted(writes, key=lambda write: write[0])  # one lock order for every caller: no deadlocks
        for table, frame, _ in ordered:
            self.ensure_year_partitions(table, frame)
        with self.connect() as conn, conn.cursor() as cur:
            return [self._replace(cur, table, frame, scope) for table, frame, scope in ordered]

    @contextmanager
    def replacing(self, table: str, sessions: Sequence[dt.date]) -> Iterator[Replace]:
        """One transaction for several `replace_rows` of `table` within `sessions`: a long range written a chunk
        of sessions at a time, so no step holds all of its rows at once, and still all or nothing (an exception
        inside the block, or in any chunk's write, rolls every chunk back). The sessions' year partitions are made
        before it opens.

        Each chunk is written on a thread of its own while the caller prepares the next one: while PostgreSQL
        deletes, COPYs and indexes a chunk, the caller's reads and polars work run on the other core. At most one
        write is in flight, so the caller holds at most two chunks; `replace` returns None and a failed write is
        raised by the next `replace` or at the end of the block."""
        self.ensure_years(table, {day.year for day in sessions})
        with self.connect() as conn, conn.cursor() as cur, ThreadPoolExecutor(1, f"write-{table}") as writer:
            pending: list[Future[WriteResult]] = []

            def settle() -> None:
                while pending:
                    pending.pop().result()

            def replace(frame: pl.DataFrame, scope: Mapping[str, Sequence[object]]) -> None:
                outside = set(scope.get("session", ())) - set(sessions)
                if outside:
                    raise ValueError(f"{table}: session(s) {sorted(outside)[:3]} outside the transaction's sessions")
                settle()
                pending.append(writer.submit(self._replace, cur, table, frame, scope))

            yield replace  # on an exception the writer's exit waits for its write before the rollback
            settle()

    def ensure_year_partitions(self, table: str, frame: pl.DataFrame) -> None:
        """Each year of `frame` has its partition before its first row is written, for tables partitioned by year
        (028_history_by_year.sql). Created in a short transaction of its own, never inside a write: creating a
        partition locks the whole table, and a write holding other locks could deadlock on it."""
        if frame.height == 0 or _year_partitions(self, table) is None:
            return
        self.ensure_years(table, set(frame.get_column("session").dt.year().unique().to_list()))

    def ensure_years(self, table: str, wanted: set[int]) -> None:
        """`ensure_year_partitions` for the years themselves."""
        known = _year_partitions(self, table)
        if known is None:
            return
        years = wanted - known
        if not years:
            return
        schema, name = table.split(".")
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock(hashtext('investing_assets.partitions'))")
            try:
                for year in sorted(years):
                    conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})")
                                 .format(sql.Identifier(schema, f"{name}_y{year}"), self.table(table),
                                         sql.Literal(dt.date(year, 1, 1)), sql.Literal(dt.date(year + 1, 1, 1))))
            finally:
                conn.execute("SELECT pg_advisory_unlock(hashtext('investing_assets.partitions'))")
        known.update(years)

    def _replace(self, cur: psycopg.Cursor, table: str, frame: pl.DataFrame,
                 scope: Mapping[str, Sequence[object]]) -> WriteResult:
        started = time.perf_counter()
        _check_within_scope(table, frame, scope)
        _check_key(table, frame, scope, _table_key(cur, table))
        columns = list(scope)
        incoming = _unit_digests(frame, columns)
        target = self.table(table)
        cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [table])
        # The planner costs a keyed delete on a year-partitioned table as a scan of every year (pruning happens
        # at run time), so past about six years of 5,000 symbols it crosses jit_above_cost and compiles 30 ms of
        # JIT code to delete one session's rows: the one-session write doubled at ten years (history_scale).
        cur.execute("SET LOCAL jit = off")
        units = {_unit_key(columns, values): values for values in itertools.product(*scope.values())}
        unchanged = self._unchanged_units(cur, table, target, scope, incoming)
        changed = [u for u in units if u not in unchanged]
        deleted = 0
        if changed:
            values = [units[u] for u in changed]
            columns_sql = sql.SQL(", ").join(map(sql.Identifier, columns))
            placeholders = sql.SQL(", ").join(
                sql.SQL("%s::{}[]").format(sql.SQL(_pg_type(v))) for v in values[0])
            cur.execute(
                sql.SQL("DELETE FROM {} WHERE ({}) IN (SELECT * FROM unnest({}))").format(
                    target, columns_sql, placeholders),
                [list(column) for column in zip(*values, strict=True)],
            )
            deleted = cur.rowcount
            if unchanged:  # copy only the rows of the units that changed
                wanted = pl.DataFrame(values, schema={c: frame.schema[c] for c in columns}, orient="row")
                frame = frame.join(wanted, on=columns, how="semi", maintain_order="left")
            # keys leading with the scope arrive in index order: btree inserts stay at the right edge
            _copy_frame(cur, target, frame.sort(columns, maintain_order=True), table)
            # A write under another scope shape (a batch scan by session x symbol vs a full scan by session) may
            # have changed rows those digests vouch for without changing their counts: they no longer vouch.
            cur.execute(f"DELETE FROM {names.PARTITION_DIGESTS} WHERE table_name = %s "
                        "AND (unit = ANY(%s) OR NOT starts_with(unit, %s))",
                        [table, changed, ",".join(columns) + ":"])
            written = [(table, u, *incoming[u]) for u in changed if u in incoming]
            if written:
                cur.executemany(
                    f"INSERT INTO {names.PARTITION_DIGESTS} (table_name, unit, digest, row_count) "
                    "VALUES (%s, %s, %s, %s)", written)
        inserted = sum(incoming[u][1] for u in changed if u in incoming)
        return WriteResult(table, deleted, inserted, time.perf_counter() - started, unchanged=len(unchanged))

    def _unchanged_units(self, cur: psycopg.Cursor, table: str, target: sql.Composed,
                         scope: Mapping[str, Sequence[object]], incoming: Mapping[str, tuple[str, int]]) -> set[str]:
        """Units whose stored digest equals the incoming one and whose stored row count still agrees.

        Only units with a matching digest are counted: a correction of every unit costs no count at all."""
        units = [_unit_key(list(scope), values) for values in itertools.product(*scope.values())]
        cur.execute(f"SELECT unit, digest, row_count FROM {names.PARTITION_DIGESTS} "
                    "WHERE table_name = %s AND unit = ANY(%s)", [table, units])
        matching = {unit: count for unit, digest, count in cur.fetchall() if incoming.get(unit) == (digest, count)}
        if not matching:
            return set()
        columns = sql.SQL(", ").join(map(sql.Identifier, scope))
        where = sql.SQL(" AND ").join(sql.SQL("{} = ANY(%s)").format(sql.Identifier(c)) for c in scope)
        cur.execute(sql.SQL("SELECT {}, count(*) FROM {} WHERE ").format(columns, target) + where + sql.SQL(
            " GROUP BY {}").format(columns), [list(v) for v in scope.values()])
        counts = {_unit_key(list(scope), row[:-1]): row[-1] for row in cur.fetchall()}
        return {u for u, count in matching.items() if counts.get(u, 0) == count}

    # -- reads --------------------------------------------------------------------------------------------
    def read_frame(self, query: sql.Composable | str, params: Sequence[object] | None = None) -> pl.DataFrame:
        """Run a query and return a polars frame (column names from the cursor)."""
        with self.connect() as conn, conn.cursor() as cur:
            cur.execute(query, params)
            if cur.description is None:
                return pl.DataFrame()
            names = [d.name for d in cur.description]
            rows = cur.fetchall()
        if not rows:
            return pl.DataFrame(schema=names)
        return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)

    def read_table(
        self,
        table: str,
        where: Mapping[str, Sequence[object]] | None = None,
        *,
        between: tuple[str, object, object] | None = None,
        schema: Mapping[str, pl.DataType] | None = None,
        order_by: Sequence[str] = (),
    ) -> pl.DataFrame:
        """Read a table through COPY (fast for wide history reads); optional equality and range filters."""
        target = self.table(table)
        clauses: list[sql.Composable] = []
        params: list[object] = []
        for col, values in (where or {}).items():
            clauses.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(col)))
            params.append(list(values))
        if between:
            col, low, high = between
            clauses.append(sql.SQL("{} BETWEEN %s AND %s").format(sql.Identifier(col)))
            params.extend([low, high])
        cols = list(schema) if schema else None
        select = sql.SQL(", ").join(map(sql.Identifier, cols)) if cols else sql.SQL("*")
        query = sql.SQL("SELECT {} FROM {}").format(select, target)
        if clauses:
            query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses)
        if order_by:
            query += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(map(sql.Identifier, order_by))
        buffer = io.BytesIO()
        with self.connect() as conn, conn.cursor() as cur:
            bound = query.as_string(conn) if not params else _bind(cur, query, params)
            with cur.copy(sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER true)").format(sql.SQL(bound))) as copy:
                for block in copy:
                    buffer.write(block)
        buffer.seek(0)
        if buffer.getbuffer().nbytes == 0:
            return pl.DataFrame(schema=schema or {})
        frame = pl.read_csv(buffer, schema_overrides=dict(schema) if schema else None, try_parse_dates=schema is None)
        return frame

    def count(self, table: str, where: Mapping[str, Sequence[object]] | None = None) -> int:
        target = self.table(table)
        query = sql.SQL("SELECT count(*) FROM {}").format(target)
        params: list[object] = []
        if where:
            query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(
                sql.SQL("{} = ANY(%s)").format(sql.Identifier(c)) for c in where
            )
            params = [list(v) for v in where.values()]
        with self.connect() as conn:
            return conn.execute(query, params).fetchone()[0]


def json_column(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """A list-of-struct column as JSON text, for a jsonb column written through COPY."""
    if column not in frame.columns:
        return frame
    encoded = pl.concat_str([pl.lit("["), pl.col(column).list.eval(pl.element().struct.json_encode())
                             .list.join(","), pl.lit("]")])
    return frame.with_columns(pl.when(pl.col(column).is_null()).then(None).otherwise(encoded).alias(column))


def _check_within_scope(table: str, frame: pl.DataFrame, scope: Mapping[str, Sequence[object]]) -> None:
    for col, allowed in scope.items():
        if col not in frame.columns:
            raise ValueError(f"{table}: scope column {col!r} is not in the frame")
        outside = frame.filter(~pl.col(col).is_in(list(allowed)))
        if outside.height:
            sample = outside.get_column(col).unique().head(3).to_list()
            raise ValueError(f"{table}: {outside.height} row(s) fall outside the partition scope {col}={sample}")


def _check_key(table: str, frame: pl.DataFrame, scope: Mapping[str, Sequence[object]], key: TableKey) -> None:
    """Refuse a frame that repeats its key, naming the first repeat, before anything is deleted.

    Tables whose key is kept by this writer rather than by a unique index (ops.natural_keys) also need every
    scope column to be part of the key: then the rows a write deletes are the only ones its rows could repeat."""
    if not key.columns:
        return
    if not key.enforced_by_index and not set(scope) <= set(key.columns):
        raise ValueError(f"{table}: its key ({', '.join(key.columns)}) is kept by the writer, so a partition "
                         f"scope must be made of key columns, not {sorted(set(scope) - set(key.columns))}")
    repeated = frame.filter(frame.select(key.columns).is_duplicated())
    if repeated.height:
        first = ", ".join(f"{c}={repeated.get_column(c)[0]}" for c in key.columns)
        raise ValueError(f"{table}: {repeated.height} rows repeat the key ({', '.join(key.columns)}), first {first}; "
                         "nothing was written")


def _unit_key(columns: Sequence[str], values: Sequence[object]) -> str:
    """e.g. 'session:["2026-11-20"]': the scope's shape is part of the key (see _replace)."""
    return ",".join(columns) + ":" + json.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values])


def _pg_type(value: object) -> str:
    """Array element type for unnest(): psycopg sends a list of str as unknown[]."""
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int):
        return "bigint"
    raise TypeError(f"unsupported partition scope value {value!r}")


def _unit_digests(frame: pl.DataFrame, columns: list[str]) -> dict[str, tuple[str, int]]:
    """Order-independent digest and row count per unit.

    polars' row hash is fixed-seeded but may change between polars versions: then every digest differs once,
    which costs one full rewrite, never a wrong skip."""
    if frame.height == 0:
        return {}
    hashed = frame.select(columns).with_columns(_h=frame.hash_rows(seed=0))
    grouped = hashed.group_by(columns).agg(
        hi=(pl.col("_h") // 2**32).cast(pl.Int64).sum(),
        lo=(pl.col("_h") % 2**32).cast(pl.Int64).sum(),
        n=pl.len(),
    )
    return {
        _unit_key(columns, row[: len(columns)]): (f"{row[-3]:x}.{row[-2]:x}", row[-1])
        for row in grouped.iter_rows()
    }


def _copy_frame(cur: psycopg.Cursor, target: sql.Composable, frame: pl.DataFrame, table: str | None = None) -> None:
    """COPY a frame: binary when it pays (`pg_binary.worthwhile`), else CSV (text-heavy rows, jsonb columns).
    Encoded COPY_ROWS rows at a time into the one COPY, so the encoded stream never holds a big frame twice."""
    if frame.height == 0:
        return
    cols = sql.SQL(", ").join(map(sql.Identifier, frame.columns))
    pg_types = _column_types(cur, table) if table else {}
    if pg_types and pg_binary.worthwhile(pg_types, frame.columns):
        with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT binary)").format(target, cols)) as copy:
            copy.write(pg_binary.HEADER)
            for rows in frame.iter_slices(COPY_ROWS):
                copy.write(pg_binary.tuples(rows, pg_types))
            copy.write(pg_binary.TRAILER)
        return
    with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN WITH (FORMAT csv)").format(target, cols)) as copy:
        for rows in frame.iter_slices(COPY_ROWS):
            buffer = io.BytesIO()
            rows.write_csv(buffer, include_header=False, null_value="", quote_style="necessary")
            copy.write(buffer.getbuffer())


_COLUMN_TYPES: dict[tuple[str, str], dict[str, str]] = {}
_TABLE_KEYS: dict[tuple[str, str], TableKey] = {}
_PARTITION_YEARS: dict[tuple[str, str], set[int] | None] = {}


def _year_partitions(warehouse: Warehouse, table: str) -> set[int] | None:
    """The years that have a partition (`<table>_y<year>`), or None when `table` is not partitioned."""
    key = (warehouse.url, table)
    if key not in _PARTITION_YEARS:
        schema, name = table.split(".")
        with psycopg.connect(warehouse.url) as conn:
            partitioned = conn.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass",
                                       [table]).fetchone()
            children = conn.execute(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                "WHERE i.inhparent = %s::regclass", [table]).fetchall()
        prefix = f"{name}_y"
        years = {int(r[0][len(prefix):]) for r in children if r[0].startswith(prefix) and r[0][len(prefix):].isdigit()}
        _PARTITION_YEARS[key] = years if partitioned else None
    return _PARTITION_YEARS[key]


@dataclass(frozen=True)
class TableKey:
    columns: tuple[str, ...]
    enforced_by_index: bool  # False: kept by this writer (ops.natural_keys), see sql/006_history_keys.sql


def _table_key(cur: psycopg.Cursor, table: str) -> TableKey:
    """The primary key's columns, else the key declared in ops.natural_keys; cached like the column types."""
    key = (cur.connection.info.dsn, table)
    if key not in _TABLE_KEYS:
        cur.execute("SELECT array_agg(a.attname ORDER BY k.ord) FROM pg_index i "
                    "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                    "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                    "WHERE i.indrelid = %s::regclass AND i.indisprimary", [table])
        primary = cur.fetchone()[0]
        if primary:
            _TABLE_KEYS[key] = TableKey(tuple(primary), True)
        else:
            cur.execute(f"SELECT columns FROM {names.NATURAL_KEYS} WHERE table_name = %s", [table])
            declared = cur.fetchone()
            _TABLE_KEYS[key] = TableKey(tuple(declared[0]) if declared else (), False)
    return _TABLE_KEYS[key]


def _column_types(cur: psycopg.Cursor, table: str) -> dict[str, str]:
    """Column -> PostgreSQL type name, cached per database and table (the schema only changes by migration)."""
    key = (cur.connection.info.dsn, table)
    if key not in _COLUMN_TYPES:
        cur.execute("SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                    "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped", [table])
        _COLUMN_TYPES[key] = dict(cur.fetchall())
    return _COLUMN_TYPES[key]


def _bind(cur: psycopg.Cursor, query: sql.Composable, params: Sequence[object]) -> str:
    """COPY cannot take parameters; bind them client-side with psycopg's own literal quoting."""
    pieces = query.as_string(cur.connection).split("%s")
    if len(pieces) - 1 != len(params):
        raise ValueError("parameter count mismatch")
    out = pieces[0]
    for value, piece in zip(params, pieces[1:], strict=True):
        out += sql.Literal(value).as_string(cur.connection) + piece
    return out
