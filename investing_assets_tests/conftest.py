"""Real PostgreSQL and Redis for every test, each test in its own database so runs cannot collide.

PostgreSQL: INVESTING_TEST_PG_URL (an admin URL), else the machine's server on 127.0.0.1:5432, else an
embedded pgserver. Each test gets a fresh database cloned from a migrated template. Redis: the machine's server
(INVESTING_TEST_REDIS_URL, default 127.0.0.1:6379); each pytest process claims a free logical database with a
lock key, so two concurrent runs never share one.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis

from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _answers(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=2):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def pg_admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("INVESTING_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    if _answers(url):
        return url
    if "INVESTING_TEST_PG_URL" in os.environ:
        pytest.exit(f"INVESTING_TEST_PG_URL does not answer: {url}", returncode=3)
    from investing_assets.lib.storage import embedded

    return embedded.start_postgres(Path(os.environ.get("INVESTING_HOME", ".investing")).resolve() / "test")


def _admin(url: str, statement: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(statement)


@pytest.fixture(scope="session")
def template_db(pg_admin_url: str) -> Iterator[str]:
    name = f"ia_tpl_{uuid.uuid4().hex[:10]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}"')
    url = with_database(pg_admin_url, name)
    Warehouse(url).migrate()
    yield name
    _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_admin_url: str, template_db: str) -> Iterator[str]:
    """A migrated database of this test's own."""
    name = f"ia_test_{uuid.uuid4().hex[:10]}"
    _admin(pg_admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    yield with_database(pg_admin_url, name)
    _admin(pg_admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def warehouse(pg_url: str) -> Warehouse:
    return Warehouse(pg_url)


@pytest.fixture(scope="session")
def redis_base_url() -> Iterator[str]:
    base = os.environ.get("INVESTING_TEST_REDIS_URL", "redis://127.0.0.1:6379")
    lock_client = redis.Redis.from_url(f"{base}/0", socket_connect_timeout=2)
    try:
        lock_client.ping()
    except redis.ConnectionError:
        pytest.exit(f"Redis does not answer at {base}; start it (see .ci/run)", returncode=3)
    token = f"{os.getpid()}-{uuid.uuid4().hex[:6]}"
    for db in range(1, 16):
        if lock_client.set(f"investing_tests:lock:{db}", token, nx=True, ex=6 * 3600):
            yield f"{base}/{db}"
            if lock_client.get(f"investing_tests:lock:{db}") == token.encode():
                lock_client.delete(f"investing_tests:lock:{db}")
            return
    pytest.exit("no free Redis logical database for this test run (15 concurrent runs?)", returncode=3)


@pytest.fixture
def redis_url(redis_base_url: str) -> str:
    redis.Redis.from_url(redis_base_url).flushdb()
    return redis_base_url


@pytest.fixture
def cache(redis_url: str) -> HotCache:
    return HotCache(redis_url)


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL where nothing listens: a real refused connection, not a mock."""
    return "redis://127.0.0.1:9/0"


@pytest.fixture(scope="session")
def read_warehouse_url(pg_admin_url: str, template_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One warehouse the read API tests share, seeded once by the services on the demo source (see
    lib/services/reads/_seed.py); they only read it."""
    from investing_assets_tests.lib.services.reads._seed import seeded_database

    with seeded_database(pg_admin_url, template_db, tmp_path_factory.mktemp("read_seed")) as url:
        yield url
