"""Every setting the project reads from the environment: one name and one default each.

Nothing else reads `os.environ`. The Dagster resources and the `investing` CLI both build from here, so the
two faces always agree (the CLI's drop folder is the sensor's). Secrets are never returned into config: the
Dagster layer passes them on as unresolved `EnvVar`s (see `defs/shared/resources.py`).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from investing_assets.lib.services.sources import Routes

PACKAGE_ROOT = Path(__file__).resolve().parent
# The checkout (or the current directory for an installed wheel): where `.investing/` lives by default.
PROJECT_ROOT = PACKAGE_ROOT.parent if (PACKAGE_ROOT.parent / "pyproject.toml").exists() else Path.cwd()
DAGSTER_YAML = PACKAGE_ROOT / "dagster.yaml"  # the instance template `investing services up` installs

FMP_API_KEY = "FMP_API_KEY"  # the one secret: read only to know whether it is set


def _get(name: str) -> str | None:
    return os.environ.get(name) or None


def home() -> Path:
    """Where local state lives: embedded servers, charts, drop folders (`INVESTING_HOME`, default .investing/)."""
    return Path(_get("INVESTING_HOME") or PROJECT_ROOT / ".investing").resolve()


def dagster_home() -> Path:
    """The Dagster instance's folder (`DAGSTER_HOME`, which `investing services up` sets to <home>/dagster)."""
    return Path(_get("DAGSTER_HOME") or home() / "dagster").resolve()


def charts_folder() -> Path:
    """Where every chart PNG is kept, by kind: `<home>/charts/<kind>/...` (the UI shows them inline too)."""
    return home() / "charts"


def trading_day_start() -> dt.date:
    """Where the calendar starts: the first `trading_day` partition is the first NYSE session on or after it
    (`INVESTING_START`, default 2016-01-04; any date exchange-calendars covers, 1885 on)."""
    text = _get("INVESTING_START") or "2016-01-04"
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"INVESTING_START={text!r} is not a date: use YYYY-MM-DD") from None


def watchlist_start() -> dt.date:
    """First day of the bounded date x symbol watchlist grid (`INVESTING_WATCHLIST_START`)."""
    return dt.date.fromisoformat(_get("INVESTING_WATCHLIST_START") or "2026-01-02")


def pg_url() -> str | None:
    """The warehouse (`INVESTING_PG_URL`); unset: embedded PostgreSQL for the CLI."""
    return _get("INVESTING_PG_URL")


def redis_url() -> str | None:
    """The hot caches (`INVESTING_REDIS_URL`); unset: embedded Redis for the CLI."""
    return _get("INVESTING_REDIS_URL")


EXECUTORS = ("in_process", "celery", "k8s")


def executor() -> str:
    """`INVESTING_EXECUTOR`: where a run's steps execute. in_process (default: the assets are vectorized over the
    universe, so one process per run is fastest on one machine), celery (each step a task on the Celery workers
    that `investing workers up` starts, over the broker `celery_broker()` names) or k8s (each step in its own
    Kubernetes pod: dagster-k8s, the `k8s` extra; deploy/helm/values.yaml)."""
    name = _get("INVESTING_EXECUTOR") or "in_process"
    if name not in EXECUTORS:
        raise ValueError(f"INVESTING_EXECUTOR={name!r} is not one of {', '.join(EXECUTORS)}")
    return name


def celery_broker() -> str | None:
    """The Celery broker and result backend (`INVESTING_CELERY_BROKER`); unset: the hot-cache Redis."""
    return _get("INVESTING_CELERY_BROKER")


def market_source() -> str:
    """`INVESTING_SOURCE`: demo (default), csv, yahoo, fmp or ibkr: the source of every dataset `INVESTING_SOURCES`
    does not route. Set alone, as before per-dataset routing, it is the one source of everything."""
    return _get("INVESTING_SOURCE") or "demo"


def demo_symbols() -> int | None:
    """`INVESTING_DEMO_SYMBOLS`: how many stocks the demo market holds; unset: the about 508 real S&P 500, NASDAQ-100
    and Dow members. More adds synthetic small and mid caps (5000: a US-wide universe), fewer keeps a subset of the
    members (every index and sector ETF keeps a basket; lib/synthetic/tail.py)."""
    from investing_assets.lib.synthetic.tail import MAX_SIZE, MIN_SIZE

    text = _get("INVESTING_DEMO_SYMBOLS")
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"INVESTING_DEMO_SYMBOLS={text!r} is not a whole number") from None
    if not MIN_SIZE <= value <= MAX_SIZE:
        raise ValueError(f"INVESTING_DEMO_SYMBOLS={value}: the demo holds {MIN_SIZE} to {MAX_SIZE} stocks")
    return value


