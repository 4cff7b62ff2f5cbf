"""Bench: the market graph through `dagster asset materialize`, on a PostgreSQL-backed instance.

Two figures from the issue: one trading day of every market asset plus indicators on a warm database
(target < 30 s wall time, process start included) and a one-year backfill (252 sessions) as one run
(target < 3 min). The indicator lookback before the year is loaded first and not timed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from investing_assets import settings
from investing_assets.bench import Figure
from investing_assets.bench.servers import bench_database
from investing_assets.cli.common import materialize_command
from investing_assets.cli.selections import daily_assets
from investing_assets.lib.analytics.indicators import lookback_sessions
from investing_assets.lib.core import calendar
from investing_assets.lib.core.calendar import last_closed_session
from investing_assets.lib.storage import names
from investing_assets.lib.storage.servers import to_psycopg2_url
from investing_assets.lib.storage.warehouse import Warehouse


def _materialize(selection: list[str], first, last, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(materialize_command(selection, first, last), env=env, cwd=settings.PROJECT_ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"materialize {selection} failed:\n{result.stderr[-3000:]}")
    return elapsed


def bench() -> list[Figure]:
    year = calendar.sessions_ending(last_closed_session(), 252)
    every_asset = [*daily_assets("market"), "indicators"]
    history = calendar.sessions_ending(year[0], lookback_sessions() + 1)[:-1]
    with bench_database() as (pg_url, redis_url), tempfile.TemporaryDirectory() as home:
        shutil.copyfile(settings.DAGSTER_YAML, Path(home) / "dagster.yaml")
        env = {**os.environ, "DAGSTER_HOME": home, "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url,
               "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url), "DAGSTER_EVENT_BATCH_SIZE": "1000"}
        _materialize(["universe", "daily_bars"], history[0], history[-1], env)
        backfill = _materialize(every_asset, year[0], year[-1], env)
        rows = Warehouse(pg_url).count(names.DAILY_BARS, None)
        day = min(_materialize(every_asset, year[-1], year[-1], env) for _ in range(2))
    return [
        Figure("one-year backfill, every market asset + indicators, one run", backfill, "s", "< 180 s",
               backfill < 180, f"{len(year)} sessions; {rows:,} bars stored incl. lookback"),
        Figure("one trading day, every asset, warm database (CLI wall time)", day, "s", "< 30 s", day < 30,
               f"session {year[-1]}"),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
