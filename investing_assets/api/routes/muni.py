"""Muni risk scores and the documents they are read from."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from investing_assets.api.responses import Format, Limit, Offset, window
from investing_assets.api.routes import serve, stores
from investing_assets.lib.services.reads import DEFAULT_LIMIT
from investing_assets.lib.services.reads import muni as reads

router = APIRouter(prefix="/muni", tags=["muni"])


@router.get("/risk", summary="Issuers' distress probabilities, riskiest first: the newest scored session (Redis "
                             "first) or one session's")
async def risk(request: Request,
               session: Annotated[dt.date | None, Query(description="an NYSE session that has closed, YYYY-MM-DD "
                                                                    "(default: the newest scored)")] = None,
               limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.risk_scores(stores(request), window(limit, offset), session), format,
                       hot=session is None)


@router.get("/documents", summary="The documents read from the drop folder, newest first")
async def documents(request: Request, status: Annotated[Literal["extracted", "quarantined"] | None, Query()] = None,
                    limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: reads.documents(stores(request), window(limit, offset), status), format)


@router.get("/documents/{key}", summary="One document and its metrics, each with the page and line it came from")
async def document(request: Request, key: str, format: Format = None):
    return await serve(request, lambda: reads.document(stores(request), key), format)


@router.get("/documents/{key}/metrics", summary="One document's metrics as a list (CSV too)")
async def document_metrics(request: Request, key: str, limit: Limit = DEFAULT_LIMIT, offset: Offset = 0,
                           format: Format = None):
    return await serve(request, lambda: reads.document_metrics(stores(request), key, window(limit, offset)), format)
