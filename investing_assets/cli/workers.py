"""`investing workers up | status | stop`: Celery workers that run Dagster steps (INVESTING_EXECUTOR=celery).

Each worker is dagster-celery's (`dagster-celery worker start`), one task at a time, in its own process group
under `<home>/workers/` (its pid and log), listening on the broker the runs submit to: the project's Redis unless
INVESTING_CELERY_BROKER names another. Workers on other machines start the same way against the same broker,
PostgreSQL and code; see the README's deployment section.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from investing_assets import settings
from investing_assets.cli.arguments import whole_number
from investing_assets.cli.common import prepare_environment

WORKER_PREFIX = "investing-worker"
READY_TIMEOUT_S = 120.0


def register(sub: argparse._SubParsersAction) -> None:
    workers = sub.add_parser("workers", help="Celery workers for INVESTING_EXECUTOR=celery runs")
    workers_sub = workers.add_subparsers()
    up = workers_sub.add_parser("up", help="start workers (in the background) and wait until they answer")
    up.add_argument("--count", type=whole_number(1, 64), default=2, help="worker processes (default 2)")
    up.set_defaults(func=cmd_workers_up)
    workers_sub.add_parser("status", help="the workers that answer on the broker").set_defaults(func=cmd_workers_status)
    workers_sub.add_parser("stop", help="stop the workers started from this home").set_defaults(func=cmd_workers_stop)


def folder() -> Path:
    return settings.home() / "workers"


def _app(env: dict[str, str]):
    """A Celery app on the runs' broker, to ask which workers answer."""
    from dagster_celery.make_app import make_app

    url = _broker(env)
    return make_app({"broker": url, "backend": url, "include": []})


def _broker(env: dict[str, str]) -> str:
    from investing_assets.cli.common import environment
    from investing_assets.defs.shared.executors import broker_url

    with environment(env):
        return broker_url()


def answering(env: dict[str, str], timeout_s: float = 1.0) -> list[str]:
    """Hostnames of the workers that answer a ping on the broker."""
    replies = _app(env).control.ping(timeout=timeout_s) or []
    return sorted(name for reply in replies for name in reply)


def _config_yaml(env: dict[str, str]) -> Path:
    """The executor block dagster-celery's worker reads (the same broker and backend the runs use)."""
    url = _broker(env)
    path = folder() / "celery.yaml"
    path.write_text(f"execution:\n  config:\n    broker: '{url}'\n    backend: '{url}'\n"
                    f"    config_source:\n      task_acks_late: true\n", encoding="utf-8")
    return path


def start(env: dict[str, str], count: int) -> list[str]:
    """Start `count` workers not already running from this home; returns their names."""
    folder().mkdir(parents=True, exist_ok=True)
    config = _config_yaml(env)
    bin_dir = Path(sys.executable).parent
    exe = str(bin_dir / "dagster-celery")
    env = {**env, "PATH": f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"}  # it starts `celery` from PATH
    names = []
    for i in range(1, count + 1):
        name = f"{WORKER_PREFIX}-{i}"
        names.append(name)
        if _running(name):
            continue
        log = open(folder() / f"{name}.log", "ab")  # noqa: SIM115 - the child keeps it
        child = subprocess.Popen(
            [exe, "worker", "start", "-A", "dagster_celery.app", "-y", str(config), "-n", name, "-l", "INFO",
             "--", "--concurrency=1", "--without-gossip", "--without-mingle"],
            env=env, cwd=settings.PROJECT_ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT,
        )
        (folder() / f"{name}.pid").write_text(str(child.pid), encoding="utf-8")
    return names


def wait_until_answering(env: dict[str, str], names: list[str], timeout_s: float = READY_TIMEOUT_S) -> list[str]:
    deadline = time.monotonic() + timeout_s
    while True:
        up = answering(env)
        missing = [n for n in names if not any(h.startswith(f"{n}@") for h in up)]
        if not missing:
            return up
        dead = [n for n in missing if not _running(n)]
        if dead or time.monotonic() > deadline:
            why = "exited" if dead else f"did not answer within {timeout_s:.0f} s"
            raise SystemExit(f"investing workers: {', '.join(dead or missing)} {why} (see {folder()}/<name>.log)")
        time.sleep(0.5)


def _pid(name: str) -> int | None:
    path = folder() / f"{name}.pid"
    try:
        return int(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _running(name: str) -> bool:
    pid = _pid(name)
    if pid is None:
        return False
    try:
        os.killpg(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def stop(timeout_s: float = 30.0) -> list[str]:
    """Warm shutdown (SIGTERM: a worker finishes its task first) of every worker started from this home."""
    stopped = []
    for path in sorted(folder().glob(f"{WORKER_PREFIX}-*.pid")):
        name, pid = path.stem, _pid(path.stem)
        if pid is not None and _running(name):
            os.killpg(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout_s
            while _running(name) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _running(name):
                os.killpg(pid, signal.SIGKILL)
            stopped.append(name)
        path.unlink(missing_ok=True)
    return stopped


def cmd_workers_up(args: argparse.Namespace) -> int:
    env = {**os.environ, **prepare_environment()}
    names = start(env, args.count)
    up = wait_until_answering(env, names)
    print(f"{len(names)} worker(s) answering on {folder()}: {', '.join(up)}")
    if settings.executor() != "celery":
        print("Runs use them when INVESTING_EXECUTOR=celery is set for the run (and the daemon, for schedules).")
    return 0


def cmd_workers_status(args: argparse.Namespace) -> int:
    env = {**os.environ, **prepare_environment()}
    up = answering(env)
    print(f"{len(up)} worker(s) answering: {', '.join(up)}" if up else "no worker answers on the broker")
    return 0


def cmd_workers_stop(args: argparse.Namespace) -> int:
    stopped = stop()
    print(f"stopped {', '.join(stopped)}" if stopped else f"no worker was running from {folder()}")
    return 0
