"""`investing demo`: set up everything and materialize the whole graph on the offline demo market, through
Dagster as a user would from the UI (each range a backfill of one run, each run re-executable from the UI); then
print what was built."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import time

from investing_assets import settings
from investing_assets.cli.analysis import print_summary
from investing_assets.cli.arguments import date, positive_int
from investing_assets.cli.common import environment, prepare_environment
from investing_assets.cli.muni import DEMO_SAMPLES, drop_folder, ingest_now, write_samples
from investing_assets.cli.sec import newest_week
from investing_assets.cli.selections import daily_assets
from investing_assets.cli.sessions import checked_days, checked_session
from investing_assets.cli.watchlist import update_watchlist
from investing_assets.lib.core import calendar
from investing_assets.lib.core.calendar import last_closed_session

DEMO_WATCHLIST = ("AAPL", "MSFT", "NVDA", "JBL", "UPS")
DEMO_REPORTS = ("AAPL", "JBL")
SEC_ASSETS = ["sec_filing_index", "sec_raw_facts", "sec_financials"]


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser("demo", help="set up and materialize the demo market through Dagster")
    demo.add_argument("--sessions", type=positive_int, default=60, help="sessions of quotes and indicators")
    demo.add_argument("--scan-sessions", type=positive_int, default=10, help="most recent sessions to scan")
    demo.add_argument("--end", type=date, default=None, help="last session, YYYY-MM-DD (default: the last close)")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from investing_assets.launch.launcher import DaemonBusy, Launcher
    from investing_assets.lib.analytics.indicators import lookback_sessions
    from investing_assets.lib.analytics.scanner import ScanConfig
    from investing_assets.lib.services.reports import REPORT_SESSIONS

    started = time.perf_counter()
    end = checked_session("demo", args.end) if args.end else last_closed_session()
    # enough bars stored for the reports' whole window, so they draw what `investing chart` draws from the source
    lookback = max(lookback_sessions(), ScanConfig().history_sessions, REPORT_SESSIONS - args.sessions)
    checked_days("demo", lookback + args.sessions, end,
                 option=f"--sessions {args.sessions} after a lookback of {lookback} sessions")
    recent = calendar.sessions_ending(end, args.sessions)
    scanned = recent[-min(args.scan_sessions, len(recent)):]
    history = calendar.sessions_ending(recent[0], lookback + 1)[:-1]
    env = {**os.environ, **prepare_environment()}
    steps = [
        ("history bars for the indicator and scanner lookback", ["universe", "daily_bars", "corporate_actions"],
         history),
        ("market data and indicators", [*daily_assets("market"), "indicators"], recent),
        ("market scan and correlations", daily_assets("technicals", exclude=["indicators"]), scanned),
        None,  # the week's SEC filings, which the trailing valuations of the aggregates read
        ("analyst estimates, news, industry aggregates and index valuations",
         daily_assets("fundamentals", "news"), recent),
    ]
    try:
        with environment(env), Launcher.open("investing demo") as launcher:
            for planned in steps:
                if planned is None:
                    sec_filings(launcher, end)
                    continue
                label, selection, sessions = planned
                print(f"\n== {label}: {sessions[0]} .. {sessions[-1]} ({len(sessions)} sessions) ==", flush=True)
                step(launcher, f"demo: {label}", selection, [day.isoformat() for day in sessions])
            scanner_extras(launcher, end)
            ibkr_fundamentals(launcher)
            muni_book(launcher, end)
    except DaemonBusy as busy:
        print(f"investing demo: {busy}", file=sys.stderr)
        return 1
    print()
    print_summary(env["INVESTING_PG_URL"], env["INVESTING_REDIS_URL"])
    print(f"\nDemo built in {time.perf_counter() - started:.1f} s.")
    print("Open the UI:  make dev   (then http://127.0.0.1:3000, Assets -> Lineage)")
    print(f"Materialize one more day:  . {settings.home() / 'env.sh'} && dagster asset materialize "
          f"-m investing_assets.definitions --select daily_bars --partition {end.isoformat()}")
    return 0


def step(launcher, title: str, selection: list[str], partitions: list[str] | None = None) -> None:
    """One backfill (several partitions) or run; says which, with its id to find it in the UI."""
    started = time.perf_counter()
    launched = launcher.materialize(selection, partitions, title=title)
    if not launched.succeeded:
        raise SystemExit(f"{title} failed: {launcher.failure_summary(launched)} (see the runs in the UI: make dev)")
    runs = f"{len(launched.runs)} run{'s' if len(launched.runs) > 1 else ''}"
    what = f"backfill {launched.backfill_id}, {runs}" if launched.backfill_id else f"run {next(iter(launched.runs))[:8]}"
    print(f"   done in {time.perf_counter() - started:.1f} s ({what})", flush=True)


def sec_filings(launcher, end: dt.date) -> None:
    """The week's SEC archives (the demo writes them, of EDGAR's layout), read like downloaded ones, before the
    aggregates that take trailing valuations from them."""
    week = newest_week(end)
    print(f"\n== SEC EDGAR filings (demo archives): the week of {week}, filed through "
          f"{week + dt.timedelta(days=6)} ==", flush=True)
    step(launcher, f"demo: SEC filings for the week of {week}", SEC_ASSETS, [week.isoformat()])


def scanner_extras(launcher, end: dt.date) -> None:
    """The planted ground truth, a watchlist and its grid for the day, two symbol reports."""
    print(f"\n== scanner extras: planted patterns, watchlist {', '.join(DEMO_WATCHLIST)} for {end}, "
          "technical reports ==", flush=True)
    step(launcher, "demo: planted patterns", ["demo_planted_patterns"])
    names = update_watchlist(launcher.instance, "add", list(DEMO_WATCHLIST), symbols_too=True)
    step(launcher, f"demo: watchlist grid for {end}", ["watchlist_report"], [f"{end}|{name}" for name in names])
    step(launcher, "demo: technical reports", ["technical_report"], list(DEMO_REPORTS))


def ibkr_fundamentals(launcher) -> None:
    """One day's run of the IBKR fundamentals ETL on the demo's reqFundamentalData reports: a budget's worth of the
    rotation (20 symbols at the default 60 requests), through the parsers IBKR's reports go through."""
    print("\n== IBKR fundamentals: the demo's ReportSnapshot, ReportsFinSummary and ReportsFinStatements for the "
          "rotation's first symbols ==", flush=True)
    step(launcher, "demo: IBKR fundamentals", ["ibkr_fundamentals"])


