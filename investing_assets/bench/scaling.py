"""Bench: does a backfill scale linearly with the universe? The demo market at 500, 1,000, 2,000 and 5,000 symbols
(`INVESTING_DEMO_SYMBOLS`: index members plus synthetic small caps) over ten years (issue 16).

Each size is one `dagster asset materialize --partition-range` run of the eight market assets plus indicators over
the same sessions, on a fresh database, as the backfill bench runs it (dagster_runs.py). Reported per size: wall
time with process start, peak RSS (target at most 4 GB) and the peak of each step (sampled), and the cost per
symbol-session of the steps' work over the 500-symbol run's (target at most 1.5x: linear means about 1). The demo market is simulated
over its whole calendar whatever the range, a cost linear in symbols alone, so a short range overstates it.

Run: python -m investing_assets.bench.scaling                      (2,803 sessions: long)
     python -m investing_assets.bench.scaling --sessions 300       (a quick look)
     python -m investing_assets.bench.scaling --sessions 300 --sizes 500,1000
"""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from investing_assets.bench import Figure
from investing_assets.bench.dagster_runs import child, dagster_env, materialize, step_windows
from investing_assets.bench.servers import bench_database, spare_redis

SIZES = (500, 1_000, 2_000, 5_000)
SESSIONS = 2_803  # ten years of 252 plus the indicators' 283-session lookback, as the backfill bench
PEAK_TARGET = 4 * 2**30
LINEAR_TARGET = 1.5


@dataclass(frozen=True)
class Measured:
    symbols: int
    sessions: int
    wall: float
    peak: int
    cpu: float
    step_peaks: dict[str, int]
    step_seconds: dict[str, float]

    @property
    def per_cell(self) -> float:
        """Seconds of the steps' work per symbol-session: the run's fixed start (process, definitions, instance)
        would make any size look cheaper per cell than the one before it."""
        return sum(self.step_seconds.values()) / (self.symbols * self.sessions)


def bench(sessions: int = SESSIONS, sizes: tuple[int, ...] = SIZES) -> Iterator[Figure]:
    """Each size's figures as soon as it is measured (the full size takes long)."""
    base = None
    for size in sizes:
        run = backfill(size, sessions)
        base = base or run
        steps = ", ".join(f"{name} {run.step_peaks[name] / 2**30:.2f} GB/{run.step_seconds[name]:.0f} s"
                          for name in sorted(run.step_peaks, key=lambda n: -run.step_peaks[n]))
        yield Figure(
            f"backfill of {run.symbols:,} symbols x {run.sessions:,} sessions: peak memory", run.peak / 2**30, "GB",
            f"<= {PEAK_TARGET / 2**30:.0f} GB", run.peak <= PEAK_TARGET,
            f"{run.wall:.0f} s wall, CPU {run.cpu:.0f} s, {run.symbols * run.sessions / 1e6:.2f} M bars; "
            f"by step (peak/time): {steps}")
        if run is not base:
            ratio = run.per_cell / base.per_cell
            yield Figure(
                f"backfill cost per symbol-session, {run.symbols:,} over {base.symbols:,} symbols", ratio, "x",
                f"<= {LINEAR_TARGET}x (linear: 1)", ratio <= LINEAR_TARGET,
                f"steps' work {run.per_cell * 1e6:.1f} vs {base.per_cell * 1e6:.1f} us per symbol-session; wall "
                f"{run.wall:.0f} s vs {base.wall:.0f} s ({run.wall / run.symbols / (base.wall / base.symbols):.2f}x "
                "per symbol-session with the fixed start)")


def backfill(symbols: int, sessions: int) -> Measured:
    """One ranged run of the market assets plus indicators over the newest `sessions`, `symbols` wide."""
    from investing_assets.cli.selections import daily_assets
    from investing_assets.lib.core import calendar

    days = calendar.sessions_ending(calendar.last_closed_session(), sessions)
    selection = [*daily_assets("market"), "indicators"]
    with bench_database() as (pg_url, redis_url), spare_redis(redis_url) as redis_db, \
            tempfile.TemporaryDirectory() as scratch:
        env = dagster_env(Path(scratch), pg_url, redis_db, INVESTING_DEMO_SYMBOLS=str(symbols))
        run = child(materialize(selection, days[0], days[-1]), env, Path(scratch) / "dagster.log", sample=True)
        windows = step_windows(pg_url)
    return Measured(symbols, len(days), run.wall, run.peak, run.cpu, run.peaks_between(windows),
                    {step: end - begun for step, (begun, end) in windows.items()})


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=SESSIONS)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated; the first is the base")
    arguments = parser.parse_args()
    for figure in bench(arguments.sessions, tuple(int(size) for size in arguments.sizes.split(","))):
        print(figure.line(), flush=True)
