"""`investing ta | scan | scan evaluate | chart | summary`: the analytics without Dagster."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator

import polars as pl

from investing_assets import settings
from investing_assets.cli.arguments import date, positive_int, ticker, writable_file
from investing_assets.cli.common import bars_window, corporate_actions, servers
from investing_assets.cli.sessions import checked_days, checked_session, default_session
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.sources.http import SourceError

_SESSION_HELP = "a closed NYSE session, YYYY-MM-DD (default: the last closed session with data)"


def register(sub: argparse._SubParsersAction) -> None:
    ta = sub.add_parser("ta", help="one symbol's indicators on a session, as the indicators asset stores them")
    ta.add_argument("symbol", type=ticker)
    ta.add_argument("--session", type=date, default=None, help=_SESSION_HELP)
    ta.add_argument("--days", type=positive_int, default=1, help="sessions to print, ending at the session (default 1)")
    ta.set_defaults(func=cmd_ta)

    scan = sub.add_parser("scan", help="scan symbols for patterns and events on a session")
    scan.add_argument("--symbols", nargs="*", type=ticker, default=None, help="default: the whole universe")
    scan.add_argument("--session", type=date, default=None, help=_SESSION_HELP)
    scan.add_argument("--top", type=positive_int, default=20, help="discoveries to print (default 20)")
    scan.set_defaults(func=cmd_scan)
    evaluate = scan.add_subparsers().add_parser(
        "evaluate", help="precision and recall against the demo's planted patterns")
    evaluate.set_defaults(func=cmd_evaluate)

    chart = sub.add_parser("chart", help="write a symbol's technical chart (PNG)")
    chart.add_argument("symbol", type=ticker)
    chart.add_argument("--session", type=date, default=None, help=_SESSION_HELP)
    chart.add_argument("--out", type=writable_file, default=None, help="default: .investing/charts/SYMBOL.png")
    chart.set_defaults(func=cmd_chart)

    summary = sub.add_parser("summary", help="what the warehouse holds: rows, top movers, index levels")
    summary.set_defaults(func=cmd_summary)


@contextlib.contextmanager
def user_errors(command: str) -> Iterator[None]:
    """What a source or the data refuses (a missing file, a symbol it lacks) ends the command in one line."""
    try:
        yield
    except (BadMarketData, SourceError, ValueError) as exc:  # DatasetNotServed is a ValueError
        raise SystemExit(f"investing {command}: {exc}") from None


def cmd_ta(args: argparse.Namespace) -> int:
    from investing_assets.lib.analytics.indicators import indicators_on_windows, window_start
    from investing_assets.lib.core import calendar

    symbol = args.symbol
    with user_errors("ta"):
        end = checked_session("ta", args.session) if args.session else default_session("ta", [symbol])
        days = calendar.sessions_ending(end, checked_days("ta", args.days, end))
        # the asset's own window of each session, so the figures are the stored ones
        bars, origin = bars_window([symbol], end, len(calendar.sessions_between(window_start(days[0]), end)))
        basis = settings.price_basis()
        actions = corporate_actions(bars, origin)
        values = indicators_on_windows(bars, days, actions, basis) if bars.height else bars.clear()
    if values.filter(pl.col("session") == end).height == 0:
        print(f"no bar for {symbol} on {end.isoformat()} in the {origin}{_bars_span(bars)}", file=sys.stderr)
        return 1
    if len(days) > 1:
        _print_table(values, bars)
        return 0
    first = window_start(end)
    window = bars.filter(pl.col("session") >= first)
    close = bars.filter(pl.col("session") == end).item(0, "close")
    print(f"{symbol} on {end.isoformat()} ({window.height} of {len(calendar.sessions_between(first, end))} sessions "
          f"in its window from {first.isoformat()}, from the "
          f"{origin}; {basis} prices); close {close:.2f}")
    for name, value in values.row(0, named=True).items():
        if name in {"symbol", "session"}:
            continue
        print(f"  {name:<12} {'n/a (window too short)' if value is None else f'{value:,.4f}'}")
    return 0


def _bars_span(bars: pl.DataFrame) -> str:
    """Where the symbol's bars stop before the asked session (a delisted symbol's last session)."""
    if bars.height == 0:
        return ""
    return f" (its last bar up to then is on {bars.get_column('session').max().isoformat()})"


def _print_table(values: pl.DataFrame, bars: pl.DataFrame) -> None:
    """One row per session: the close and every indicator (blank where the window is too short)."""
    table = values.join(bars.select("session", "close"), on="session", how="left").drop("symbol")
    names = [c for c in table.columns if c not in {"session", "close"}]
    print("session     " + " ".join(f"{c:>12}" for c in ["close", *names]))
    for row in table.sort("session").iter_rows(named=True):
        cells = ["" if row[c] is None else f"{row[c]:,.4f}" for c in ["close", *names]]
        print(f"{row['session'].isoformat()}  " + " ".join(f"{c:>12}" for c in cells))


def cmd_scan(args: argparse.Namespace) -> int:
    from investing_assets.lib.analytics.scanner import ScanConfig, scan_day

    symbols = args.symbols or None
    with user_errors("scan"):
        session = checked_session("scan", args.session) if args.session else default_session("scan", symbols)
        config = ScanConfig(basis=settings.price_basis())
        bars, origin = bars_window(symbols, session, config.history_sessions)
        result = scan_day(bars, None, session, config, corporate_actions(bars, origin))
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
    """The detectors against the demo's planted formations, their unplanted twin, and pure random walks."""
    from investing_assets.lib.analytics.pattern_evaluation import (
        NOISE_TARGET,
        PRECISION_TARGET,
        RECALL_TARGET,
        planted_quality,
        random_walk_quality,
    )
    from investing_assets.lib.synthetic.source import DemoSource

    source = DemoSource()
    planted = planted_quality(source.planted_patterns(), source.daily_bars,
                              DemoSource(source.seed, plant_patterns=False).daily_bars)
    for row in planted.recall:
        print(_figure(row.meets_recall_target, f"planted demo recall >= 3 ATR, {row.family}", row.recall_large or 0.0,
                      "", f">= {RECALL_TARGET}",
                      f"{row.recalled_large}/{row.planted_large} found; all amplitudes {row.recall or 0:.2f}"))
        print(_figure(row.meets_precision_target, f"planted demo precision, {row.family}", row.precision or 0.0,
                      "", f">= {PRECISION_TARGET}",
                      f"every detection on the planted symbols; in planted windows only "
                      f"{row.precision_in_windows or 0:.2f}"))
    for rate in planted.noise:
        print(_figure(rate.meets_target, f"planted demo false detections on noise, {rate.family}",
                      rate.per_symbol_year, "per symbol-year", f"<= {NOISE_TARGET}",
                      f"{rate.detections} in {planted.symbols} unplanted symbols x {planted.sessions:,} sessions"))
    walks = random_walk_quality()
    worst = walks.worst_noise
    print(_figure(worst.meets_target, f"random walks: false detections, worst family ({worst.family})",
                  worst.per_symbol_year, "per symbol-year", f"<= {NOISE_TARGET}",
                  f"{walks.walks} GARCH walks x {walks.sessions:,} sessions; all families together "
                  f"{walks.all_families:.2f}"))
    return 0


