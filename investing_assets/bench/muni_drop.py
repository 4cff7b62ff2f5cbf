"""Bench: 300 sample reports dropped at once into the muni drop folder while `make dev`'s Dagster runs (the
daemon with its sensor, run queue and run launcher, as `investing dev` starts it), timed until every report is
read. Target from issue 11: all 300 within 3 minutes on this machine. The baseline is the same reading without
Dagster, in this process (the work itself), so the figure's detail says what the orchestration costs.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from investing_assets import settings
from investing_assets.bench import Figure
from investing_assets.bench.servers import bench_database
from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.services.muni import process_document
from investing_assets.lib.storage.servers import to_psycopg2_url
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.muni_reports import generate_documents

DOCUMENTS = 300
TARGET_SECONDS = 180.0
WAIT_SECONDS = 900.0


def bench() -> list[Figure]:
    with bench_database() as (pg_url, redis_url), tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        (home / "dagster").mkdir(parents=True)
        shutil.copyfile(settings.DAGSTER_YAML, home / "dagster" / "dagster.yaml")
        generated = generate_documents(Path(scratch) / "generated", DOCUMENTS, seed=11)
        with bench_database() as (baseline_url, _):
            baseline = _read_in_process(generated, Path(scratch) / "baseline", baseline_url)

        env = {**os.environ, "INVESTING_HOME": str(home), "DAGSTER_HOME": str(home / "dagster"),
               "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url,
               "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url), "DAGSTER_EVENT_BATCH_SIZE": "1000"}
        drop = DropFolder(home / "muni_drop").ensure()
        daemon = _start_daemon(env, home)
        try:
            _wait_for_heartbeat(pg_url)
            started = time.perf_counter()
            for path in generated:  # each file complete when it appears, as a finished upload would
                os.replace(path, drop.root / path.name)
            done, failed = _wait_until_read(pg_url, started)
            elapsed = time.perf_counter() - started
        finally:
            _stop(daemon)
    within = done == DOCUMENTS and failed == 0 and elapsed <= TARGET_SECONDS
    return [Figure(f"{DOCUMENTS} dropped reports read under the Dagster daemon", elapsed, "s",
                   f"<= {TARGET_SECONDS:.0f} s", within,
                   f"{done} read, {failed} failed; the same reading without Dagster took {baseline:.1f} s "
                   f"({elapsed / baseline:.1f}x)")]


def _read_in_process(generated: list[Path], folder: Path, pg_url: str) -> float:
    """The baseline: every report read and stored in this process, one after another."""
    copies = DropFolder(folder).ensure()
    warehouse = Warehouse(pg_url)
    started = time.perf_counter()
    for path in generated:
        copy = copies.root / path.name
        shutil.copyfile(path, copy)
        process_document(copy, warehouse, folder=copies)
    return time.perf_counter() - started


def _start_daemon(env: dict[str, str], home: Path) -> subprocess.Popen:
    daemon = str(Path(sys.executable).with_name("dagster-daemon"))
    log = open(home / "daemon.log", "w")  # noqa: SIM115 - the daemon's lifetime
    return subprocess.Popen([daemon, "run", "-w", "workspace.yaml"], env=env, cwd=settings.PROJECT_ROOT,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for_heartbeat(pg_url: str) -> None:
    deadline = time.monotonic() + 120
    with psycopg.connect(pg_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            time.sleep(1)
            try:
                if conn.execute("SELECT count(*) FROM daemon_heartbeats WHERE daemon_type = 'SENSOR'").fetchone()[0]:
                    return
            except psycopg.errors.UndefinedTable:  # the daemon has not created the instance's tables yet
                continue
    raise RuntimeError("the Dagster daemon did not start its sensor daemon within 120 s")


def _wait_until_read(pg_url: str, started: float) -> tuple[int, int]:
    """Reports stored as read, and failed runs, once all are read or the wait is over."""
    done = failed = 0
    with Warehouse(pg_url).connect() as conn:
        while done < DOCUMENTS and time.perf_counter() - started < WAIT_SECONDS:
            time.sleep(1)
            done = conn.execute("SELECT count(*) FROM muni.documents WHERE status = 'extracted'").fetchone()[0]
            failed = conn.execute("SELECT count(*) FROM runs WHERE status = 'FAILURE'").fetchone()[0]
    return done, failed


def _stop(daemon: subprocess.Popen) -> None:
    try:
        os.killpg(daemon.pid, signal.SIGTERM)
        daemon.wait(timeout=60)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(daemon.pid, signal.SIGKILL)


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
