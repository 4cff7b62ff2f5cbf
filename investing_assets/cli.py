"""`investing`: every service without Dagster, plus the demo and dev launchers."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from investing_assets import settings
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import servers as servers_mod
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse

MARKET_ASSETS = ["universe", "index_constituents", "daily_bars", "index_quotes", "etf_quotes",
                 "commodity_quotes", "crypto_quotes"]
SCAN_ASSETS = ["candlestick_patterns", "chart_patterns", "technical_events", "scan_results", "correlations"]


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="investing", description=__doc__)
    sub = parser.add_subparsers()

    services = sub.add_parser("services", help="PostgreSQL and Redis: from the environment or embedded")
    services_sub = services.add_subparsers()
    up = services_sub.add_parser("up", help="start what is missing, write .investing/env.sh")
    up.set_defaults(func=cmd_services_up)
    stop = services_sub.add_parser("stop", help="stop the embedded servers")
    stop.set_defaults(func=cmd_services_stop)

    db = sub.add_parser("db", help="warehouse schema")
    db_sub = db.add_subparsers()
    migrate = db_sub.add_parser("migrate", help="apply sql/ (idempotent)")
    migrate.set_defaults(func=cmd_db_migrate)

    ta = sub.add_parser("ta", help="indicators for one symbol, without Dagster")
    ta.add_argument("symbol")
    ta.add_argument("--days", type=int, default=250, help="sessions of history to compute over")
    ta.add_argument("--session", type=dt.date.fromisoformat, default=None, help="last session (default: latest)")
    ta.set_defaults(func=cmd_ta)

    demo = sub.add_parser("demo", help="set up and materialize the demo market through Dagster")
    demo.add_argument("--sessions", type=int, default=60, help="sessions of quotes and indicators")
    demo.add_argument("--scan-sessions", type=int, default=10, help="most recent sessions to scan")
    demo.add_argument("--end", type=dt.date.fromisoformat, default=None, help="last session (default: last close)")
    demo.set_defaults(func=cmd_demo)

    summary = sub.add_parser("summary", help="what the warehouse holds: rows, top movers, index levels")
    summary.set_defaults(func=cmd_summary)

    dev = sub.add_parser("dev", help="dagster dev on 127.0.0.1 with the PostgreSQL instance")
    dev.add_argument("--port", type=int, default=3000)
    dev.set_defaults(func=cmd_dev)

    from investing_assets import cli_muni, cli_scan

    cli_muni.register(sub)
    cli_scan.register(sub)
    return parser


# -- services -------------------------------------------------------------------------------------------------
def _servers() -> servers_mod.Servers:
    return servers_mod.resolve(settings.home(), settings.pg_url(), settings.redis_url())


def prepare_environment() -> dict[str, str]:
    """Servers up, schema applied, DAGSTER_HOME with dagster.yaml; returns the env for child processes."""
    home = settings.home()
    found = _servers()
    env = found.env(home)
    dagster_home = Path(env["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.PROJECT_ROOT / "dagster.yaml", dagster_home / "dagster.yaml")
    servers_mod.write_env_file(home / "env.sh", env)
    Warehouse(found.pg_url).migrate()
    origin = lambda embedded: "embedded" if embedded else "from the environment"  # noqa: E731
    print(f"PostgreSQL {origin(found.pg_embedded)}: {_redact(found.pg_url)}")
    print(f"Redis      {origin(found.redis_embedded)}: {found.redis_url}")
    return env


def cmd_services_up(args: argparse.Namespace) -> int:
    prepare_environment()
    print(f"Environment written to {settings.home() / 'env.sh'} (source it to use these servers).")
    return 0


def cmd_services_stop(args: argparse.Namespace) -> int:
    from investing_assets.lib.storage import embedded

    embedded.stop(settings.home())
    return 0


def cmd_db_migrate(args: argparse.Namespace) -> int:
    found = _servers()
    applied = Warehouse(found.pg_url).migrate()
    print(f"applied {len(applied)} schema file(s): {', '.join(applied)}")
    return 0


def market_source():
    """The configured source, with the same settings the Dagster resource reads."""
    from investing_assets.lib.services.sources import make_source

    return make_source(settings.market_source(), csv_folder=settings.csv_folder(),
                       fmp_api_key=settings.fmp_api_key())


# -- analytics without Dagster ----------------------------------------------------------------------------------
def cmd_ta(args: argparse.Namespace) -> int:
    from investing_assets.lib.core.calendar import last_closed_session
    from investing_assets.lib.core.symbols import check_symbol
    from investing_assets.lib.services.indicators import latest_indicators
    from investing_assets.lib.storage.queries.market import read_bars_window

    symbol = check_symbol(args.symbol.upper())
    end = args.session or last_closed_session()
    bars = None
    if settings.pg_url():  # a configured warehouse is the first place to look
        try:
            bars, _ = read_bars_window(Warehouse(settings.pg_url()), end, end, args.days - 1, [symbol])
            origin = "warehouse"
        except psycopg.Error as exc:
            print(f"warehouse unavailable ({exc.__class__.__name__}); asking the source", file=sys.stderr)
    if bars is None or bars.height < args.days:
        sessions = calendar.sessions_ending(end, args.days)
        bars = market_source().daily_bars(sessions, [symbol])
        origin = f"source {settings.market_source()}"
    if bars.height == 0:
        print(f"no bars for {symbol}", file=sys.stderr)
        return 1
    values = latest_indicators(bars)
    last = bars.sort("session").tail(1).row(0, named=True)
    print(f"{symbol} on {values['session']} ({bars.height} sessions from the {origin}); close {last['close']:.2f}")
    for name, value in values.items():
        if name in {"symbol", "session"}:
            continue
        print(f"  {name:<12} {'n/a (warm-up)' if value is None else f'{value:,.4f}'}")
    return 0


# -- demo -----------------------------------------------------------------------------------------------------
def cmd_demo(args: argparse.Namespace) -> int:
    from investing_assets import cli_muni, cli_scan
    from investing_assets.lib.analytics.indicators import lookback_sessions
    from investing_assets.lib.analytics.scanner import ScanConfig
    from investing_assets.lib.core.calendar import last_closed_session

    started = time.perf_counter()
    env = {**os.environ, **prepare_environment()}
    end = args.end or last_closed_session()
    recent = calendar.sessions_ending(end, args.sessions)
    scanned = recent[-min(args.scan_sessions, len(recent)):]
    lookback = max(lookback_sessions(), ScanConfig().history_sessions)
    history = calendar.sessions_ending(recent[0], lookback + 1)[:-1]
    steps = [
        ("history bars for the indicator and scanner lookback", ["universe", "daily_bars"], history),
        ("market data and indicators", [*MARKET_ASSETS, "indicators"], recent),
        ("market scan and correlations", [*SCAN_ASSETS], scanned),
        ("analyst estimates, news, industry aggregates and index valuations",
         ["analyst_estimates", "news_articles", "industry_aggregates", "index_valuations"], recent),
    ]
    for label, selection, sessions in steps:
        print(f"\n== {label}: {sessions[0]} .. {sessions[-1]} ({len(sessions)} sessions, one run) ==", flush=True)
        step_start = time.perf_counter()
        _materialize(selection, sessions[0], sessions[-1], env)
        print(f"   done in {time.perf_counter() - step_start:.1f} s", flush=True)
    cli_scan.demo(env, end, _materialize)
    cli_muni.demo(env, end, _materialize)
    _print_summary(env)
    print(f"\nDemo built in {time.perf_counter() - started:.1f} s.")
    print("Open the UI:  make dev   (then http://127.0.0.1:3000, Assets -> Lineage)")
    print(f"Materialize one more day:  . {settings.home() / 'env.sh'} && dagster asset materialize "
          f"-m investing_assets.definitions --select daily_bars --partition {end.isoformat()}")
    return 0


def materialize_command(selection: list[str], first: dt.date | str | None, last: dt.date | str | None) -> list[str]:
    """`dagster asset materialize` for a partition, a range (one run), or an unpartitioned asset."""
    command = [
        str(Path(sys.executable).with_name("dagster")), "asset", "materialize",
        "-m", "investing_assets.definitions", "--select", ",".join(selection),
    ]
    first, last = (d.isoformat() if isinstance(d, dt.date) else d for d in (first, last))
    if first is not None:
        command += ["--partition", first] if first == last else ["--partition-range", f"{first}...{last}"]
    return command


def _materialize(selection: list[str], first: dt.date | str | None, last: dt.date | str | None,
                 env: dict[str, str]) -> None:
    result = subprocess.run(materialize_command(selection, first, last), env=env, cwd=settings.PROJECT_ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"dagster asset materialize failed for {selection}")


def _print_summary(env: dict[str, str]) -> None:
    from investing_assets.lib.services.summary import summarize

    print()
    print(summarize(Warehouse(env["INVESTING_PG_URL"]), HotCache(env["INVESTING_REDIS_URL"])).render())


def cmd_summary(args: argparse.Namespace) -> int:
    found = _servers()
    from investing_assets.lib.services.summary import summarize

    print(summarize(Warehouse(found.pg_url), HotCache(found.redis_url)).render())
    return 0


def cmd_dev(args: argparse.Namespace) -> int:
    env = {**os.environ, **prepare_environment()}
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.chdir(settings.PROJECT_ROOT)
    os.execve(dagster, [dagster, "dev", "-h", "127.0.0.1", "-p", str(args.port), "-w", "workspace.yaml"], env)


def _redact(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


if __name__ == "__main__":
    raise SystemExit(main())
