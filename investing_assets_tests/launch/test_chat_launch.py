"""Real launches through the chat, on this test's own servers and Dagster home: through the API (in this
process, no daemon), submitted to a running daemon instead (the home's lock held as `make dev` holds it), and
through `investing chat`; every launch recorded."""

import dagster as dg
import pytest
from fastapi.testclient import TestClient

from investing_assets import settings
from investing_assets.api.app import create_app
from investing_assets.api.dagster_status import DagsterStatus
from investing_assets.cli import main
from investing_assets.cli.common import environment, prepare_environment
from investing_assets.launch.home_lock import HomeLock
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.memory import read_launches, read_memory
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.fixture
def served(env, redis_url):
    with environment(prepare_environment()):
        home = str(settings.dagster_home())
        app = create_app(Stores(Warehouse(env), HotCache(redis_url), "demo"),
                         DagsterStatus(lambda: dg.DagsterInstance.from_config(home)))
        with TestClient(app) as client:
            yield client


def test_a_confirmed_plan_launches_a_run_and_is_recorded(served, env):
    plan = served.post("/chat", json={"request": "sync the model memory", "conversation": "t2"}).json()["plan"]
    assert plan["summary"] == "launch model_memory_sync: (unpartitioned)"
    launched = served.post(f"/chat/plans/{plan['id']}/launch")
    assert launched.status_code == 200, launched.text
    body = launched.json()
    ((run_id, status),) = body["runs"].items()
    assert status == "SUCCESS" and body["submitted_to_daemon"] is False
    run = served.get(f"/dagster/runs/{run_id}").json()["data"]
    assert run["job_name"] == "model_memory_sync" and run["status"] == "SUCCESS"
    (record,) = read_launches(Warehouse(env))
    assert (record["request"], record["job"], record["run_ids"]) == ("sync the model memory", "model_memory_sync",
                                                                     [run_id])
    # the run synced the conversation that asked for it into PostgreSQL
    synced = read_memory(Warehouse(env))
    assert any(ns == "chat:t2" and entry.value["text"] == "sync the model memory" for (ns, _), entry in synced.items())
    assert served.post(f"/chat/plans/{plan['id']}/launch").json()["runs"]  # a plan may be launched again


def test_with_a_daemon_running_the_launch_is_submitted_to_it(served):
    plan = served.post("/chat", json={"request": "retrain the muni model"}).json()["plan"]
    with HomeLock(settings.home(), "daemon").held("a test standing in for make dev"):
        body = served.post(f"/chat/plans/{plan['id']}/launch").json()
    ((run_id, status),) = body["runs"].items()
    assert body["submitted_to_daemon"] is True and status == "QUEUED"
    run = served.get(f"/dagster/runs/{run_id}").json()["data"]
    assert (run["job_name"], run["partition"]) == ("adhoc_bond_risk_training", plan["partitions"][0])


def test_investing_chat_shows_the_plan_and_launches_with_yes(env, capsys):
    assert main(["chat", "--dry-run", "backfill daily bars from Nov 2 to Nov 20"]) == 0
    assert "launch pricing_updates: 15 partitions 2026-11-02 .. 2026-11-20 (a backfill)" in capsys.readouterr().out
    assert main(["chat", "rescan AAPL and B@D for yesterday"]) == 2
    assert "investing chat: refused symbol 'B@D'" in capsys.readouterr().err
    assert main(["chat", "sync the model memory"]) == 1  # no terminal to confirm with, and no --yes
    assert "pass --yes" in capsys.readouterr().err
    assert main(["chat", "--yes", "sync the model memory"]) == 0
    out = capsys.readouterr().out
    assert "launched model_memory_sync: " in out and "(SUCCESS)" in out
    assert len(read_launches(Warehouse(env))) == 1
