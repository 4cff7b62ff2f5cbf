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
