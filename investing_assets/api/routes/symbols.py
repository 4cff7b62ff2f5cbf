"""A symbol's snapshot and each of its parts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from investing_assets.api.responses import Format, Limit, Offset, window
from investing_assets.api.routes import serve, stores
from investing_assets.lib.services.reads import DEFAULT_LIMIT
from investing_assets.lib.services.reads import symbols as reads

router = APIRouter(tags=["symbols"])
Part = Literal["bars", "indicators", "chart_patterns", "candlestick_patterns", "events", "discoveries", "estimates",
               "news"]
Session = Annotated[dt.date | None, Query(description="an NYSE session that has closed, YYYY-MM-DD (default: the "
                                                      "symbol's newest listed session)")]
Days = Annotated[int, Query(ge=1, le=reads.MAX_DAYS, description="sessions in the window, ending at the session")]


@router.get("/symbols/{symbol}", summary="Bars, indicators, patterns and events, discoveries, estimates, news and "
                                         "fundamentals of one symbol over a window")
async def snapshot(request: Request, symbol: str, session: Session = None, days: Days = reads.DEFAULT_DAYS,
                   format: Format = None):
    return await serve(request, lambda: reads.snapshot(stores(request), symbol.upper(), session, days), format)


@router.get("/symbols/{symbol}/{part}", summary="One part of a symbol's snapshot as a list (CSV too)")
async def snapshot_part(request: Request, symbol: str, part: Part, session: Session = None,
                        days: Days = reads.DEFAULT_DAYS, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
                        format: Format = None):
    return await serve(request, lambda: reads.part(stores(request), symbol.upper(), part, window(limit, offset),
                                                   session, days), format)
