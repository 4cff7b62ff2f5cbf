"""Run and partition status from the Dagster instance."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request

from investing_assets.api.dagster_status import DagsterStatus
from investing_assets.api.responses import Format, Limit, Offset, window
from investing_assets.api.routes import serve
from investing_assets.lib.services.reads import DEFAULT_LIMIT

router = APIRouter(prefix="/dagster", tags=["dagster"])


def status(request: Request) -> DagsterStatus:
    return request.app.state.dagster


@router.get("/runs", summary="The newest runs first; page on with `cursor` (the `next` link)")
async def runs(request: Request,
               status_: Annotated[str | None, Query(alias="status", description="e.g. SUCCESS, FAILURE, STARTED")] = None,
               job: Annotated[str | None, Query(description="a job name")] = None,
               cursor: Annotated[str | None, Query(description="the run id after which to list")] = None,
               limit: Limit = DEFAULT_LIMIT, format: Format = None):
    return await serve(request, lambda: status(request).runs(limit, cursor, status_, job), format)


@router.get("/runs/{run_id}", summary="One run, with its tags")
async def run(request: Request, run_id: str, format: Format = None):
    return await serve(request, lambda: status(request).run(run_id), format)


@router.get("/assets/{asset}/partitions", summary="An asset's partitions by status (materialized, failed, "
                                                  "in_progress), newest first")
async def partitions(request: Request, asset: str,
                     status_: Annotated[Literal["materialized", "failed", "in_progress"] | None,
                                        Query(alias="status")] = None,
                     limit: Limit = DEFAULT_LIMIT, offset: Offset = 0, format: Format = None):
    return await serve(request, lambda: status(request).partitions(asset, window(limit, offset), status_), format)