def market_routes() -> Routes:
    """`INVESTING_SOURCES`: a source per dataset over `INVESTING_SOURCE`, e.g. `universe=fmp,bars=yahoo,quotes=yahoo`.
    Datasets: universe, constituents, bars, index_quotes, etf_quotes, commodity_quotes, crypto_quotes, fx_quotes
    (`quotes`: all five), corporate_actions, estimates, news, etf_holdings, fundamentals (demo or ibkr);
    corporate_actions follow bars and constituents the universe unless routed themselves. Checked here: an unknown dataset or source, or a source that
    does not serve what it is routed, is refused with the names that would be right."""
    from investing_assets.lib.services.sources import parse_routes

    return parse_routes(_get("INVESTING_SOURCES"), market_source())


@dataclass(frozen=True)
class IbkrGateway:
    """Where TWS or IB Gateway listens for API clients, and the client id this project connects as."""

    host: str
    port: int
    client_id: int


def ibkr_gateway() -> IbkrGateway:
    """`INVESTING_IBKR_HOST` (default 127.0.0.1), `INVESTING_IBKR_PORT` (default 7497, TWS paper trading; IB Gateway
    listens on 4002), `INVESTING_IBKR_CLIENT_ID` (default 17; unique among the gateway's API clients)."""
    from investing_assets.lib.sources.ibkr import DEFAULT_CLIENT_ID, DEFAULT_HOST, DEFAULT_PORT

    def whole(name: str, default: int, low: int, high: int) -> int:
        text = _get(name)
        if text is None:
            return default
        try:
            value = int(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"{name}={value} is outside {low}..{high}")
        return value

    return IbkrGateway(_get("INVESTING_IBKR_HOST") or DEFAULT_HOST,
                       whole("INVESTING_IBKR_PORT", DEFAULT_PORT, 1, 65535),
                       whole("INVESTING_IBKR_CLIENT_ID", DEFAULT_CLIENT_ID, 0, 2**31 - 1))


def ibkr_fundamentals_budget() -> int:
    """`INVESTING_IBKR_FUNDAMENTALS_BUDGET`: reqFundamentalData requests one daily run may send (default 60, one of
    IBKR's ten-minute windows; three a symbol), so the universe is covered over several days, least recently
    fetched first."""
    text = _get("INVESTING_IBKR_FUNDAMENTALS_BUDGET")
    if text is None:
        return 60
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"INVESTING_IBKR_FUNDAMENTALS_BUDGET={text!r} is not a whole number") from None
    if value < 3:
        raise ValueError(f"INVESTING_IBKR_FUNDAMENTALS_BUDGET={value}: at least 3 (one symbol's three reports)")
    return value


def csv_folder() -> str | None:
    """`INVESTING_CSV_FOLDER`: one `SYMBOL.csv` per symbol, for the csv source."""
    return _get("INVESTING_CSV_FOLDER")


def price_basis() -> str:
    """`INVESTING_PRICE_BASIS`: the prices analytics read, `adjusted` (default: splits and dividends removed,
    lib.analytics.adjustment) or `raw` (the bars as stored)."""
    from investing_assets.lib.analytics.adjustment import check_basis

    return check_basis(_get("INVESTING_PRICE_BASIS") or "adjusted")


def fmp_api_key() -> str | None:
    """The Financial Modeling Prep key, for the CLI only; Dagster keeps it an unresolved `EnvVar`."""
    return _get(FMP_API_KEY)


@dataclass(frozen=True)
class MuniDrop:
    """Where municipal reports arrive and go, and the limits a read enforces."""

    path: str
    quarantine: str | None  # None: <path>/../muni_quarantine
    archive: str | None  # None: <path>/../muni_processed
    settle_seconds: float  # unchanged this long (or across two sensor ticks) = completely written
    max_bytes: int
    max_pages: int
    timeout_seconds: float  # a parser stuck on a malformed PDF is stopped after this
    max_memory_mb: int  # what reading one document may take; more is quarantined as too_much_memory (0: no limit)


