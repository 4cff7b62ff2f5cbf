"""The chat launcher over HTTP, for the dashboard's chat panel: POST a request, show the plan, POST its launch.

Bound to loopback (the default) anyone on this machine may plan and launch; bound elsewhere the two POSTs need
`Authorization: Bearer <INVESTING_API_TOKEN>` (launch/access.py). A launch goes through the Dagster webserver's
GraphQL when one is known (`INVESTING_DAGSTER_UI_URL`; returns at once), else runs through Dagster in this process
(the request waits for it) or, when `make dev`'s daemon runs, is submitted to its queue and returns at once.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from pydantic import BaseModel, Field

from investing_assets.launch import access, catalog
from investing_assets.launch.chat import Chat
from investing_assets.launch.intents import Refusal
from investing_assets.lib.services.reads import NotFound

router = APIRouter(prefix="/chat", tags=["chat"])
LOOPBACK = "127.0.0.1"


class ChatRequest(BaseModel):
    request: str = Field(min_length=1, max_length=500, examples=["backfill daily bars from Nov 2 to Nov 20"])
    conversation: str = Field("web", pattern=r"^[A-Za-z0-9_.-]{1,64}$")


def may_launch(request: Request, authorization: Annotated[str | None, Header()] = None) -> None:
    """The bound host is what `investing serve --host` set (app.state.bind_host; loopback by default)."""
    try:
        access.check(getattr(request.app.state, "bind_host", LOOPBACK), authorization)
    except access.Forbidden as refused:
        raise HTTPException(refused.status, str(refused)) from None


def chat_of(request: Request) -> Chat:
    status = request.app.state.dagster

    def runs(run_id: str | None) -> list[dict]:
        return [status.run(run_id).data] if run_id else status.runs(10).data

    return Chat(request.app.state.stores, runs, by="investing serve /chat",
                webserver=getattr(request.app.state, "dagster_ui_url", None))


@router.post("", summary="Resolve a request into a validated plan (answers come back at once); nothing runs",
             dependencies=[Depends(may_launch)])
def plan(body: ChatRequest, request: Request) -> dict[str, Any]:
    chat = chat_of(request)
    try:
        shown = chat.plan(body.request, body.conversation)
        if shown.action == "answer":
            return {"plan": shown.to_dict(), **chat.confirm(shown.id)}
    except (Refusal, NotFound) as refusal:
        raise HTTPException(422, str(refusal)) from None
    return {"plan": shown.to_dict(), "confirm": f"/chat/plans/{shown.id}/launch"}


@router.post("/plans/{plan_id}/launch", summary="Launch a plan shown before (re-validated first): its run ids",
             dependencies=[Depends(may_launch)])
def launch(plan_id: str, request: Request) -> dict[str, Any]:
    try:
        return chat_of(request).confirm(plan_id)
    except (Refusal, NotFound) as refusal:
        raise HTTPException(422, str(refusal)) from None


@router.get("/plans/{plan_id}", summary="A plan shown before")
def stored(plan_id: str, request: Request) -> dict[str, Any]:
    try:
        return chat_of(request).stored_plan(plan_id).to_dict()
    except Refusal as refusal:
        raise HTTPException(404, str(refusal)) from None


@router.get("/history", summary="A conversation's messages, oldest first (model memory)")
def history(request: Request, conversation: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")] = "web"):
    return {"conversation": conversation, "messages": chat_of(request).history(conversation)}


@router.get("/jobs", summary="Every job, and whether the chat may launch it")
def jobs() -> list[dict[str, Any]]:
    return [entry.to_dict() for entry in catalog.jobs().values()]
