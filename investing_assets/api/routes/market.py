"""Quotes per asset class, the latest scan, a session's discoveries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request

from investing_assets.api.responses import Format, Limit, Offset, window
from investing_assets.api.routes import serve, stores
from investing_assets.lib.services.reads import DEFAULT_LIMIT
from investing_assets.lib.services.reads import market as reads

router = APIRouter(tags=["market"])
AssetClass = Literal["index", "etf", "commodity", "crypto", "fx"]
SESSION = "an NYSE session that has closed, YYYY-MM-DD"


@router.get("/quotes/{asset_class}", summary="Quotes of one asset class: the newest session (Redis first), or one "
                                              "session's")
async def quotes(request: Request, asset_class: AssetClass,
                 session: Annotated[dt.date | None, Query(description=SESSION + " (default: the newest)")] = None,
                 limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.quotes(stores(request), asset_class, window(limit, offset), session),
                       format, hot=session is None)


@router.get("/scan/latest", summary="The newest scanned session's top discoveries, ranked (Redis first)")
async def latest_scan(request: Request, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.latest_scan(stores(request), window(limit, offset)), format, hot=True)


@router.get("/scan/sessions/{session}", summary="Every discovery of one scanned session, in the scan's ranking")
async def discoveries(request: Request, session: Annotated[dt.date, Path(description=SESSION)],
                      limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.discoveries(stores(request), session, window(limit, offset)), format)