def muni_drop() -> MuniDrop:
    """`INVESTING_MUNI_DROP` (default .investing/muni_drop), `_QUARANTINE`, `_ARCHIVE`, `_SETTLE_S`,
    `_MAX_BYTES`, `_MAX_PAGES`, `_TIMEOUT_S`, `_MAX_MEMORY_MB`; the limits default to the reader's own."""
    from investing_assets.lib.muni.drop_folder import DEFAULT_SETTLE_SECONDS
    from investing_assets.lib.muni.extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_PAGES
    from investing_assets.lib.services.muni import DEFAULT_TIMEOUT_S

    return MuniDrop(
        path=_get("INVESTING_MUNI_DROP") or str(home() / "muni_drop"),
        quarantine=_get("INVESTING_MUNI_QUARANTINE"),
        archive=_get("INVESTING_MUNI_ARCHIVE"),
        settle_seconds=float(_get("INVESTING_MUNI_SETTLE_S") or DEFAULT_SETTLE_SECONDS),
        max_bytes=int(_get("INVESTING_MUNI_MAX_BYTES") or DEFAULT_MAX_BYTES),
        max_pages=int(_get("INVESTING_MUNI_MAX_PAGES") or DEFAULT_MAX_PAGES),
        timeout_seconds=float(_get("INVESTING_MUNI_TIMEOUT_S") or DEFAULT_TIMEOUT_S),
        max_memory_mb=int(_get("INVESTING_MUNI_MAX_MEMORY_MB") or DEFAULT_MAX_MEMORY_MB),
    )


CHAT_LLM_KEY = "INVESTING_CHAT_LLM_KEY"  # a secret: sent as the bearer token, never logged or returned


@dataclass(frozen=True)
class ChatLlm:
    """An OpenAI-compatible chat-completions endpoint the chat may parse requests with."""

    url: str  # the base URL, e.g. http://127.0.0.1:11434/v1 (POST <url>/chat/completions)
    model: str
    timeout_seconds: float


def chat_llm() -> ChatLlm | None:
    """`INVESTING_CHAT_LLM_URL` (unset: the deterministic parser only), `INVESTING_CHAT_LLM_MODEL` (default
    gpt-4o-mini), `INVESTING_CHAT_LLM_TIMEOUT_S` (default 20); the key, if the endpoint wants one, in
    `INVESTING_CHAT_LLM_KEY`."""
    url = _get("INVESTING_CHAT_LLM_URL")
    if url is None:
        return None
    return ChatLlm(url.rstrip("/"), _get("INVESTING_CHAT_LLM_MODEL") or "gpt-4o-mini",
                   float(_get("INVESTING_CHAT_LLM_TIMEOUT_S") or 20))


def chat_llm_key() -> str | None:
    return _get(CHAT_LLM_KEY)


def dagster_ui_url() -> str | None:
    """`INVESTING_DAGSTER_UI_URL`: where the Dagster UI answers (`investing dev` sets it for the API it starts), so
    the dashboard's chat panel links each run it launches; unset: the panel shows the run ids alone."""
    url = _get("INVESTING_DAGSTER_UI_URL")
    return url.rstrip("/") if url else None


def api_token() -> str | None:
    """`INVESTING_API_TOKEN`: the bearer token the launch endpoints and MCP over HTTP require when they are
    bound to an address other than loopback (unset: they refuse to launch there)."""
    return _get("INVESTING_API_TOKEN")


def sec_source() -> str:
    """`INVESTING_SEC_SOURCE`: where the SEC EDGAR archives come from, `edgar` (sec.gov) or `demo` (written
    offline, consistent with the demo market); default `demo` when `INVESTING_SOURCE` is demo, else `edgar`."""
    text = _get("INVESTING_SEC_SOURCE") or ("demo" if market_source() == "demo" else "edgar")
    if text not in ("demo", "edgar"):
        raise ValueError(f"INVESTING_SEC_SOURCE={text!r}: use demo or edgar")
    return text


def sec_user_agent() -> str | None:
    """`INVESTING_SEC_USER_AGENT`: the name and contact e-mail SEC asks every client to declare; the EDGAR
    downloader refuses to run without it."""
    return _get("INVESTING_SEC_USER_AGENT")


def sec_folder() -> Path:
    """`INVESTING_SEC_FOLDER` (default <home>/sec): the downloaded or demo-written archives, one folder per week."""
    return Path(_get("INVESTING_SEC_FOLDER") or home() / "sec").resolve()