def _figure(ok: bool, name: str, value: float, unit: str, target: str, detail: str) -> str:
    return f"[{'ok  ' if ok else 'MISS'}] {name}: {value:,.3f} {unit} (target {target}) {detail}".rstrip()


def cmd_chart(args: argparse.Namespace) -> int:
    from investing_assets.lib.charts import save_png
    from investing_assets.lib.services.reports import REPORT_SESSIONS, technical_report
    symbol = args.symbol
    with user_errors("chart"):
        session = checked_session("chart", args.session) if args.session else default_session("chart", [symbol])
        # the report's whole window (shown sessions plus the indicators' lookback), as the report assets read it
        bars, origin = bars_window([symbol], session, REPORT_SESSIONS)
    if bars.filter((pl.col("symbol") == symbol) & (pl.col("session") == session)).height == 0:
        print(f"no bar for {symbol} on {session} in the {origin}{_bars_span(bars)}", file=sys.stderr)
        return 1
    report = technical_report(symbol, bars, session, corporate_actions(bars, origin), settings.price_basis(),
                              data_note=settings.market_routes().synthetic_note(Dataset.BARS))
    target = args.out or settings.charts_folder() / f"{symbol}.png"
    try:
        out = save_png(report.png, target)
    except OSError as exc:
        raise SystemExit(f"investing chart: cannot write {target}: {exc.strerror or exc}") from None
    print(f"{out} ({symbol} to {report.as_of}, {report.basis} prices, bars from the {origin}; "
          f"{report.patterns.height} patterns, {report.events.height} events)")
    print(f"  {report.window.describe()}")
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    print_summary(servers().pg_url, servers().redis_url)
    return 0


def print_summary(pg_url: str, redis_url: str) -> None:
    from investing_assets.lib.services.summary import summarize
    from investing_assets.lib.storage.cache import HotCache
    from investing_assets.lib.storage.warehouse import Warehouse

    print(summarize(Warehouse(pg_url), HotCache(redis_url), counted_tables(),
                    data_note=settings.market_routes().synthetic_note()).render())


def counted_tables() -> dict[str, str]:
    """Label -> table for the summary's row counts, from the graph: assets sharing a table share a line."""
    from investing_assets.cli.selections import asset_tables

    by_table: dict[str, list[str]] = {}
    for asset, table in asset_tables().items():
        by_table.setdefault(table, []).append(asset)
    return {"/".join(assets): table for table, assets in by_table.items()}
