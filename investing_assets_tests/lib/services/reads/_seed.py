"""One warehouse the read tests share, filled by the services the assets run on the demo source: the scan's
history of bars, three sessions of everything the market, technicals, fundamentals and news assets store, one
sample muni report read and two sessions scored. Tests read it and never write it (their Redis is their own)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.core import calendar
from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.services import estimates, indicators, industry, market, muni, news, scan
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.conftest import with_database
from investing_assets_tests.lib.services.muni._helpers import D1, D2, drop, sample_report, train

LAST = dt.date(2026, 11, 20)
DAYS = calendar.sessions_ending(LAST, 3)
SCANNED = DAYS[-2:]
MUNI_SESSIONS = [D1, D2]
SYNTHETIC_ISSUERS = 30


def seed(warehouse: Warehouse, folder: Path) -> None:
    source = DemoSource()
    history = calendar.sessions_ending(LAST, ScanConfig().history_sessions + len(DAYS))
    market.write_universe(source, warehouse, history)
    market.write_daily_bars(source, warehouse, history)
    market.write_index_constituents(source, warehouse, DAYS)
    for asset_class in ("index", "etf", "commodity", "crypto"):
        market.write_quotes(source, warehouse, None, DAYS, asset_class)
    indicators.write_indicators(warehouse, DAYS)
    scan.scan_sessions(warehouse, None, SCANNED)
    estimates.write_analyst_estimates(source, warehouse, DAYS)
    news.write_news(source, warehouse, DAYS)
    industry.write_industry_aggregates(warehouse, DAYS)
    drop_folder = DropFolder(folder / "drop").ensure()
    report, _ = sample_report(folder)
    muni.process_document(drop(drop_folder, "report.pdf", report), warehouse, folder=drop_folder)
    train(warehouse, dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    muni.score_issuers(warehouse, None, MUNI_SESSIONS, synthetic_issuers=SYNTHETIC_ISSUERS)


@contextmanager
def seeded_database(admin_url: str, template: str, folder: Path) -> Iterator[str]:
    """A database cloned from the migrated template and seeded; dropped afterwards."""
    name = f"ia_reads_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    url = with_database(admin_url, name)
    try:
        seed(Warehouse(url), folder)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
