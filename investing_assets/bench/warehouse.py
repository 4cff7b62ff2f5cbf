"""Bench: the partition write (delete the scope + binary COPY, one transaction) against a plain COPY.

The baseline is the plain way PostgreSQL takes the same rows: COPY of their CSV into an unindexed table. The
target is at least half its rows per second while keeping the (session, symbol) key (checked by the writer),
the BRIN session index and the OHLC check constraints. Three cases: new sessions, an unchanged re-run (digests
skip it), and every stored row corrected (the whole scope deleted and rewritten).
"""

from __future__ import annotations

import polars as pl

from investing_assets.bench import Figure
from investing_assets.bench.servers import PlainCopy, bench_database
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource

TARGET = 0.5
REPEATS = 3


def _bars(sessions: int = 252) -> pl.DataFrame:
    days = calendar.sessions_ending(calendar.last_session_on_or_before(calendar.all_sessions()[-300]), sessions)
    return DemoSource().daily_bars(days).with_columns(source=pl.lit("demo"), currency=pl.lit("USD"))


def bench() -> list[Figure]:
    bars = _bars()
    sessions = bars.get_column("session").unique().sort().to_list()
    with bench_database() as (url, _):
        warehouse = Warehouse(url)
        baseline = PlainCopy(warehouse, names.DAILY_BARS, bars)
        with warehouse.connect() as conn:
            host = "a local socket" if conn.info.host.startswith("/") else conn.info.host
            server = f"PostgreSQL {conn.info.server_version // 10000}.{conn.info.server_version % 100} at {host}"
        corrected = bars.with_columns(close=pl.col("close") * 1.0001, high=pl.col("high") * 1.0001)
        copy_times, new_times, rerun_times, corrected_times = [], [], [], []
        for _ in range(REPEATS):
            copy_times.append(baseline.seconds())
            new_times.append(warehouse.replace_rows(names.DAILY_BARS, bars, {"session": sessions}).seconds)
            rerun_times.append(warehouse.replace_rows(names.DAILY_BARS, bars, {"session": sessions}).seconds)
            corrected_times.append(
                warehouse.replace_rows(names.DAILY_BARS, corrected, {"session": sessions}).seconds)
            warehouse.replace_rows(names.DAILY_BARS, bars, {"session": sessions})
    copy_rate = bars.height / min(copy_times)
    new_ratio = bars.height / min(new_times) / copy_rate
    rerun_ratio = bars.height / min(rerun_times) / copy_rate
    corrected_ratio = bars.height / min(corrected_times) / copy_rate
    return [
        Figure("plain COPY into an unindexed table", copy_rate, "rows/s", "baseline", True,
               f"{bars.height:,} rows (252 sessions x {bars.get_column('symbol').n_unique()} symbols), {server}"),
        Figure("partition write, new sessions / plain COPY", new_ratio, "x", f">= {TARGET}", new_ratio >= TARGET,
               f"{bars.height / min(new_times):,.0f} rows/s incl. key check, encoding, digests, BRIN, CHECKs"),
        Figure("partition write, unchanged re-run / plain COPY", rerun_ratio, "x", f">= {TARGET}",
               rerun_ratio >= TARGET, f"{bars.height / min(rerun_times):,.0f} rows/s (digests match: no rewrite)"),
        Figure("partition write, every row corrected / plain COPY", corrected_ratio, "x", f">= {TARGET}",
               corrected_ratio >= TARGET,
               f"{bars.height / min(corrected_times):,.0f} rows/s (delete the 252 sessions + COPY)"),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
