"""A throwaway database on whatever server the project uses (the environment's or the embedded one)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit, urlunsplit

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
