"""Past one machine: a backfill split into two runs whose steps execute on two Celery workers (dagster-celery, the
project's Redis as broker) writes the same rows as one in-process run, and every step says which worker ran it."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.instance.ref import InstanceRef

from investing_assets import settings
from investing_assets.cli import workers
from investing_assets.lib.core import calendar
from investing_assets.lib.storage.servers import to_psycopg2_url

ROOT = Path(__file__).resolve().parents[2]
SESSIONS = calendar.sessions_ending(calendar.last_closed_session(), 40)
BARS = "SELECT symbol, session, open, high, low, close, adj_close, volume FROM market.daily_bars ORDER BY 1, 2"


@pytest.fixture
def env(pg_url, redis_url, tmp_path, monkeypatch) -> dict[str, str]:
    home = tmp_path / "dagster"
    home.mkdir()
    shutil.copyfile(settings.DAGSTER_YAML, home / "dagster.yaml")
    values = {"DAGSTER_HOME": str(home), "INVESTING_HOME": str(tmp_path), "INVESTING_PG_URL": pg_url,
              "INVESTING_REDIS_URL": redis_url, "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url),
              "DAGSTER_EVENT_BATCH_SIZE": "1000"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("INVESTING_EXECUTOR", raising=False)
    monkeypatch.delenv("INVESTING_CELERY_BROKER", raising=False)
    yield {**os.environ, **values}
    workers.stop()


def _materialize(env: dict[str, str], selection: str, first, last) -> subprocess.Popen:
    exe = str(Path(sys.executable).with_name("dagster"))
    log = tempfile.TemporaryFile(mode="w+")  # a pipe nobody reads until the end would fill and stop the run
    process = subprocess.Popen([exe, "asset", "materialize", "-m", "investing_assets.definitions", "--select",
                                selection, "--partition-range", f"{first}...{last}"],
                               env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    process.log = log
    return process


def _finish(process: subprocess.Popen) -> None:
    code = process.wait(timeout=600)
    process.log.seek(0)
    assert code == 0, process.log.read()[-3000:]


def _rows(pg_url: str) -> list[tuple]:
    with psycopg.connect(pg_url) as conn:
        return conn.execute(BARS).fetchall()


def test_a_backfill_split_across_two_celery_workers_writes_the_rows_of_one_run(env, pg_url):
    _finish(_materialize(env, "universe,daily_bars", SESSIONS[0], SESSIONS[-1]))
    single = _rows(pg_url)
    assert {row[1] for row in single} == set(SESSIONS)
    with psycopg.connect(pg_url) as conn:
        conn.execute("DELETE FROM market.daily_bars")

    names = workers.start(env, 2)
    answering = workers.wait_until_answering(env, names)
    assert len(answering) == 2, answering
    celery = {**env, "INVESTING_EXECUTOR": "celery"}
    half = len(SESSIONS) // 2
    runs = [_materialize(celery, "daily_bars", SESSIONS[0], SESSIONS[half - 1]),
            _materialize(celery, "daily_bars", SESSIONS[half], SESSIONS[-1])]
    for run in runs:
        _finish(run)
    assert _rows(pg_url) == single

    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(env["DAGSTER_HOME"]))
    celery_runs = instance.get_runs(limit=2)
    ran_on = {}
    for run in celery_runs:
        assert run.status == dg.DagsterRunStatus.SUCCESS
        for record in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
            metadata = record.dagster_event.engine_event_data.metadata
            if "Celery worker" in metadata:
                ran_on[run.run_id] = metadata["Celery worker"].value
    assert set(ran_on) == {run.run_id for run in celery_runs}, "a step ran outside the Celery workers"
    assert sorted(ran_on.values()) == sorted(answering), ran_on  # one run's step on each worker


def test_the_broker_defaults_to_the_hot_cache_redis(monkeypatch, tmp_path):
    from investing_assets.defs.shared.executors import broker_url, run_executor

    monkeypatch.delenv("INVESTING_CELERY_BROKER", raising=False)
    socket = tmp_path / "redis.sock"  # an embedded Redis's socket, as `investing services up` starts it
    monkeypatch.setenv("INVESTING_REDIS_URL", f"unix://{socket}?db=3")
    assert broker_url() == f"redis+socket://{socket}?virtual_host=3"
    monkeypatch.setenv("INVESTING_CELERY_BROKER", "redis://10.0.0.5:6379/2")
    assert broker_url() == "redis://10.0.0.5:6379/2"
    monkeypatch.setenv("INVESTING_EXECUTOR", "celery")
    assert run_executor().name == "celery"
    monkeypatch.setenv("INVESTING_EXECUTOR", "kubernetes")
    with pytest.raises(ValueError, match="INVESTING_EXECUTOR='kubernetes' is not one of in_process, celery"):
        run_executor()
