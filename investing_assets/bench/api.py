"""Bench: the read API's cached endpoint under load (issue 15): `investing serve` (one uvicorn worker) in its own
process on a free port, against a bench database whose quotes cache is warm, loaded by `wrk` for a fixed time.
Targets: at least 2,000 requests/s with p99 under 10 ms.

Baselines in the same run: one Redis GET of the cache entry (the least any cached answer costs), and the
endpoint's own work in this process without HTTP (the Redis-first read, the JSON body and its ETag), so the figures'
details say what uvicorn, FastAPI and the sockets add. wrk runs on the other core (the machine has two).

Run: python -m investing_assets.bench api
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from starlette.requests import Request

from investing_assets import settings
from investing_assets.api.responses import render
from investing_assets.bench import Figure
from investing_assets.bench.servers import bench_database, spare_redis
from investing_assets.lib.core import calendar
from investing_assets.lib.services import market
from investing_assets.lib.services.reads import Stores, Window
from investing_assets.lib.services.reads import market as reads
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource

ENDPOINT = "/quotes/etf"  # the newest session's ETF quotes: 16 rows, about 3 kB of JSON
RPS_TARGET = 2_000.0
P99_TARGET_MS = 10.0
CONNECTIONS = 8
DURATION_S = 10
BASELINE_CALLS = 5_000
SESSIONS = calendar.sessions_ending(calendar.last_closed_session(), 3)


def bench() -> list[Figure]:
    wrk = shutil.which("wrk")
    if wrk is None:
        return [Figure("read API under load", 0.0, "requests/s", f">= {RPS_TARGET:,.0f}", False,
                       "wrk is not installed (Debian: apt-get install wrk): nothing measured")]
    with bench_database() as (pg_url, server_redis), spare_redis(server_redis) as redis_url, \
            tempfile.TemporaryDirectory() as home:
        stores = Stores(Warehouse(pg_url), HotCache(redis_url), "demo")
        source = DemoSource()
        for asset_class in names.QUOTE_KEYS:  # PostgreSQL and the warm cache, as the quote assets leave them
            market.write_quotes(source, stores.warehouse, stores.cache, SESSIONS, asset_class)
        redis_get = _redis_get_us(stores.cache)
        in_process = _in_process_us(stores)
        port = _free_port()
        server = _start_server(port, pg_url, redis_url, Path(home))
        try:
            url = f"http://127.0.0.1:{port}{ENDPOINT}"
            served_from = _warm(url)
            rps, p50, p99, errors = _load(wrk, url)
        finally:
            server.terminate()
            server.wait(timeout=30)
    per_request_us = 1e6 / rps if rps else float("inf")
    return [
        Figure("baseline: one Redis GET of the cache entry", redis_get, "us", "baseline", True,
               f"median of {BASELINE_CALLS:,} round trips to {names.ETF_QUOTES_KEY}"),
        Figure(f"baseline: GET {ENDPOINT} in process (the route's read and response; no HTTP)", in_process, "us", "baseline",
               True, f"median of {BASELINE_CALLS:,}; at most {1e6 / in_process:,.0f} requests/s on one core"),
        Figure(f"GET {ENDPOINT}, cached, one uvicorn worker", rps, "requests/s", f">= {RPS_TARGET:,.0f}",
               rps >= RPS_TARGET and errors == 0,
               f"wrk {CONNECTIONS} connections x {DURATION_S} s, served from {served_from}; {errors} errors; "
               f"{per_request_us:,.0f} us a request = {per_request_us / in_process:.1f}x the in-process work"),
        Figure(f"GET {ENDPOINT}, cached: p99 latency", p99, "ms", f"< {P99_TARGET_MS:g} ms", p99 < P99_TARGET_MS,
               f"p50 {p50:.2f} ms, same run"),
    ]


def _redis_get_us(cache: HotCache) -> float:
    client = cache._client  # the one client the reads use
    times = []
    for _ in range(BASELINE_CALLS):
        started = time.perf_counter()
        client.get(names.ETF_QUOTES_KEY)
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1e6


def _in_process_us(stores: Stores) -> float:
    """The route's own work: the Redis-first read and the rendered response (body, ETag), without HTTP."""
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": ENDPOINT, "raw_path": ENDPOINT.encode(),
             "query_string": b"", "root_path": "", "headers": [(b"host", b"127.0.0.1")], "server": ("127.0.0.1", 80)}
    times = []
    for _ in range(BASELINE_CALLS):
        started = time.perf_counter()
        render(Request(scope), reads.quotes(stores, "etf", Window()))
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2] * 1e6


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_server(port: int, pg_url: str, redis_url: str, home: Path) -> subprocess.Popen:
    """`investing serve` as a user starts it, on its own home (its env.sh and instance folder stay in there)."""
    env = {**os.environ, "INVESTING_HOME": str(home), "INVESTING_PG_URL": pg_url, "INVESTING_REDIS_URL": redis_url}
    env.pop("DAGSTER_HOME", None)
    log = open(home / "serve.log", "w")  # noqa: SIM115 - the server's lifetime
    server = subprocess.Popen([sys.executable, "-m", "investing_assets.cli", "serve", "--port", str(port)], env=env,
                              cwd=settings.PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"investing serve exited: {(home / 'serve.log').read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("investing serve did not answer within 60 s")


def _warm(url: str) -> str:
    """Two requests; the second must be a cache hit (what the load measures)."""
    for _ in range(2):
        with urllib.request.urlopen(url, timeout=5) as response:
            served_from = response.headers["X-Served-From"]
    if served_from != "cache":
        raise RuntimeError(f"{url} was served from {served_from}, not the cache")
    return served_from


def _load(wrk: str, url: str) -> tuple[float, float, float, int]:
    """requests/s, p50 and p99 in ms, and non-2xx or socket errors, from `wrk --latency`."""
    out = subprocess.run([wrk, "-t1", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", "--latency", url], check=True,
                         capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p50, p99, errors + (int(bad.group(1)) if bad else 0)


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
