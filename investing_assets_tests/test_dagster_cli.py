"""The README's commands, end to end: `dagster asset materialize` on an instance stored in PostgreSQL."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from investing_assets.lib.storage.servers import to_psycopg2_url
from investing_assets.lib.storage.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[1]


def dagster(args, env, cwd=ROOT):
    exe = str(Path(sys.executable).with_name("dagster"))
    return subprocess.run([exe, *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=600)


def test_partition_range_is_one_run_in_the_postgres_instance(pg_url, redis_url, tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url,
           "INVESTING_DAGSTER_PG_URL": to_psycopg2_url(pg_url)}
    base = ["asset", "materialize", "-m", "investing_assets.definitions", "--select", "universe,daily_bars"]

    ranged = dagster([*base, "--partition-range", "2026-11-16...2026-11-20"], env)
    assert ranged.returncode == 0, ranged.stderr[-3000:]
    single = dagster([*base, "--partition", "2026-11-20"], env)
    assert single.returncode == 0, single.stderr[-3000:]

    with psycopg.connect(pg_url) as conn:
        runs = conn.execute("SELECT status FROM runs ORDER BY create_timestamp").fetchall()
        partitions = conn.execute(
            "SELECT count(DISTINCT partition) FROM event_logs "
            "WHERE dagster_event_type = 'ASSET_MATERIALIZATION' AND asset_key LIKE '%daily_bars%'"
        ).fetchone()[0]
    assert [r[0] for r in runs] == ["SUCCESS", "SUCCESS"]  # five sessions in one run, then one
    assert partitions == 5
    warehouse = Warehouse(pg_url)
    assert warehouse.count("market.daily_bars") == 5 * warehouse.count(
        "market.universe", {"session": ["2026-11-20"]})


def test_holiday_is_not_a_partition(pg_url, redis_url, tmp_path):
    env = {**os.environ, "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url}
    env.pop("DAGSTER_HOME", None)  # a temporary instance; run outside the repo so its dagster.yaml is not read
    result = dagster(["asset", "materialize", "-m", "investing_assets.definitions", "--select", "daily_bars",
                      "--partition", "2026-11-26"], env, cwd=tmp_path)
    assert result.returncode != 0
    assert "2026-11-26" in result.stderr + result.stdout
