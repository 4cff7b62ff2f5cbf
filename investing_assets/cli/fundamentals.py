"""`investing ibkr-fundamentals`: one run of the IBKR fundamentals ETL without Dagster (what ibkr_fundamentals runs)."""

from __future__ import annotations

import argparse
import sys

from investing_assets import settings
from investing_assets.cli.analysis import user_errors
from investing_assets.cli.arguments import positive_int, ticker
from investing_assets.lib.core import calendar


def register(sub: argparse._SubParsersAction) -> None:
    ibkr = sub.add_parser("ibkr-fundamentals",
                          help="fetch IBKR fundamentals (reqFundamentalData) for the least recently fetched symbols "
                               "within a request budget, into fundamentals.ibkr_*")
    ibkr.add_argument("--budget", type=positive_int, default=None,
                      help="requests to send, three a symbol (default INVESTING_IBKR_FUNDAMENTALS_BUDGET, 60)")
    ibkr.add_argument("--symbols", type=ticker, nargs="+", default=None,
                      help="the symbols to rotate through (default: the stored universe)")
    ibkr.set_defaults(func=cmd_ibkr_fundamentals)


def cmd_ibkr_fundamentals(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from investing_assets.cli.common import market_sources, servers
    from investing_assets.lib.core.fundamental_reports import REPORTS
    from investing_assets.lib.services.ibkr_fundamentals import fetch_fundamentals
    from investing_assets.lib.storage.cache import HotCache
    from investing_assets.lib.storage.queries.market import universe_symbols
    from investing_assets.lib.storage.warehouse import Warehouse

    budget = args.budget or settings.ibkr_fundamentals_budget()
    today = calendar.in_new_york().date()
    with user_errors("ibkr-fundamentals"):
        source = market_sources().fundamentals()
        found = servers()
        warehouse = Warehouse(found.pg_url)
        warehouse.migrate()
        symbols = args.symbols or universe_symbols(warehouse, today)
        if not symbols:
            raise ValueError("no stored universe: pass --symbols or materialize universe first")
        asked = min(len(set(symbols)), budget // len(REPORTS)) * len(REPORTS)
        with Progress(transient=True) as progress:
            task = progress.add_task(f"{source.name} reports", total=asked)
            run = fetch_fundamentals(source, warehouse, HotCache(found.redis_url), symbols, budget=budget,
                                     today=today, progress=lambda answer: progress.advance(task))
    print(f"ibkr-fundamentals on {today.isoformat()} from {source.name}: fetched {len(run.fetched)} of "
          f"{len(run.picked)} symbols with {run.requests} of {budget} requests")
    if source.synthetic:
        print(f"  {source.disclaimer}")
    for refusal in run.refused:
        code = f" ({refusal.code})" if refusal.code is not None else ""
        print(f"  refused {refusal.symbol} {refusal.report}{code}: {refusal.reason}", file=sys.stderr)
    if run.stopped:
        print(f"  stopped asking: {run.stopped}", file=sys.stderr)
    for table, rows in run.table_rows.items():
        print(f"  {table:<32} {rows:>9,} rows ({run.new_rows.get(table, 0):,} new or rewritten)")
    return 0 if run.fetched or not run.picked else 1
