"""A machine without PostgreSQL or Redis still works: embedded real servers under the project's home."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import redis

from investing_assets.lib.storage import embedded, servers
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.fixture
def home(tmp_path):
    yield tmp_path / "home"
    embedded.stop(tmp_path / "home")


def test_embedded_servers_start_reuse_and_serve(home):
    found = servers.resolve(home, None, None)
    assert found.pg_embedded and found.redis_embedded
    assert Warehouse(found.pg_url).migrate()
    assert HotCache(found.redis_url).publish("cache:index_quotes", [1], as_of=dt.date(2026, 11, 20))

    again = servers.resolve(home, None, None)  # a second process finds the same running servers
    assert again.pg_url == found.pg_url and again.redis_url == found.redis_url
    assert HotCache(again.redis_url).read("cache:index_quotes")["data"] == [1]
    assert found.dagster_pg_url.startswith("postgresql+psycopg2://")


def test_urls_from_the_environment_win(pg_url, redis_url, tmp_path):
    found = servers.resolve(tmp_path, pg_url, redis_url)
    assert (found.pg_url, found.redis_url) == (pg_url, redis_url)
    assert not found.pg_embedded and not (tmp_path / "pg").exists()


def test_embedded_servers_listen_on_unix_sockets_only(home):
    """No TCP port, so no password is needed: only this user's processes reach them through the socket files."""
    found = servers.resolve(home, None, None)
    pg = urlsplit(found.pg_url)
    assert pg.hostname is None and parse_qs(pg.query)["host"][0].startswith("/")
    with Warehouse(found.pg_url).connect() as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
        assert conn.execute("SELECT inet_server_addr()").fetchone()[0] is None  # this session is on the socket
    assert found.redis_url == f"unix://{home / 'redis.sock'}"
    client = redis.Redis.from_url(found.redis_url)
    assert client.config_get("port") == {"port": "0"}
    assert client.config_get("unixsocketperm") == {"unixsocketperm": "700"}
