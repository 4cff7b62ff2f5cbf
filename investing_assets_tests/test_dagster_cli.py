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


def early_csv_folder(folder: Path) -> Path:
    """XYZ trading 2001-08-01 .. 2001-10-31: demo bars re-dated onto those NYSE sessions (the week the market
    closed after 2001-09-11 included)."""
    import datetime as dt

    from investing_assets.lib.core import calendar
    from investing_assets.lib.synthetic.source import DemoSource

    days = calendar.sessions_between(dt.date(2001, 8, 1), dt.date(2001, 10, 31))
    bars = DemoSource().daily_bars(calendar.sessions_ending(dt.date(2016, 12, 30), len(days)), ["AAPL"])
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for day, r in zip(days, bars.iter_rows(named=True), strict=True):
        lines.append(f"{day},{r['open']},{r['high']},{r['low']},{r['close']},{r['close']},{r['volume']}")
    folder.mkdir()
    (folder / "XYZ.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_an_early_investing_start_makes_older_sessions_partitions(pg_url, redis_url, tmp_path):
    env = {**os.environ, "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url, "INVESTING_SOURCE": "csv",
           "INVESTING_CSV_FOLDER": str(early_csv_folder(tmp_path / "csv"))}
    env.pop("DAGSTER_HOME", None)
    base = ["asset", "materialize", "-m", "investing_assets.definitions", "--select", "universe,daily_bars",
            "--partition-range", "2001-09-04...2001-09-21"]

    # with the default start (2016-01-04) those days are not partitions: Dagster itself refuses, naming the key
    refused = dagster(base, {**env, "INVESTING_START": ""}, cwd=tmp_path)
    assert refused.returncode != 0
    assert "partition key `2001-09-04`" in refused.stderr + refused.stdout

    ran = dagster(base, {**env, "INVESTING_START": "2001-08-01"}, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr[-3000:]
    with psycopg.connect(pg_url) as conn:
        sessions = [r[0].isoformat() for r in conn.execute(
            "SELECT session FROM market.daily_bars WHERE symbol = 'XYZ' ORDER BY session").fetchall()]
    assert sessions[:2] == ["2001-09-04", "2001-09-05"] and "2001-09-11" not in sessions
    assert sessions[-1] == "2001-09-21" and len(sessions) == 10  # closed 09-11 .. 09-14


def test_an_investing_start_outside_the_calendar_is_refused_naming_its_range(tmp_path):
    env = {**os.environ, "INVESTING_START": "1800-01-01"}
    result = subprocess.run([sys.executable, "-c", "import investing_assets.definitions"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode != 0
    assert "INVESTING_START=1800-01-01 is outside the NYSE calendar: use a date from 1885-01-01 to " \
        in result.stderr.splitlines()[-1]
