"""The dashboard served for real: uvicorn on a free loopback port in a thread, over a warehouse the project's own
services seeded (_seed.py) and this run's Redis database; a headless Chromium (Debian's, driven through
Playwright's API, never a browser Playwright downloads) to load its pages."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import pytest
import redis
import uvicorn
from fastapi import FastAPI

from investing_assets import settings
from investing_assets.api.app import create_app
from investing_assets.api.dagster_status import DagsterStatus
from investing_assets.cli.common import environment, prepare_environment
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.api.dashboard._seed import dashboard_database

CHROMIUM = os.environ.get("INVESTING_CHROMIUM", "/usr/bin/chromium")
# kept after the run for a person to look at (.investing/ is gitignored)
SCREENSHOTS = Path(os.environ.get("INVESTING_HOME", ".investing")).resolve() / "screenshots"


@dataclass
class Dashboard:
    url: str  # http://127.0.0.1:PORT
    warehouse: Warehouse
    planted: list[str]  # symbols scanned over the window of planted chart patterns
    cache: redis.Redis
    app: FastAPI  # its state (bind_host) is what the chat's POSTs check


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    """`app` under uvicorn on a free loopback port, in a thread: its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, name="dashboard-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"uvicorn did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture(scope="session")
def dashboard(pg_admin_url, template_db, redis_base_url, tmp_path_factory) -> Iterator[Dashboard]:
    with dashboard_database(pg_admin_url, template_db, tmp_path_factory.mktemp("dashboard_seed")) as (url, planted), \
            dg.instance_for_test() as instance:
        client = redis.Redis.from_url(redis_base_url)
        client.flushdb()
        app = create_app(Stores(Warehouse(url), HotCache(redis_base_url), "demo"), DagsterStatus(lambda: instance))
        with serving(app) as base:
            yield Dashboard(base, Warehouse(url), planted, client, app)


@dataclass
class Launching:
    url: str
    warehouse: Warehouse
    instance: dg.DagsterInstance  # the home's instance the chat launches into
    dagster_ui: str


@pytest.fixture
def launching(pg_url, redis_url, tmp_path, monkeypatch) -> Iterator[Launching]:
    """The dashboard over this test's own (migrated, empty) warehouse and Dagster home, its chat launching into
    that home in this process as `investing serve` does without a daemon; the Dagster UI's URL is known."""
    monkeypatch.setenv("INVESTING_PG_URL", pg_url)
    monkeypatch.setenv("INVESTING_REDIS_URL", redis_url)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    with environment(prepare_environment()):
        home = str(settings.dagster_home())
        with dg.DagsterInstance.from_config(home) as instance:
            ui = "http://127.0.0.1:3999"
            app = create_app(Stores(Warehouse(pg_url), HotCache(redis_url), "demo"),
                             DagsterStatus(lambda: dg.DagsterInstance.from_config(home)), ui)
            with serving(app) as base:
                yield Launching(base, Warehouse(pg_url), instance, ui)


@pytest.fixture(scope="package")  # not session: sync Playwright keeps an event loop running in this thread while
def browser() -> Iterator[object]:  # it is open, and every later asyncio.run() (ib_async, mcp) would fail
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(CHROMIUM):
        pytest.skip(f"no Chromium executable at {CHROMIUM} (INVESTING_CHROMIUM): `apt-get install -y chromium` "
                    "(`make test` installs it when run as root)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e .[dev])")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@dataclass
class Tab:
    """A browser page and everything it reported as an error: console errors, uncaught exceptions, failed
    requests and HTTP errors of the page's own resources."""

    page: object
    errors: list[str] = field(default_factory=list)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def tab(browser) -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    found = Tab(page)
    page.on("console", lambda message: message.type == "error" and found.errors.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: found.errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: found.errors.append(f"failed: {request.url}"))
    page.on("response", lambda response: response.status >= 400 and found.errors.append(
        f"HTTP {response.status}: {response.url}"))
    yield found
    context.close()
