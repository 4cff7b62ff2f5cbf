"""One router per family of resources; `serve` runs a read and renders it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from investing_assets.api.responses import render
from investing_assets.lib.services.reads import Result, Stores


def stores(request: Request) -> Stores:
    return request.app.state.stores


async def serve(request: Request, read: Callable[[], Result], format: str | None = None, *,
                hot: bool = False) -> Response:
    """`read` in a worker thread (a PostgreSQL read must not hold up the event loop), or with `hot` on the loop
    itself: a Redis-first read, whose cache hit is one GET (about 40 us here) while a hop to a worker thread and
    back costs about as much again. A cold cache's one PostgreSQL read, which refills it, then holds up the loop
    once."""
    result = read() if hot else await run_in_threadpool(read)
    return render(request, result, format)
