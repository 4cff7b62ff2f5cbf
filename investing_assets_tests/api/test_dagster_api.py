"""Run and partition status read from the Dagster instance, as the UI shows them, without writing to it."""

import datetime as dt

import dagster as dg
import pytest

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.partitions import trading_day
from investing_assets.defs.shared.resources import HotCacheResource, MarketDataResource, WarehouseResource
from investing_assets.lib.core import calendar

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 2)


@pytest.fixture
def runs(dagster_instance, pg_url, redis_url):
    """Two successful runs of index_quotes (a partition each), then a failed run of its newest partition, and a
    failed run of commodity_quotes (a csv source without a folder cannot be built)."""
    good = {"warehouse": WarehouseResource(url=pg_url), "cache": HotCacheResource(url=redis_url),
            "market_data": MarketDataResource(source="demo")}
    broken = {**good, "market_data": MarketDataResource(source="csv")}
    for day in DAYS:
        assert dg.materialize([market_assets.index_quotes], partition_key=day.isoformat(), resources=good,
                              instance=dagster_instance).success
    for asset, resources in ((market_assets.index_quotes, broken), (market_assets.commodity_quotes, broken)):
        assert not dg.materialize([asset], partition_key=DAYS[-1].isoformat(), resources=resources,
                                  instance=dagster_instance, raise_on_error=False).success
    return dagster_instance


def test_runs_are_listed_newest_first_and_page_by_cursor(client, runs):
    body = client.get("/dagster/runs").json()
    assert body["total"] == 4
    assert [(r["status"], r["partition"]) for r in body["data"]] == [
        ("FAILURE", DAYS[-1].isoformat()), ("FAILURE", DAYS[-1].isoformat()),
        ("SUCCESS", DAYS[-1].isoformat()), ("SUCCESS", DAYS[0].isoformat())]
    assert all(r["started_at"] and r["ended_at"] for r in body["data"])
    failed = client.get("/dagster/runs", params={"status": "failure"}).json()
    assert failed["total"] == 2 and {r["status"] for r in failed["data"]} == {"FAILURE"}

    seen, url = [], "/dagster/runs?limit=1"
    while url:
        page = client.get(url).json()
        seen += [r["run_id"] for r in page["data"]]
        url = page["next"]
    assert seen == [r["run_id"] for r in body["data"]]

    one = client.get(f"/dagster/runs/{seen[0]}").json()["data"]
    assert one["run_id"] == seen[0] and one["tags"]["dagster/partition"] == DAYS[-1].isoformat()
    assert one["planned"] == [{"asset": "commodity_quotes", "partition": DAYS[-1].isoformat()}]


def test_partitions_show_what_the_ui_shows(client, runs):
    index = client.get("/dagster/assets/index_quotes/partitions").json()
    assert index["counts"] == {"materialized": 1, "failed": 1, "in_progress": 0}
    # the newest partition's latest attempt failed, even though an earlier run materialized it
    assert index["data"] == [{"partition": DAYS[-1].isoformat(), "status": "failed"},
                             {"partition": DAYS[0].isoformat(), "status": "materialized"}]
    failed = client.get("/dagster/assets/commodity_quotes/partitions", params={"status": "failed"}).json()
    assert failed["data"] == [{"partition": DAYS[-1].isoformat(), "status": "failed"}]
    assert client.get("/dagster/assets/daily_bars/partitions").json()["total"] == 0
    # Dagster's own reckoning (which writes its status cache, so it is asked last) agrees
    keys = [DAYS[0].isoformat(), DAYS[-1].isoformat()]
    own = runs.get_status_by_partition(dg.AssetKey("index_quotes"), keys, trading_day)
    assert {k: v.value.lower() for k, v in own.items()} == {row["partition"]: row["status"] for row in index["data"]}


def test_reading_status_writes_nothing_to_the_instance(client, runs):
    key = dg.AssetKey("index_quotes")
    before = runs.get_asset_records([key])[0].asset_entry
    client.get("/dagster/assets/index_quotes/partitions")
    client.get("/dagster/runs")
    assert runs.get_asset_records([key])[0].asset_entry == before  # no status cache written, say
    assert len(runs.get_runs()) == 4


def test_unknown_names_are_refused_in_one_line(client, runs):
    unknown = client.get("/dagster/assets/no_such_asset/partitions")
    assert unknown.status_code == 404 and unknown.json()["detail"].startswith("unknown asset 'no_such_asset': one of ")
    assert client.get("/dagster/runs/0000").json() == {"detail": "unknown run 0000"}
    assert client.get("/dagster/runs", params={"cursor": "0000"}).status_code == 404
    bad = client.get("/dagster/runs", params={"status": "DONE"})
    assert bad.status_code == 422 and bad.json()["detail"].startswith("unknown run status 'DONE': one of QUEUED")
    assert client.get("/dagster/assets/index_quotes/partitions", params={"status": "stale"}).status_code == 422


def test_an_instance_that_cannot_open_is_a_503(read_warehouse_url, redis_url):
    from fastapi.testclient import TestClient

    from investing_assets.api.app import create_app
    from investing_assets.api.dagster_status import DagsterStatus
    from investing_assets.lib.services.reads import Stores
    from investing_assets.lib.storage.cache import HotCache
    from investing_assets.lib.storage.warehouse import Warehouse

    def unavailable():
        raise dg.DagsterInvariantViolationError("no dagster.yaml")

    app = create_app(Stores(Warehouse(read_warehouse_url), HotCache(redis_url)), DagsterStatus(unavailable))
    response = TestClient(app).get("/dagster/runs")
    assert response.status_code == 503
    assert response.json() == {"detail": "the Dagster instance cannot be opened: no dagster.yaml"}


def test_every_asset_of_the_code_location_can_be_asked_about():
    from investing_assets.api.dagster_status import ASSETS
    from investing_assets.definitions import defs

    assert ASSETS == sorted(key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys())
