"""Bench: does market.daily_bars stay flat as history grows? 5,000 symbols, 1 to 12.6 M rows.

The table grows session by session through the project's own writer (`Warehouse.replace_rows`, as the daily_bars
asset writes), to ten years of 5,000 symbols. At each size three operations are timed (best of REPEATS): a
one-session write (the newest session's 5,000 bars corrected and rewritten: delete its scope, COPY), a one-symbol
read of its last year (`read_bars`, what a chart or `investing ta` reads) and a one-symbol read of its whole
history (per bar returned, since it returns one more bar each session). The target is that each stays within
FLAT x its figure at 1 M rows.
"""

from __future__ import annotations

import time

import numpy as np
import polars as pl
import psycopg

from investing_assets.bench import Figure
from investing_assets.bench.servers import bench_database
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import read_bars
from investing_assets.lib.storage.warehouse import Warehouse

SYMBOLS = 5_000
SESSIONS = 2_520  # ten years
CHUNK = 100  # sessions per fill write
CHECKPOINTS = (200, 600, 1_200, 2_520)  # sessions stored when measured: 1.0, 3.0, 6.0, 12.6 M rows
REPEATS = 5
FLAT = 1.5


def _bars(symbols: list[str], sessions: list, rng: np.random.Generator, level: np.ndarray) -> pl.DataFrame:
    """Random-walk bars with valid OHLC for `sessions` x `symbols`; `level` carries the walk between calls."""
    n, m = len(sessions), len(symbols)
    steps = rng.normal(0.0, 0.015, size=(n, m))
    close = level * np.exp(np.cumsum(steps, axis=0))
    open_ = np.vstack([level, close[:-1]])
    level[:] = close[-1]
    spread = np.abs(rng.normal(0.0, 0.006, size=(n, m)))
    return pl.DataFrame({
        "symbol": np.tile(symbols, n),
        "session": np.repeat(np.array(sessions, dtype="datetime64[D]"), m),
        "open": open_.ravel(),
        "high": (np.maximum(open_, close) * (1 + spread)).ravel(),
        "low": (np.minimum(open_, close) * (1 - spread)).ravel(),
        "close": close.ravel(),
        "adj_close": close.ravel(),
        "volume": rng.integers(10_000, 5_000_000, size=n * m),
        "source": "bench",
        "currency": "USD",
    }).with_columns(pl.col("session").cast(pl.Date))


def _best(action, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def _measure(warehouse: Warehouse, stored: list, probe: str) -> tuple[float, float, float]:
    """(one-session write, one-symbol year read, one-symbol history read) seconds on the table as it is."""
    newest = stored[-1]
    session_rows = warehouse.read_table(names.DAILY_BARS, {"session": [newest]})
    corrections = iter(range(1, 100))

    def write_one_session() -> None:
        factor = 1.0 + next(corrections) * 1e-6  # every row changed, so nothing is skipped as unchanged
        corrected = session_rows.with_columns(pl.col(c) * factor for c in ("open", "high", "low", "close"))
        warehouse.replace_rows(names.DAILY_BARS, corrected, {"session": [newest]})

    return (_best(write_one_session),
            _best(lambda: read_bars(warehouse, stored[max(0, len(stored) - 252)], newest, [probe])),
            _best(lambda: read_bars(warehouse, stored[0], newest, [probe])))


def bench() -> list[Figure]:
    rng = np.random.default_rng(16)
    symbols = [f"Z{i:04d}" for i in range(SYMBOLS)]
    days = calendar.sessions_ending(calendar.last_closed_session(), SESSIONS)
    level = rng.uniform(10.0, 400.0, size=SYMBOLS)
    probe = symbols[SYMBOLS // 2]
    measured: list[tuple[int, float, float, float]] = []  # rows, write, year read, history read
    fill_rows, fill_seconds = 0, 0.0
    with bench_database() as (url, _):
        warehouse = Warehouse(url)
        stored = 0
        for checkpoint in CHECKPOINTS:
            while stored < checkpoint:
                chunk = days[stored : min(stored + CHUNK, checkpoint)]
                frame = _bars(symbols, chunk, rng, level)
                fill_seconds += warehouse.replace_rows(names.DAILY_BARS, frame, {"session": chunk}).seconds
                fill_rows += frame.height
                stored += len(chunk)
            with psycopg.connect(url, autocommit=True) as conn:  # as autovacuum would have by now, and at rest:
                conn.execute(f"VACUUM ANALYZE {names.DAILY_BARS}")  # the fill's dirty pages written, so the
                conn.execute("CHECKPOINT")  # timed writes do not share the disk with flushing them
            write, year, history = _measure(warehouse, days[:stored], probe)
            measured.append((stored * SYMBOLS, write, year, history))
    first, last = measured[0], measured[-1]

    def detail(i: int) -> str:
        return ", ".join(f"{r[0] / 1e6:.1f} M: {r[i + 1] * 1e3:.1f} ms" for r in measured)

    figures = [Figure("history fill through the writer", fill_rows / fill_seconds, "rows/s", "reported", True,
                      f"{fill_rows:,} bars of {SYMBOLS:,} symbols x {SESSIONS:,} sessions in writes of {CHUNK} "
                      f"sessions")]
    for i, name in ((0, "one-session write (5,000 bars corrected)"), (1, "one-symbol read, last year"),
                    (2, "one-symbol read, whole history, per bar returned")):
        ratio = last[i + 1] / first[i + 1]
        if i == 2:  # the whole history returns one bar a session: its cost per bar is what must stay flat
            ratio *= first[0] / last[0]
        figures.append(Figure(f"{name}: at {last[0] / 1e6:.1f} M rows / at {first[0] / 1e6:.1f} M", ratio, "x",
                              f"<= {FLAT}", ratio <= FLAT, detail(i)))
    return figures