def muni_book(launcher, end: dt.date) -> None:
    """Sample reports for the sensor, read now as its runs; this month's model and the day's scores."""
    folder = drop_folder(None)
    written = write_samples(folder, DEMO_SAMPLES)
    print(f"\n== muni: {len(written)} sample reports in {folder.root} (read now, in runs as the sensor batches them; "
          "later drops are picked up by the sensor under `make dev`), the month's risk model, the day's "
          "scores ==", flush=True)
    started = time.perf_counter()
    ingested = ingest_now(launcher, logging.getLogger("muni.ingest"))
    ours = {path.relative_to(folder.root).as_posix() for path in written}
    unread = sorted(ours & set(ingested.quarantined))  # ours known from an earlier demo are not run again
    if unread or ingested.failed:  # a file of the user's own that is quarantined is its partition's business
        raise SystemExit(f"reading the sample reports failed: {', '.join(unread + ingested.failed)} "
                         f"({ingested.summary()})")
    others = f"; also quarantined, not ours: {', '.join(ingested.quarantined)}" if ingested.quarantined else ""
    print(f"   {len(ingested.extracted)} reports extracted as Dagster runs in {time.perf_counter() - started:.1f} s"
          f"{others}", flush=True)
    step(launcher, "demo: this month's muni risk model", ["muni_risk_model"], [end.replace(day=1).isoformat()])
    step(launcher, f"demo: muni risk scores for {end}", daily_assets("fixed_income"), [end.isoformat()])
