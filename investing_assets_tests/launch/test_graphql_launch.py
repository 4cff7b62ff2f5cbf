"""Chat launches through a real `dagster-webserver` (a subprocess over this test's own Dagster home and PostgreSQL):
a run and a backfill land in the instance as the UI would create them, queued for the daemon; with the webserver's
URL on a closed port the instance path is used and the launch says so.

No daemon runs here: the webserver's runs are asserted QUEUED with their records, and one of them is then launched
by this process's launcher (what the daemon would do) to show it runs as created."""

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import pytest
import requests
from dagster._core.execution.backfill import BulkActionStatus
from fastapi.testclient import TestClient

from investing_assets import settings
from investing_assets.api.app import create_app
from investing_assets.api.dagster_status import DagsterStatus
from investing_assets.cli import main
from investing_assets.cli.common import environment, prepare_environment
from investing_assets.launch.launcher import LOCATION_NAME, Launcher
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.memory import read_launches
from investing_assets.lib.storage.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
LOADED = "{ repositoriesOrError { ... on RepositoryConnection { nodes { name location { name } } } } }"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _log(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read()[-3000:]


@pytest.fixture
def home(env):
    with environment(prepare_environment()):
        yield env


@pytest.fixture
def webserver(home):
    """`dagster-webserver` on the workspace `make dev` serves, its log in a temp file; the URL once the code
    location is loaded."""
    port = _free_port()
    exe = str(Path(sys.executable).with_name("dagster-webserver"))
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([exe, "-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)],
                               env=dict(os.environ), cwd=ROOT, start_new_session=True, stdout=log,
                               stderr=subprocess.STDOUT)
    process.log = log
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            assert process.poll() is None, f"dagster-webserver exited: {_log(process)}"
            assert time.monotonic() < deadline, f"dagster-webserver never loaded {LOCATION_NAME}: {_log(process)}"
            try:
                body = requests.post(f"{url}/graphql", json={"query": LOADED}, timeout=5).json()
                nodes = body["data"]["repositoriesOrError"].get("nodes") or []
                if any(node["location"]["name"] == LOCATION_NAME for node in nodes):
                    break
            except (requests.RequestException, ValueError, KeyError, TypeError):
                pass
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()


def _client(env: str, redis_url: str, ui_url: str | None) -> TestClient:
    home = str(settings.dagster_home())
    return TestClient(create_app(Stores(Warehouse(env), HotCache(redis_url), "demo"),
                                 DagsterStatus(lambda: dg.DagsterInstance.from_config(home)), ui_url))


def _launch(client: TestClient, request: str) -> dict:
    plan = client.post("/chat", json={"request": request}).json()["plan"]
    launched = client.post(f"/chat/plans/{plan['id']}/launch")
    assert launched.status_code == 200, launched.text
    return launched.json()


def test_chat_launches_go_through_the_webservers_graphql(webserver, home, redis_url, capsys, monkeypatch):
    with _client(home, redis_url, webserver) as client, \
            dg.DagsterInstance.from_config(str(settings.dagster_home())) as instance:
        one = _launch(client, "update prices for 2026-11-20")
        assert (one["path"], one["fallback"], one["submitted_to_daemon"]) == ("graphql", None, True)
        ((run_id, status),) = one["runs"].items()
        assert status == "QUEUED" and one["backfill_id"] is None
        run = instance.get_run_by_id(run_id)
        assert run.job_name == "pricing_updates" and run.status == dg.DagsterRunStatus.QUEUED
        assert run.remote_job_origin.location_name == LOCATION_NAME
        assert run.tags["dagster/partition"] == "2026-11-20"  # what the UI's launchpad sets for the partition
        assert run.tags["investing/launched_by"] == "investing serve /chat"
        assert run.tags["investing/chat_request"] == "update prices for 2026-11-20"

        grid = _launch(client, "run the watchlist reports for NVDA on Nov 20")
        (grid_run,) = [instance.get_run_by_id(r) for r in grid["runs"]]
        assert grid["path"] == "graphql" and grid_run.job_name == "watchlist_reports"
        assert {k: v for k, v in grid_run.tags.items() if k.startswith("dagster/partition")} == {
            "dagster/partition": "2026-11-20|NVDA", "dagster/partition/date": "2026-11-20",
            "dagster/partition/symbol": "NVDA"}

        span = _launch(client, "backfill daily bars from Nov 2 to Nov 20")
        assert span["path"] == "graphql" and span["backfill_id"] and span["runs"] == {}
        (backfill,) = [b for b in instance.get_backfills() if b.backfill_id == span["backfill_id"]]
        assert backfill.status == BulkActionStatus.REQUESTED  # for the daemon to step
        assert backfill.title == "chat: backfill daily bars from Nov 2 to Nov 20"
        assert backfill.tags["investing/chat_job"] == "pricing_updates"
        # the 15 sessions named for each asset of the job, not every partition downstream through the lookback
        targets = backfill.asset_backfill_data.target_subset.partitions_subsets_by_asset_key
        assert {key.to_user_string(): len(subset) for key, subset in targets.items()} == {
            "universe": 15, "daily_bars": 15, "corporate_actions": 15}

        records = {tuple(r["run_ids"]) or r["backfill_id"]: r for r in read_launches(Warehouse(home))}
        assert records[(run_id,)]["parameters"]["path"] == "graphql"
        assert records[span["backfill_id"]]["parameters"]["path"] == "graphql"

    # `investing chat` (and MCP, on the same Chat) read the webserver from the setting
    monkeypatch.setenv("INVESTING_DAGSTER_UI_URL", webserver)
    assert main(["chat", "--yes", "retrain the muni model"]) == 0
    assert "submitted through the Dagster webserver's GraphQL adhoc_bond_risk_training" in capsys.readouterr().out

    # the queued run is a real run: launched as the daemon would, it succeeds
    with Launcher.open("test standing in for the daemon") as launcher:
        launcher._launch_queued([launcher.instance.get_run_by_id(run_id)])
        assert launcher.instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS


def test_with_the_webserver_not_answering_the_instance_path_is_used_and_said(home, redis_url):
    closed = f"http://127.0.0.1:{_free_port()}"
    with _client(home, redis_url, closed) as client:
        body = _launch(client, "sync the model memory")
    assert body["path"] == "in-process" and body["submitted_to_daemon"] is False
    assert body["fallback"].startswith(f"the Dagster webserver at {closed} did not answer")
    ((_, status),) = body["runs"].items()
    assert status == "SUCCESS"
    (record,) = read_launches(Warehouse(home))
    assert record["parameters"]["path"] == "in-process" and "did not answer" in record["parameters"]["fallback"]
