"""The project sets the sources' concurrency pools (ibkr: 1) on its Dagster instance, in the instance's own storage
(the PostgreSQL storage dagster.yaml names), once, and never over a limit set on purpose."""

import shutil

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from investing_assets import settings
from investing_assets.cli.common import _prepare_pools
from investing_assets.defs.shared.pools import ensure_pool_limits
from investing_assets.lib.services.sources import REGISTRY, pool_limits
from investing_assets.lib.storage.servers import to_psycopg2_url


@pytest.fixture
def home(pg_url, tmp_path, monkeypatch):
    """A DAGSTER_HOME as `investing services up` writes it, on this test's PostgreSQL database."""
    shutil.copyfile(settings.DAGSTER_YAML, tmp_path / "dagster.yaml")
    monkeypatch.setenv("INVESTING_DAGSTER_PG_URL", to_psycopg2_url(pg_url))
    return tmp_path


def limits(home) -> dict[str, tuple[int, bool]]:
    """(limit, from the default) per pool, read by a fresh instance: what the daemon and runs will see."""
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        return {p.name: (p.limit, p.from_default) for p in instance.event_log_storage.get_pool_limits()}


def test_every_pool_a_source_names_has_a_limit():
    assert pool_limits() == {"ibkr": 1, "sec": 1}  # the IBKR source's, and EDGAR's downloads
    assert {e.pool for e in REGISTRY.values() if e.pool} | {"sec"} == set(pool_limits())


def test_an_absent_pool_is_created_once(home):
    assert limits(home) == {}
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        assert ensure_pool_limits(instance) == {"ibkr": "set to 1", "sec": "set to 1"}
        assert ensure_pool_limits(instance) == {"ibkr": "already 1", "sec": "already 1"}
    assert limits(home) == {"ibkr": (1, False), "sec": (1, False)}


def test_the_default_limit_dagster_gave_is_not_a_choice(home):
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        # what Dagster does when a step of the pool first runs: the instance's pools.default_limit (4)
        assert instance.event_log_storage.initialize_concurrency_limit_to_default("ibkr")
        assert limits(home) == {"ibkr": (4, True)}
        assert ensure_pool_limits(instance)["ibkr"] == "set to 1 (was the default 4)"
    assert limits(home)["ibkr"] == (1, False)


@pytest.mark.parametrize("chosen", [0, 3])
def test_a_limit_set_on_purpose_is_kept(home, chosen):
    with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(home))) as instance:
        instance.event_log_storage.set_concurrency_slots("ibkr", chosen)  # `dagster instance concurrency set`
        assert ensure_pool_limits(instance)["ibkr"] == f"kept {chosen} (set on purpose)"
    assert limits(home)["ibkr"] == (chosen, False)


def test_preparing_the_environment_sets_the_pool_on_the_instance_it_wrote(home, pg_url, monkeypatch):
    monkeypatch.delenv("INVESTING_DAGSTER_PG_URL")  # the CLI passes the servers' env, not this process's
    env = {"INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url), "DAGSTER_HOME": str(home)}
    assert _prepare_pools(home, env) == {"ibkr": "set to 1", "sec": "set to 1"}
    assert _prepare_pools(home, env) == {"ibkr": "already 1", "sec": "already 1"}
    monkeypatch.setenv("INVESTING_DAGSTER_PG_URL", to_psycopg2_url(pg_url))
    assert limits(home) == {"ibkr": (1, False), "sec": (1, False)}
