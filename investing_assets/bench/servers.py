"""A throwaway database on whatever server the project uses (the environment's or the embedded one)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

import polars as pl
import psycopg

from investing_assets import settings
from investing_assets.lib.storage import servers
from investing_assets.lib.storage.warehouse import Warehouse


@contextmanager
def bench_database() -> Iterator[tuple[str, str]]:
    """Yields (pg_url, redis_url) for a fresh migrated database, dropped afterwards."""
    found = servers.resolve(settings.home(), settings.pg_url(), settings.redis_url())
    name = f"ia_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(found.pg_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(found.pg_url)
    url = urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    try:
        Warehouse(url).migrate()
        yield url, found.redis_url
    finally:
        with psycopg.connect(found.pg_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def spare_redis(url: str) -> Iterator[str]:
    """`url` moved to an empty logical database claimed for this bench (a lock key in database 0, as the tests
    claim theirs), flushed and released afterwards: the bench never overwrites the hot caches in use."""
    import redis

    token = uuid.uuid4().hex
    admin = redis.Redis.from_url(_redis_db(url, 0))
    for db in range(15, 0, -1):
        lock = f"investing_bench:lock:{db}"
        if not admin.set(lock, token, nx=True, ex=3600):
            continue
        claimed = _redis_db(url, db)
        client = redis.Redis.from_url(claimed)
        if client.dbsize():  # someone's data: leave it alone
            admin.delete(lock)
            continue
        try:
            yield claimed
        finally:
            client.flushdb()
            if admin.get(lock) == token.encode():
                admin.delete(lock)
        return
    raise RuntimeError(f"no empty Redis logical database to bench in at {servers.redact_url(url)}")


def _redis_db(url: str, db: int) -> str:
    """`url` pointing at logical database `db` (`redis://host:port/N`, `unix:///path?db=N`)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = "&".join([p for p in parts.query.split("&") if p and not p.startswith("db=")] + [f"db={db}"])
        return f"unix://{parts.path}?{query}"  # urlunsplit would respell it unix:/path, which redis-py refuses
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", parts.query, parts.fragment))


class PlainCopy:
    """The baseline a writer is measured against: the same rows by one plain CSV COPY into an index-free
    copy of its table (`CREATE TABLE ... LIKE ... EXCLUDING ALL`), in the same database."""

    def __init__(self, warehouse: Warehouse, table: str, frame: pl.DataFrame) -> None:
        self.warehouse, self.table = warehouse, table
        self.plain = f"plain_{table.rsplit('.', 1)[-1]}"
        self.columns = ", ".join(frame.columns)
        self.payload = frame.write_csv(include_header=False).encode()
        with warehouse.connect() as conn:
            conn.execute(f"CREATE TABLE {self.plain} (LIKE {table} EXCLUDING ALL)")

    def seconds(self) -> float:
        """One timed COPY, after emptying both the plain copy and the writer's table."""
        with self.warehouse.connect() as conn, conn.cursor() as cur:
            cur.execute(f"TRUNCATE {self.plain}, {self.table}")
            conn.commit()
            started = time.perf_counter()
            with cur.copy(f"COPY {self.plain} ({self.columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(self.payload)
            conn.commit()
            return time.perf_counter() - started
