"""`investing sec ingest | reprocess`: the weekly SEC EDGAR ingest and the rebuild of the standardized financials,
without Dagster (the same services the `sec_*` assets run)."""

from __future__ import annotations

import argparse
import datetime as dt

from investing_assets import settings
from investing_assets.cli.analysis import user_errors
from investing_assets.cli.arguments import date


def register(sub: argparse._SubParsersAction) -> None:
    sec = sub.add_parser("sec", help="SEC EDGAR filings: ingest a week's archives, or rebuild the standardized "
                                     "financials from the stored facts")
    commands = sec.add_subparsers()
    ingest = commands.add_parser("ingest", help="fetch (INVESTING_SEC_SOURCE: demo or edgar) and store a week")
    ingest.add_argument("--week", type=date, default=None,
                        help="the week's Saturday, YYYY-MM-DD (default: the newest week that has ended)")
    ingest.set_defaults(func=cmd_ingest)
    reprocess = commands.add_parser("reprocess", help="rebuild fundamentals.sec_financials from stored facts only")
    reprocess.set_defaults(func=cmd_reprocess)
    sec.set_defaults(func=lambda args: sec.print_help() or 2)


def newest_week(today: dt.date) -> dt.date:
    """The Saturday starting the newest SEC week that had ended by `today` (weeks end on Saturdays at 02:00)."""
    last_saturday = today - dt.timedelta(days=(today.weekday() - 5) % 7)
    return last_saturday - dt.timedelta(days=7)


def _warehouse():
    from investing_assets.cli.common import servers
    from investing_assets.lib.storage.warehouse import Warehouse

    warehouse = Warehouse(servers().pg_url)
    warehouse.migrate()
    return warehouse


def cmd_ingest(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

    from investing_assets.lib.services.sec_ingest import (
        fetch_archives,
        ingest_facts,
        ingest_index,
        standardize,
    )

    week = args.week or newest_week(dt.date.today())
    if week.weekday() != 5:
        raise SystemExit(f"investing sec ingest: --week {week.isoformat()} is a {week:%A}; a week starts on a "
                         "Saturday")
    as_of = week + dt.timedelta(days=6)
    source = settings.sec_source()
    with user_errors("sec ingest"):
        with Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                      transient=True) as bars:
            tasks: dict[str, int] = {}

            def progress(name: str, done: int, total: int | None) -> None:
                if name not in tasks:
                    tasks[name] = bars.add_task(name, total=total)
                bars.update(tasks[name], completed=done, total=total)

            archives = fetch_archives(source, settings.sec_folder(), week, as_of,
                                      user_agent=settings.sec_user_agent(), progress=progress)
        warehouse = _warehouse()
        index = ingest_index(warehouse, archives, week)
        print(f"week of {week}: {index.tickers:,} tickers, {index.submissions.companies:,} filers, "
              f"{index.submissions.filings:,} filings ({source})")
        facts = ingest_facts(warehouse, archives, index.ciks)
        rate = f", {facts.facts / facts.seconds:,.0f} facts/s by COPY" if facts.seconds else ""
        print(f"raw facts: {facts.companies:,} companies, {facts.facts:,} facts{rate}")
        done = standardize(warehouse, index.ciks)
        print(f"standardized: {done.rows:,} rows for {done.companies:,} companies in {done.seconds:.1f} s")
    return 0


def cmd_reprocess(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from investing_assets.lib.services.sec_ingest import standardize, stored_ciks

    with user_errors("sec reprocess"):
        warehouse = _warehouse()
        ciks = stored_ciks(warehouse)
        if not ciks:
            raise SystemExit("investing sec reprocess: no raw SEC facts stored (run `investing sec ingest` first)")
        with Progress(transient=True) as bars:
            task = bars.add_task("standardizing", total=len(ciks))
            done = standardize(warehouse, ciks, progress=lambda n: bars.advance(task, n))
    print(f"standardized from stored facts (nothing downloaded): {done.rows:,} rows, {done.companies:,} companies, "
          f"{done.facts:,} facts in {done.seconds:.1f} s")
    return 0
