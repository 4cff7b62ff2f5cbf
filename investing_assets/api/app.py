"""The FastAPI app: routers, one-line 4xx answers, and the stores it reads (built from `settings` for
`investing serve`, handed in by tests)."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse

from investing_assets import settings
from investing_assets.api import dashboard
from investing_assets.api.dagster_status import DagsterStatus, DagsterUnavailable
from investing_assets.api.responses import NotAcceptable
from investing_assets.api.routes import chat, dagster, fundamentals, market, muni, symbols
from investing_assets.lib.services.reads import NotFound, Refused, Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse

TITLE = "investing-assets read API"
DESCRIPTION = """Quotes, scans, symbol snapshots, industry and index valuations, muni risk and documents, and
Dagster run and partition status. Cached resources are read from Redis first and from PostgreSQL when the cache is
cold (which refills it). Every response carries an ETag (send it back as `If-None-Match` for a 304); lists page with
`limit` / `offset` and a `next` link; `?format=csv` or `Accept: text/csv` gives CSV. Data from the demo source is
labelled `synthetic`."""


def create_app(stores: Stores, dagster_status: DagsterStatus, dagster_ui_url: str | None = None) -> FastAPI:
    """`dagster_ui_url`: where the Dagster UI answers, for the chat panel's links to launched runs (None: ids only)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # What is loaded by now (Dagster, polars, the routes) lives as long as the process: out of the collector's
        # sight, so a full collection pauses a request for what requests allocate, not for the whole of Dagster.
        gc.freeze()
        yield
        dagster_status.close()

    app = FastAPI(title=TITLE, description=DESCRIPTION, version="1", lifespan=lifespan)
    app.state.stores = stores
    app.state.dagster = dagster_status
    app.state.dagster_ui_url = dagster_ui_url
    for family in (market, symbols, fundamentals, muni, dagster, chat):
        app.include_router(family.router)
    dashboard.install(app)
    _answers(app)

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/dashboard")  # the API's own pages stay at /docs

    @app.get("/health", tags=["service"], summary="Whether PostgreSQL and Redis answer")
    def health() -> dict[str, bool]:
        return {"warehouse": stores.warehouse.ping(), "cache": stores.cache.ping()}

    return app


def _answers(app: FastAPI) -> None:
    """Every refusal is `{"detail": "<one line naming what was refused>"}`."""

    def one_line(status: int):
        async def handler(request: Request, exc: Exception) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=status)
        return handler

    app.add_exception_handler(Refused, one_line(422))
    app.add_exception_handler(NotFound, one_line(404))
    app.add_exception_handler(NotAcceptable, one_line(406))
    app.add_exception_handler(DagsterUnavailable, one_line(503))
    app.add_exception_handler(RequestValidationError, _invalid)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's list of errors as one line: `query parameter limit: Input should be ... (got 5000)`."""
    lines = []
    for error in exc.errors():
        where, *name = error.get("loc", ("request",))
        got = f" (got {error['input']!r})" if "input" in error and error["input"] is not None else ""
        lines.append(f"{where} parameter {'.'.join(map(str, name))}: {error.get('msg', 'invalid')}{got}")
    return JSONResponse({"detail": "; ".join(lines)}, status_code=422)


def app_from_settings() -> FastAPI:
    """The app over the configured servers (`investing serve` sets them up first) and DAGSTER_HOME's instance."""
    import dagster as dg

    pg_url, redis_url = settings.pg_url(), settings.redis_url()
    if not pg_url or not redis_url:
        raise RuntimeError("INVESTING_PG_URL and INVESTING_REDIS_URL must be set (`investing serve` sets them)")
    home = str(settings.dagster_home())
    # a cached read runs on the event loop (routes.serve): a Redis that hangs must not hold it for long
    stores = Stores(Warehouse(pg_url), HotCache(redis_url, timeout_s=0.5), settings.market_source())
    return create_app(stores, DagsterStatus(lambda: dg.DagsterInstance.from_config(home)), settings.dagster_ui_url())
