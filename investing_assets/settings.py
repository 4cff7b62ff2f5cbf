"""The one place that reads the environment, so every setting has one name and one default."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def home() -> Path:
    """Where local state lives: embedded servers, charts, drop folders (`INVESTING_HOME`, default .investing/)."""
    return Path(os.environ.get("INVESTING_HOME", PROJECT_ROOT / ".investing")).resolve()


def trading_day_start() -> dt.date:
    """First `trading_day` partition (`INVESTING_START`, default 2016-01-04)."""
    return dt.date.fromisoformat(os.environ.get("INVESTING_START", "2016-01-04"))


def watchlist_start() -> dt.date:
    """First day of the bounded date x symbol watchlist grid (`INVESTING_WATCHLIST_START`)."""
    return dt.date.fromisoformat(os.environ.get("INVESTING_WATCHLIST_START", "2026-01-02"))


def pg_url() -> str | None:
    return os.environ.get("INVESTING_PG_URL") or None


def redis_url() -> str | None:
    return os.environ.get("INVESTING_REDIS_URL") or None


def market_source() -> str:
    return os.environ.get("INVESTING_SOURCE", "demo")


def csv_folder() -> str | None:
    return os.environ.get("INVESTING_CSV_FOLDER") or None


def fmp_api_key() -> str | None:
    return os.environ.get("FMP_API_KEY") or None
