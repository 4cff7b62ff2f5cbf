"""No zombie runs: a run whose process dies, or whose PostgreSQL dies under it, ends failed (by run monitoring, as
the `make dev` daemon runs it), its partitions show as failed in the UI, and a re-run succeeds."""

import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.instance.ref import InstanceRef
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._daemon.monitoring.run_monitoring import execute_run_monitoring_iteration
from dagster_graphql.test.utils import execute_dagster_graphql

from investing_assets import settings
from investing_assets.defs.shared.run_health import fail_zombies, is_zombie, live_runs, run_process
from investing_assets.launch.launcher import CODE_LOCATION
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import embedded
from investing_assets.lib.storage.servers import to_psycopg2_url
from investing_assets.lib.storage.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[3]
SESSIONS = calendar.sessions_ending(calendar.last_closed_session(), 120)
STATUSES = """
{ assetNodes(assetKeys: [{path: ["daily_bars"]}]) { assetPartitionStatuses {
    ... on TimePartitionStatuses { ranges { status startKey endKey } } } } }"""


def _home(tmp_path: Path, pg_url: str, redis_url: str) -> dict[str, str]:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copyfile(settings.DAGSTER_YAML, home / "dagster.yaml")
    return {**os.environ, "DAGSTER_HOME": str(home), "INVESTING_HOME": str(tmp_path), "INVESTING_PG_URL": pg_url,
            "INVESTING_REDIS_URL": redis_url, "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url),
            "DAGSTER_EVENT_BATCH_SIZE": "1000"}


def _materialize(env: dict[str, str]) -> subprocess.Popen:
    """A range run of the bars, as the README's `dagster asset materialize` launches it, in its own session so
    the whole process group can be killed like a machine that lost the process. Its log goes to a file (a pipe
    nobody reads until the end would fill and stop it)."""
    exe = str(Path(sys.executable).with_name("dagster"))
    log = tempfile.TemporaryFile(mode="w+")
    process = subprocess.Popen([exe, "asset", "materialize", "-m", "investing_assets.definitions", "--select",
                                "universe,daily_bars", "--partition-range", f"{SESSIONS[0]}...{SESSIONS[-1]}"],
                               env=env, cwd=ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    return process


def _log(process: subprocess.Popen) -> str:
    process.log.seek(0)
    return process.log.read()[-3000:]


def _instance(env: dict[str, str], monkeypatch) -> dg.DagsterInstance:
    monkeypatch.setenv("INVESTING_DAGSTER_PG_URL", env["INVESTING_DAGSTER_PG_URL"])
    return dg.DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"]))


def _wait_for_started_run(instance: dg.DagsterInstance, process: subprocess.Popen, timeout: float = 240) -> str:
    """The run id once the run has started its step and named its process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the run ended before it could be killed: {_log(process)}"
        runs = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED]))
        if runs and run_process(instance, runs[0].run_id):
            return runs[0].run_id
        time.sleep(0.2)
    raise AssertionError("no run started")


def _monitor(instance: dg.DagsterInstance) -> None:
    """One pass of the daemon's run monitoring (what `make dev` runs every 30 s)."""
    with WorkspaceProcessContext(instance, CODE_LOCATION) as workspace:
        errors = [e for e in execute_run_monitoring_iteration(workspace, logging.getLogger("test")) if e]
    assert not errors, errors


def _failed_ranges(instance: dg.DagsterInstance) -> list[dict]:
    with WorkspaceProcessContext(instance, CODE_LOCATION) as workspace:
        result = execute_dagster_graphql(workspace.create_request_context(), STATUSES)
    (node,) = result.data["assetNodes"]
    return [r for r in node["assetPartitionStatuses"]["ranges"] if r["status"] == "FAILED"]


def _kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def test_a_killed_run_is_failed_by_monitoring_and_shown_failed_then_a_rerun_succeeds(pg_url, redis_url, tmp_path, monkeypatch):
    env = _home(tmp_path, pg_url, redis_url)
    with _instance(env, monkeypatch) as instance:
        process = _materialize(env)
        run_id = _wait_for_started_run(instance, process)
        _kill_group(process)
        run = instance.get_run_by_id(run_id)
        assert run.status == dg.DagsterRunStatus.STARTED and is_zombie(instance, run)
        assert run_id not in {r.run_id for r in live_runs(instance)}  # the muni sweep's view: not in flight

        _monitor(instance)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        failed = _failed_ranges(instance)
        assert failed and failed[0]["startKey"] == SESSIONS[0].isoformat(), failed  # the UI shows them failed

        rerun = _materialize(env)
        assert rerun.wait(timeout=600) == 0, _log(rerun)
        assert not _failed_ranges(instance)
        assert Warehouse(pg_url).count("market.daily_bars") > 0


def test_a_live_run_is_left_alone(pg_url, redis_url, tmp_path, monkeypatch):
    env = _home(tmp_path, pg_url, redis_url)
    with _instance(env, monkeypatch) as instance:
        process = _materialize(env)
        try:
            run_id = _wait_for_started_run(instance, process)
            assert fail_zombies(instance) == []
            _monitor(instance)
            assert instance.get_run_by_id(run_id).status in (dg.DagsterRunStatus.STARTED,
                                                             dg.DagsterRunStatus.SUCCESS)
        finally:
            _kill_group(process)


@pytest.fixture
def own_postgres(redis_url):
    """A PostgreSQL of this test's own (embedded, real), to kill."""
    home = Path(os.environ.get("INVESTING_HOME", ROOT / ".investing")).resolve() / f"crash-{uuid.uuid4().hex[:8]}"
    url = _start_postgres(home)
    yield home, url
    embedded.stop(home)
    shutil.rmtree(home, ignore_errors=True)


def _start_postgres(home: Path) -> str:
    """Start it as a user's next command would: in a process of its own (pgserver keeps a handle per process
    that still believes in a server it saw running)."""
    code = "import sys; from pathlib import Path; from investing_assets.lib.storage import embedded; " \
           "print(embedded.start_postgres(Path(sys.argv[1])))"
    started = subprocess.run([sys.executable, "-c", code, str(home)], capture_output=True, text=True, check=True)
    return started.stdout.strip().splitlines()[-1]


def _kill_postgres(home: Path) -> None:
    pid = int((home / "pg" / "postmaster.pid").read_text().splitlines()[0])
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)


def test_postgres_killed_mid_run_ends_with_the_run_failed_and_a_rerun_succeeding(own_postgres, redis_url,
                                                                                 tmp_path, monkeypatch):
    home, url = own_postgres
    Warehouse(url).migrate()
    env = _home(tmp_path, url, redis_url)
    with _instance(env, monkeypatch) as instance:
        process = _materialize(env)
        run_id = _wait_for_started_run(instance, process)
        _kill_postgres(home)
        try:
            process.wait(timeout=300)  # the run cannot record its end: it fails, or it hangs and is killed
        except subprocess.TimeoutExpired:
            _kill_group(process)
        url = _start_postgres(home)  # back up, the same data
        with psycopg.connect(url) as conn:
            conn.execute("SELECT 1")

        _monitor(instance)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        rerun = _materialize(env)
        assert rerun.wait(timeout=600) == 0, _log(rerun)
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.FAILURE
        assert Warehouse(url).count("market.daily_bars") > 0
