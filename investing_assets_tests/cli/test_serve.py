"""`investing serve` as a user starts it: its own process, the servers from the environment, OpenAPI at /docs."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from investing_assets import cli, settings
from investing_assets.lib.services import market
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.lib.services.reads._seed import DAYS


def test_serve_defaults_to_this_machine_only():
    args = cli.build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.access_log) == ("127.0.0.1", 8000, False)
    assert cli.build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123"]).port == 8123


def test_dev_starts_the_api_on_its_own_port():
    assert cli.build_parser().parse_args(["dev"]).api_port == 8000


def test_serve_answers_over_http(env, redis_url):
    market.write_quotes(DemoSource(), Warehouse(env), HotCache(redis_url), DAYS, "index")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "investing_assets.cli", "serve", "--port", str(port)],
                              cwd=settings.PROJECT_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        health = _get_when_up(f"{base}/health", server)
        assert json.loads(health) == {"warehouse": True, "cache": True}
        assert "swagger" in _get_when_up(f"{base}/docs", server).lower()
        quotes = json.loads(_get_when_up(f"{base}/quotes/index", server))
        assert quotes["as_of"] == DAYS[-1].isoformat() and quotes["synthetic"] is True
        assert json.loads(_get_when_up(f"{base}/dagster/runs", server))["total"] == 0  # the home's own instance
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Uvicorn running on http://127.0.0.1:" in output


def _get_when_up(url: str, server: subprocess.Popen, wait_s: float = 60) -> str:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except (urllib.error.URLError, ConnectionError):
            if server.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_dev_runs_the_api_beside_dagster_and_stops_it_with_it(env, monkeypatch):
    """`make dev`: the API answers while Dagster runs and is gone once Dagster stops (Dagster itself is stood in
    for by a child that returns when the API has answered)."""
    from investing_assets.cli import services

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started: list[subprocess.Popen] = []
    real_popen = subprocess.Popen

    def recording_popen(*args, **kwargs):
        child = real_popen(*args, **kwargs)
        started.append(child)
        return child

    def dagster_dev(command, env):
        assert command[1:3] == ["dev", "-h"]
        assert json.loads(_get_when_up(f"http://127.0.0.1:{port}/health", started[0])) == {"warehouse": True,
                                                                                           "cache": True}
        # the dashboard's chat panel links runs to the UI this command starts
        assert 'data-dagster-ui="http://127.0.0.1:3000"' in _get_when_up(f"http://127.0.0.1:{port}/dashboard",
                                                                         started[0])
        return 0

    monkeypatch.setattr(services.subprocess, "Popen", recording_popen)
    monkeypatch.setattr(services, "run_child", dagster_dev)
    assert cli.main(["dev", "--api-port", str(port)]) == 0
    [api] = started
    assert api.poll() is not None  # stopped with Dagster
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2)
        raise AssertionError("the API still answers after Dagster stopped")
    except urllib.error.URLError:
        pass
