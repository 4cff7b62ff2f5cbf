"""Bench: a ten-year backfill of every market asset plus indicators through Dagster, against the same work without
Dagster, both on fresh databases in the same run (issue 16), and `make demo` on a fresh home.

The backfill is 2,803 sessions (ten years of 252 plus the indicators' 283-session lookback) of the 508 demo
symbols, one `dagster asset materialize --partition-range` run (the eight market assets, the five quote assets
among them, plus indicators), wall time with process start. The baseline runs the lib functions those assets call
(the writes, the check queries, the row counts read back for each partition) in one plain Python process over the
same sessions. Targets: at most 2 minutes, and at most 2x the baseline. Peak memory is each process's maximum RSS.

Run: python -m investing_assets.bench.backfill            (both figures)
     python -m investing_assets.bench.backfill backfill   (the backfill only)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg

from investing_assets import settings
from investing_assets.bench import Figure
from investing_assets.bench.dagster_runs import child, dagster_env, last_run_started, materialize
from investing_assets.bench.servers import bench_database, spare_redis

SESSIONS = 2_803
TARGET_SECONDS = 120.0
TARGET_RATIO = 2.0
DEMO_TARGET_SECONDS = 120.0
TABLES = ("market.universe", "market.index_constituents", "market.daily_bars", "market.corporate_actions",
          "market.etf_holdings", "market.quotes", "technicals.indicators")


def bench(only: str | None = None) -> list[Figure]:
    figures = backfill_figures()
    if only != "backfill":
        figures.append(demo_figure())
    return figures


def backfill_figures() -> list[Figure]:
    from investing_assets.cli.selections import daily_assets
    from investing_assets.lib.core import calendar

    sessions = calendar.sessions_ending(calendar.last_closed_session(), SESSIONS)
    selection = [*daily_assets("market"), "indicators"]
    with bench_database() as (pg_url, redis_url), bench_database() as (plain_url, _), \
            spare_redis(redis_url) as redis_db, tempfile.TemporaryDirectory() as scratch:
        env = dagster_env(Path(scratch), pg_url, redis_db)
        baseline_env = {**env, "INVESTING_PG_URL": plain_url}
        baseline_log = Path(scratch) / "baseline.log"
        baseline_run = child([sys.executable, "-m", "investing_assets.bench.backfill", "--baseline",
                              sessions[0].isoformat(), sessions[-1].isoformat()], baseline_env, baseline_log)
        baseline_peak, baseline_cpu = baseline_run.peak, baseline_run.cpu
        answer = json.loads(baseline_log.read_text().strip().splitlines()[-1])
        seconds = float(answer["seconds"])
        heaviest = sorted(answer["steps"].items(), key=lambda item: -item[1])[:3]
        started = time.time()
        run = child(materialize(selection, sessions[0], sessions[-1]), env, Path(scratch) / "dagster.log")
        wall, peak, cpu = run.wall, run.peak, run.cpu
        before_start = last_run_started(pg_url) - started
        same = _row_counts(pg_url) == _row_counts(plain_url)
    ratio = wall / seconds
    span = f"{len(sessions):,} sessions {sessions[0]} .. {sessions[-1]}, {len(selection)} assets"
    return [
        Figure("ten-year backfill through Dagster, one run", wall, "s", f"<= {TARGET_SECONDS:.0f} s",
               wall <= TARGET_SECONDS and same,
               f"{span}; {before_start:.0f} s before RUN_START; peak {peak / 2**30:.2f} GB; CPU {cpu:.0f} s; "
               f"rows {'equal to' if same else 'DIFFERENT from'} the baseline's"),
        Figure("ten-year backfill: Dagster over the same work without it", ratio, "x", f"<= {TARGET_RATIO:.1f}x",
               ratio <= TARGET_RATIO,
               f"{wall:.1f} s vs {seconds:.1f} s in one plain process (peak {baseline_peak / 2**30:.2f} GB, "
               f"CPU {baseline_cpu:.0f} s incl. imports; CPU ratio {cpu / baseline_cpu:.1f}x); the work: "
               + ", ".join(f"{name} {spent:.0f} s" for name, spent in heaviest)),
    ]


def demo_figure() -> Figure:
    """`investing demo` on a fresh home (its own database and Redis database; servers already running)."""
    with bench_database() as (pg_url, redis_url), spare_redis(redis_url) as redis_db, \
            tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch) / "home"
        env = {**os.environ, "INVESTING_HOME": str(home), "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_db}
        for name in ("DAGSTER_HOME", "INVESTING_DAGSTER_PG_URL", "INVESTING_START"):
            env.pop(name, None)
        command = [str(Path(sys.executable).with_name("investing")), "demo"]
        demo = child(command, env, Path(scratch) / "demo.log")
        wall, peak, cpu = demo.wall, demo.peak, demo.cpu
    return Figure("make demo on a fresh home (servers running)", wall, "s", f"<= {DEMO_TARGET_SECONDS:.0f} s",
                  wall <= DEMO_TARGET_SECONDS, f"peak {peak / 2**30:.2f} GB; CPU {cpu:.0f} s")


def _row_counts(pg_url: str) -> dict[str, int]:
    with psycopg.connect(pg_url) as conn:
        return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def baseline(first: dt.date, last: dt.date) -> tuple[float, dict[str, float]]:
    """The same work without Dagster: what each asset of the backfill calls, in the graph's order; its wall time
    and each asset's share (where the work goes, for the 2-minute target)."""
    from investing_assets.cli.common import market_sources
    from investing_assets.lib.core import calendar
    from investing_assets.lib.services import market
    from investing_assets.lib.services.etf_holdings import stored_weight_problems, write_etf_holdings
    from investing_assets.lib.services.indicators import write_indicators
    from investing_assets.lib.storage import names
    from investing_assets.lib.storage.cache import HotCache
    from investing_assets.lib.storage.queries.checks import (
        bar_violations,
        repeated_holding_lines,
        repeated_keys,
    )
    from investing_assets.lib.storage.queries.sessions import rows_per_session
    from investing_assets.lib.storage.warehouse import Warehouse

    sessions = calendar.sessions_between(first, last)
    store, cache, sources = Warehouse(settings.pg_url()), HotCache(settings.redis_url()), market_sources()
    steps: dict[str, float] = {}

    @contextlib.contextmanager
    def step(name: str) -> Iterator[None]:
        begun = time.perf_counter()
        yield
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - begun

    started = time.perf_counter()
    with step("universe"):
        market.write_universe(sources.universe(), store, sessions)
        rows_per_session(store, names.UNIVERSE, sessions)
    with step("index_constituents"):
        market.write_index_constituents(sources.constituents(), store, sessions)
        rows_per_session(store, names.INDEX_CONSTITUENTS, sessions)
    with step("daily_bars"):
        market.write_daily_bars(sources.bars(), store, sessions)
        rows_per_session(store, names.DAILY_BARS, sessions)
        bar_violations(store, sessions)
        repeated_keys(store, names.DAILY_BARS, sessions)
    with step("corporate_actions"):
        market.write_corporate_actions(sources.corporate_actions(), store, sessions)
        rows_per_session(store, names.CORPORATE_ACTIONS, sessions)
    with step("etf_holdings"):
        write_etf_holdings(sources.etf_holdings(), store, cache, sessions)
        rows_per_session(store, names.ETF_HOLDINGS, sessions)
        stored_weight_problems(store, sessions)
        repeated_holding_lines(store, sessions)
    for asset_class in ("index", "etf", "commodity", "crypto", "fx"):
        with step("quotes"):
            market.write_quotes(sources.quotes(asset_class), store, cache, sessions, asset_class)
            rows_per_session(store, names.QUOTES, sessions, {"asset_class": [asset_class]})
    with step("indicators"):
        write_indicators(store, sessions, settings.price_basis())
        rows_per_session(store, names.INDICATORS, sessions)
        repeated_keys(store, names.INDICATORS, sessions)
    return time.perf_counter() - started, steps


if __name__ == "__main__":
    if sys.argv[1:2] == ["--baseline"]:
        seconds, steps = baseline(dt.date.fromisoformat(sys.argv[2]), dt.date.fromisoformat(sys.argv[3]))
        print(json.dumps({"seconds": seconds, "steps": steps}))
    else:
        for figure in bench(sys.argv[1] if len(sys.argv) > 1 else None):
            print(figure.line(), flush=True)
