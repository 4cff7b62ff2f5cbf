"""What the benches that time a Dagster run share: the environment of a run on a fresh database, the
`dagster asset materialize` command, a child process timed to its end, and where its memory went by step."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from investing_assets import settings
from investing_assets.lib.storage.servers import to_psycopg2_url

START = "2014-01-02"  # INVESTING_START: the trading_day partitions must reach back ten years and a lookback
SAMPLE_SECONDS = 0.2


@dataclass
class ChildRun:
    """A finished child: wall time, peak RSS (the kernel's, so no sample can miss it), CPU seconds, and its
    sampled resident memory over time (for the peak of each step)."""

    wall: float
    peak: int
    cpu: float
    samples: list[tuple[float, int]] = field(default_factory=list)  # (epoch seconds, bytes)

    def peaks_between(self, windows: dict[str, tuple[float, float]]) -> dict[str, int]:
        """The sampled peak inside each named window (epoch seconds); a window too short to sample is left out."""
        found = {}
        for name, (begun, ended) in windows.items():
            inside = [rss for at, rss in self.samples if begun <= at <= ended]
            if inside:
                found[name] = max(inside)
        return found


def dagster_env(scratch: Path, pg_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """A Dagster instance of its own (in `pg_url`'s database), as every run launcher starts one."""
    home = scratch / "dagster"
    home.mkdir()
    shutil.copyfile(settings.DAGSTER_YAML, home / "dagster.yaml")
    return {**os.environ, "DAGSTER_HOME": str(home), "INVESTING_HOME": str(scratch / "home"),
            "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url,
            "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url), "DAGSTER_EVENT_BATCH_SIZE": "1000",
            "INVESTING_START": START, **extra}


def materialize(selection: list[str], first: dt.date, last: dt.date) -> list[str]:
    from investing_assets.cli.common import materialize_command

    return materialize_command(selection, first, last)


def child(command: list[str], env: dict[str, str], log: Path, sample: bool = False) -> ChildRun:
    """Run a child to its end with its output in `log` (never a pipe nobody reads): its wall time, peak RSS and
    CPU seconds (its own, not PostgreSQL's: on a shared machine the CPU says what the wall time cannot);
    `sample`: its resident memory every SAMPLE_SECONDS too."""
    started = time.perf_counter()
    samples: list[tuple[float, int]] = []
    with log.open("w") as out:
        process = subprocess.Popen(command, env=env, cwd=settings.PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT)
        done = threading.Event()
        sampler = threading.Thread(target=_sample, args=(process.pid, samples, done), daemon=True)
        if sample:
            sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        done.set()
        process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} failed ({process.returncode}):\n{log.read_text()[-3000:]}")
    return ChildRun(wall, usage.ru_maxrss * 1024, usage.ru_utime + usage.ru_stime, samples)  # ru_maxrss: KB


def _sample(pid: int, samples: list[tuple[float, int]], done: threading.Event) -> None:
    status = Path(f"/proc/{pid}/status")
    while not done.wait(SAMPLE_SECONDS):
        try:
            text = status.read_text()
        except OSError:
            return
        for line in text.splitlines():
            if line.startswith("VmRSS:"):
                samples.append((time.time(), int(line.split()[1]) * 1024))
                break


def last_run_started(pg_url: str) -> float:
    with psycopg.connect(pg_url) as conn:
        return conn.execute("SELECT start_time FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]


def step_windows(pg_url: str) -> dict[str, tuple[float, float]]:
    """Each step of the newest run: (start, end) in epoch seconds, from its event log (the in-process executor runs
    one step at a time, so the windows do not overlap)."""
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT step_key, dagster_event_type, timestamp FROM event_logs WHERE run_id = "
            "(SELECT run_id FROM runs ORDER BY id DESC LIMIT 1) AND step_key IS NOT NULL AND dagster_event_type IN "
            "('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') ORDER BY id").fetchall()
    begun: dict[str, float] = {}
    windows: dict[str, tuple[float, float]] = {}
    for step, kind, at in rows:
        epoch = at.replace(tzinfo=dt.UTC).timestamp()  # stored as naive UTC
        if kind == "STEP_START":
            begun[step] = epoch
        elif step in begun:
            windows[step] = (begun[step], epoch)
    return windows
