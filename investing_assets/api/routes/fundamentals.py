"""Industry aggregates and index valuations."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from investing_assets.api.responses import Format, Limit, Offset, window
from investing_assets.api.routes import serve, stores
from investing_assets.lib.services.reads import DEFAULT_LIMIT
from investing_assets.lib.services.reads import fundamentals as reads

router = APIRouter(tags=["fundamentals"])
Session = Annotated[dt.date | None, Query(description="an NYSE session that has closed, YYYY-MM-DD (default: the "
                                                      "newest stored)")]


@router.get("/industry", summary="Sector and industry aggregates of a session")
async def industry(request: Request, session: Session = None,
                   level: Annotated[Literal["sector", "industry"] | None, Query()] = None,
                   limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.industry(stores(request), window(limit, offset), session, level),
                       format)


@router.get("/index-valuations", summary="Each index's forward P/E and earnings yield on a session")
async def valuations(request: Request, session: Session = None, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
                     format: Format = None):
    return await serve(request, lambda: reads.valuations(stores(request), window(limit, offset), session), format)
