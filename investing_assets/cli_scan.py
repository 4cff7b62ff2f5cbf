"""`investing scan` and `investing chart`: the scanner and the technical report without Dagster."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import polars as pl

from investing_assets import settings
from investing_assets.lib.core import calendar
from investing_assets.lib.core.symbols import check_symbol


def register(subparsers: argparse._SubParsersAction) -> None:
    scan = subparsers.add_parser("scan", help="scan symbols for patterns and events on a session")
    scan.add_argument("--symbols", nargs="*", default=None, help="default: the whole universe")
    scan.add_argument("--session", type=dt.date.fromisoformat, default=None, help="default: the last close")
    scan.add_argument("--top", type=int, default=20)
    scan.set_defaults(func=cmd_scan)
    scan_sub = scan.add_subparsers()
    evaluate = scan_sub.add_parser("evaluate", help="precision and recall against the demo's planted patterns")
    evaluate.set_defaults(func=cmd_evaluate)

    chart = subparsers.add_parser("chart", help="write a symbol's technical chart (PNG)")
    chart.add_argument("symbol")
    chart.add_argument("--session", type=dt.date.fromisoformat, default=None, help="as of (default: last close)")
    chart.add_argument("--out", type=Path, default=None, help="default: .investing/charts/SYMBOL.png")
    chart.set_defaults(func=cmd_chart)

    watch = subparsers.add_parser("watchlist", help="the deep-dive grid's symbols (Dagster dynamic partitions)")
    watch.add_argument("action", choices=["add", "remove", "list"])
    watch.add_argument("symbols", nargs="*")
    watch.add_argument("--symbols-too", action="store_true", help="also make sure they are `symbol` partitions")
    watch.set_defaults(func=cmd_watchlist)


def _bars(symbols: list[str] | None, end: dt.date, sessions: int) -> tuple[pl.DataFrame, str]:
    """From the warehouse when it holds the window, else straight from the market source."""
    from investing_assets.cli import market_source
    from investing_assets.lib.storage.queries.market import read_bars_window

    if settings.pg_url():
        import psycopg

        from investing_assets.lib.storage.warehouse import Warehouse

        try:
            bars, _ = read_bars_window(Warehouse(settings.pg_url()), end, end, sessions - 1, symbols)
            if bars.height and bars.get_column("session").max() == end:
                return bars, "warehouse"
        except psycopg.Error as exc:
            print(f"warehouse unavailable ({exc.__class__.__name__}); asking the source", file=sys.stderr)
    source = market_source()
    return source.daily_bars(calendar.sessions_ending(end, sessions), symbols), f"source {source.name}"


def cmd_scan(args: argparse.Namespace) -> int:
    from investing_assets.lib.analytics.scanner import ScanConfig, scan_day
    from investing_assets.lib.core.calendar import last_closed_session

    symbols = [check_symbol(s.upper()) for s in args.symbols] if args.symbols else None
    session = args.session or last_closed_session()
    config = ScanConfig()
    bars, origin = _bars(symbols, session, config.history_sessions)
    result = scan_day(bars, None, session, config)
    print(f"Scan of {session} ({bars.get_column('symbol').n_unique()} symbols from the {origin}): "
          f"{result.scanned} eligible, {result.discoveries.height} discoveries")
    for row in result.discoveries.head(args.top).iter_rows(named=True):
        target = f" target {row['target']:.2f}" if row["target"] is not None else ""
        print(f"  {row['symbol']:<7} {row['kind']:<6} {row['pattern']:<28} {row['direction']:<8} "
              f"level {row['level']:>9.2f}{target}  confidence {row['confidence']:.2f}")
    skipped = result.eligibility.filter(~pl.col("eligible"))
    for row in skipped.head(10).iter_rows(named=True):
        print(f"  skipped {row['symbol']}: {row['reason']}")
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from investing_assets.lib.analytics.pattern_evaluation import (
        NOISE_TARGET,
        RECALL_TARGET,
        planted_quality,
        random_walk_quality,
    )
    from investing_assets.lib.sources.demo import DemoSource

    def line(ok: bool, name: str, value: float, unit: str, target: str, detail: str) -> str:
        return f"[{'ok  ' if ok else 'MISS'}] {name}: {value:,.3f} {unit} (target {target}) {detail}".rstrip()

    source = DemoSource()
    planted = planted_quality(source.planted_patterns(), source.daily_bars,
                              DemoSource(source.seed, plant_patterns=False).daily_bars)
    for row in planted.recall:
        print(line(row.meets_target, f"planted demo recall >= 3 ATR, {row.family}", row.recall_large or 0.0,
                   "", f">= {RECALL_TARGET}",
                   f"{row.recalled_large}/{row.planted_large} found; all amplitudes {row.recall or 0:.2f}; "
                   f"precision {row.precision or 0:.2f} (in planted windows {row.precision_in_windows or 0:.2f})"))
    for rate in planted.noise:
        print(line(rate.meets_target, f"planted demo false detections on noise, {rate.family}",
                   rate.per_symbol_year, "per symbol-year", f"<= {NOISE_TARGET}",
                   f"{rate.detections} in {planted.symbols} unplanted symbols x {planted.sessions:,} sessions"))
    walks = random_walk_quality()
    worst = walks.worst_noise
    print(line(worst.meets_target, f"random walks: false detections, worst family ({worst.family})",
               worst.per_symbol_year, "per symbol-year", f"<= {NOISE_TARGET}",
               f"{walks.walks} GARCH walks x {walks.sessions:,} sessions; all families together "
               f"{walks.all_families:.2f}"))
    return 0


def cmd_watchlist(args: argparse.Namespace) -> int:
    """Needs DAGSTER_HOME (`. .investing/env.sh`): the partitions live in the Dagster instance."""
    import dagster as dg

    symbols = [check_symbol(s.upper()) for s in args.symbols]
    with dg.DagsterInstance.get() as instance:
        current = set(instance.get_dynamic_partitions("watchlist"))
        if args.action == "add":
            instance.add_dynamic_partitions("watchlist", sorted(set(symbols) - current))
            if args.symbols_too:
                known = set(instance.get_dynamic_partitions("symbol"))
                instance.add_dynamic_partitions("symbol", sorted(set(symbols) - known))
        elif args.action == "remove":
            for name in set(symbols) & current:
                instance.delete_dynamic_partition("watchlist", name)
        print(" ".join(sorted(instance.get_dynamic_partitions("watchlist"))) or "(empty watchlist)")
    return 0


def cmd_chart(args: argparse.Namespace) -> int:
    from investing_assets.lib.core.calendar import last_closed_session
    from investing_assets.lib.services.reports import SHOWN_SESSIONS, technical_report

    symbol = check_symbol(args.symbol.upper())
    session = args.session or last_closed_session()
    bars, origin = _bars([symbol], session, SHOWN_SESSIONS + 300)
    report = technical_report(symbol, bars, session)
    out = args.out or settings.home() / "charts" / f"{symbol}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(report.png)
    print(f"{out} ({symbol} to {session}, bars from the {origin}; {report.patterns.height} patterns, "
          f"{report.events.height} events)")
    return 0


DEMO_WATCHLIST = ("AAPL", "MSFT", "NVDA", "JBL", "UPS")


def demo(env: dict[str, str], end: dt.date, materialize) -> None:
    """The demo's scanner extras: the planted ground truth, a watchlist, its grid for the day, two reports."""
    import subprocess

    print(f"\n== scanner extras: planted patterns, watchlist {', '.join(DEMO_WATCHLIST)} for {end}, "
          "technical reports ==", flush=True)
    materialize(["demo_planted_patterns"], None, None, env)
    subprocess.run([sys.executable, "-m", "investing_assets.cli", "watchlist", "add", *DEMO_WATCHLIST, "--symbols-too"],
                   env=env, check=True, cwd=settings.PROJECT_ROOT, capture_output=True)
    names = sorted(DEMO_WATCHLIST)
    materialize(["watchlist_report"], f"{end}|{names[0]}", f"{end}|{names[-1]}", env)
    for symbol in ("AAPL", "JBL"):
        materialize(["technical_report"], symbol, symbol, env)
