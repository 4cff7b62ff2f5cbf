"""`investing services | db | dev`: the servers (yours or embedded), the schema, and the Dagster UI."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from investing_assets import settings
from investing_assets.cli.arguments import port
from investing_assets.cli.common import prepare_environment, servers
from investing_assets.launch.home_lock import HomeLock, LockHeld
from investing_assets.lib.storage.warehouse import Warehouse


def register(sub: argparse._SubParsersAction) -> None:
    services = sub.add_parser("services", help="PostgreSQL and Redis: from the environment or embedded")
    services_sub = services.add_subparsers()
    services_sub.add_parser("up", help="start what is missing, write .investing/env.sh").set_defaults(
        func=cmd_services_up)
    services_sub.add_parser("stop", help="stop the embedded servers").set_defaults(func=cmd_services_stop)

    db = sub.add_parser("db", help="warehouse schema")
    db.add_subparsers().add_parser("migrate", help="apply the schema files (idempotent)").set_defaults(
        func=cmd_db_migrate)

    dev = sub.add_parser("dev", help="dagster dev on 127.0.0.1 with the PostgreSQL instance, and the read API")
    dev.add_argument("--port", type=port, default=3000, help="the UI's port on 127.0.0.1 (default 3000)")
    dev.add_argument("--api-port", type=port, default=8000,
                     help="the read API's port on 127.0.0.1 (default 8000; `investing serve`)")
    dev.set_defaults(func=cmd_dev)


def cmd_services_up(args: argparse.Namespace) -> int:
    prepare_environment()
    print(f"Environment written to {settings.home() / 'env.sh'} (source it to use these servers).")
    return 0


def cmd_services_stop(args: argparse.Namespace) -> int:
    from investing_assets.lib.storage import embedded

    embedded.stop(settings.home())
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    applied = Warehouse(servers().pg_url).migrate()
    print(f"applied {len(applied)} schema file(s): {', '.join(applied)}")
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    """`dagster dev` as a child under the home's daemon lock (a second one on the same home would start a
    second daemon that cannot bind the port and fills both logs with heartbeat errors), and the read API
    (`investing serve`) beside it, stopped when Dagster stops."""
    try:
        with HomeLock(settings.home(), "daemon").held("investing dev"):
            embedded = not settings.pg_url() or not settings.redis_url()
            env = {**os.environ, **prepare_environment(), "INVESTING_DAGSTER_UI_URL": f"http://127.0.0.1:{args.port}"}
            dagster = str(Path(sys.executable).with_name("dagster"))
            api = subprocess.Popen([sys.executable, "-m", "investing_assets.cli", "serve", "--port",
                                    str(args.api_port)], env=env, cwd=settings.PROJECT_ROOT)
            print(f"Read API on http://127.0.0.1:{args.api_port}/docs, dashboard on "
                  f"http://127.0.0.1:{args.api_port}/dashboard")
            try:
                code = run_child([dagster, "dev", "-h", "127.0.0.1", "-p", str(args.port), "-w", "workspace.yaml"],
                                 env)
            finally:
                stop_child(api)
    except LockHeld as held:
        hint = "use that one, or stop it first" if held.what == "investing dev" else "let it finish first"
        print(f"investing dev: a Dagster daemon already runs for {settings.home()} (pid {held.pid}: {held.what}); "
              f"{hint}", file=sys.stderr)
        return 1
    if embedded:
        print(f"Dagster stopped. The embedded PostgreSQL / Redis under {settings.home()} keep running for the next "
              "`make dev` or `make demo`: stop them with `investing services stop` (or `make clean`, which also "
              "deletes their data).")
    return code


def run_child(command: list[str], env: dict[str, str]) -> int:
    """Run until the child exits; Ctrl-C reaches it through the terminal, SIGTERM is passed on."""
    child = subprocess.Popen(command, env=env, cwd=settings.PROJECT_ROOT)
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:  # the child got the same SIGINT: wait for its own shutdown
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_child(child: subprocess.Popen, timeout_s: float = 10.0) -> None:
    """Ask a child to stop (it may have stopped already, on the terminal's Ctrl-C), kill it if it will not."""
    if child.poll() is None:
        child.terminate()
    try:
        child.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
