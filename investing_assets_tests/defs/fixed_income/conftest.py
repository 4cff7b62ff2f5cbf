"""A persistent Dagster instance (sensors and dynamic partitions need one) and a drop folder per test."""

import dagster as dg
import pytest

from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.lib.storage.servers import to_psycopg2_url


@pytest.fixture
def instance():
    with dg.instance_for_test() as instance:
        yield instance


@pytest.fixture
def pg_instance(pg_url):
    """A Dagster instance stored in the test's own PostgreSQL database, as `dagster.yaml` stores the real one:
    what the UI reads (partition status, check evaluations per partition) comes from these tables."""
    url = to_psycopg2_url(pg_url)
    with dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}}) as instance:
        yield instance


@pytest.fixture
def drop(tmp_path) -> DropFolderResource:
    """Settle window of an hour: a file counts as written only after two unchanged looks."""
    return DropFolderResource(path=str(tmp_path / "muni_drop"), settle_seconds=3600)


@pytest.fixture
def instant_drop(tmp_path) -> DropFolderResource:
    """The same folder with no settle window: a file is taken at first sight."""
    return DropFolderResource(path=str(tmp_path / "muni_drop"), settle_seconds=0)


@pytest.fixture
def muni_resources(resources, drop) -> dict:
    return {**resources, "muni_drop": drop}


def area_definitions(resources: dict) -> dg.Definitions:
    """This area's definitions with the test's resources (as the root merges them with the shared ones)."""
    from investing_assets.defs.fixed_income.definitions import definitions

    area = definitions()
    return dg.Definitions(assets=area.assets, jobs=area.jobs, schedules=area.schedules, sensors=area.sensors,
                          resources=resources)
