"""The dashboard tests' warehouse: the read tests' seed (lib/services/reads/_seed.py), plus a longer bar history,
indicators over the last WINDOW sessions and a scan of the demo symbols whose planted chart patterns complete in
them, so the symbol page has chart patterns to draw. Written by the project's own services on the demo source."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import psycopg

from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.core import calendar
from investing_assets.lib.services import indicators, market, scan
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.conftest import with_database
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST, seed

WINDOW = 45
PLANTED_SYMBOLS = 4


def planted_in_window() -> list[str]:
    """Demo symbols with a planted chart pattern completing in the last WINDOW sessions."""
    window = calendar.sessions_ending(LAST, WINDOW)
    planted = DemoSource().planted_patterns().filter(pl.col("completion_session").is_between(window[0], window[-1]))
    return sorted(set(planted.get_column("symbol").to_list()))[:PLANTED_SYMBOLS]


def seed_dashboard(warehouse: Warehouse, folder: Path) -> list[str]:
    source = DemoSource()
    history = calendar.sessions_ending(LAST, ScanConfig().history_sessions + len(DAYS) + WINDOW)
    market.write_universe(source, warehouse, history)
    market.write_daily_bars(source, warehouse, history)
    seed(warehouse, folder)  # rewrites its own shorter span unchanged
    window = calendar.sessions_ending(LAST, WINDOW)
    indicators.write_indicators(warehouse, window)
    symbols = planted_in_window()
    scan.scan_sessions(warehouse, None, window, symbols=symbols)
    return symbols


@contextmanager
def dashboard_database(admin_url: str, template: str, folder: Path) -> Iterator[tuple[str, list[str]]]:
    name = f"ia_dash_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = with_database(admin_url, name)
    try:
        yield url, seed_dashboard(Warehouse(url), folder)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
