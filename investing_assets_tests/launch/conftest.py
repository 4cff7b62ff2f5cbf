"""The CLI reads its servers and home from the environment: point them at this test's own."""

import pytest


@pytest.fixture
def env(monkeypatch, pg_url, redis_url, tmp_path):
    monkeypatch.setenv("INVESTING_PG_URL", pg_url)
    monkeypatch.setenv("INVESTING_REDIS_URL", redis_url)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    return pg_url
