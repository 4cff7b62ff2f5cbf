"""`investing mcp`: the chat launcher's tools over the Model Context Protocol (mcp's MCPServer), so any MCP chat
client can drive the platform with the same allow-list, validation and two-step confirmation as the chat: a
`plan_*` tool resolves and validates, `launch` runs a plan by its id.

Over stdio the client is this machine's own process; over streamable HTTP bound elsewhere than loopback every
request must carry `Authorization: Bearer <INVESTING_API_TOKEN>` (`serve_http` refuses to start without one).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Awaitable, Callable
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from investing_assets import settings
from investing_assets.launch import access, catalog, intents
from investing_assets.launch.chat import Chat, open_launcher
from investing_assets.launch.intents import Draft, Refusal
from investing_assets.lib.core import calendar
from investing_assets.lib.services.reads import NotFound, Refused, Window
from investing_assets.lib.services.reads import market as market_reads
from investing_assets.lib.storage.memory import MemoryStore

INSTRUCTIONS = ("Launch the investing-assets Dagster jobs and read their results. Call plan_request (words) or "
                "plan_job (fields) first, show the user the plan's summary, and call launch with its plan_id only "
                "after they confirm.")


def build_server(chat: Chat, api_get: Callable[[str], Awaitable[Any]] | None = None,
                 launcher_factory=open_launcher) -> MCPServer:
    """The tools over `chat`; `api_get` (a GET on the read API, given by the CLI) backs the `api` tool."""
    server = MCPServer("investing-assets", instructions=INSTRUCTIONS)

    def refused(call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (Refusal, Refused, NotFound, ValueError) as exc:
            raise ToolError(str(exc)) from None

    @server.tool(description="Every job: its partitioning, assets, and whether the chat may launch it (and why not).")
    def list_jobs() -> list[dict]:
        return [entry.to_dict() for entry in catalog.jobs().values()]

    @server.tool(description="Every asset: group, partitioning, description and the jobs that materialize it.")
    def list_assets() -> list[dict]:
        return catalog.assets()

    @server.tool(description="Resolve a request in words ('backfill daily bars from Nov 2 to Nov 20', 'what were "
                             "today's top discoveries?') into a validated plan; nothing runs yet.")
    def plan_request(request: str) -> dict:
        return refused(lambda: chat.plan(request, "mcp").to_dict())

    @server.tool(description="A validated plan from fields: job, start and end sessions (YYYY-MM-DD; a backfill "
                             "when they differ; none: the last closed session), month (YYYY-MM, monthly jobs), "
                             "symbols (the scan, the watchlist reports). Nothing runs yet.")
    def plan_job(job: str, start: str | None = None, end: str | None = None, month: str | None = None,
                 symbols: list[str] | None = None) -> dict:
        def make() -> dict:
            draft = Draft(action="launch", job=job, start=start, end=end or start, month=month,
                          symbols=list(symbols or []))
            plan = intents.validate(draft, f"plan_job {job} {start or ''} {end or ''}".strip(), parsed_by="mcp")
            return chat.keep_plan(plan, "mcp").to_dict()
        return refused(make)

    @server.tool(description="Launch (or answer) a plan by its plan_id, after the user confirmed its summary. "
                             "Returns the run ids (or the backfill id) or the answer.")
    def launch(plan_id: str) -> dict:
        return refused(lambda: chat.confirm(plan_id, launcher_factory))

    @server.tool(description="One run's status by id (a prefix will do), or the newest runs.")
    def run_status(run_id: str | None = None) -> list[dict]:
        return refused(lambda: chat.runs(run_id))

    @server.tool(description="A hot cache: scan (the latest scan's top discoveries), quotes:<index|etf|commodity|"
                             "crypto|fx>, discoveries:<session>, or memory:<namespace> (model memory).")
    def read_cache(name: str) -> dict:
        return refused(lambda: _read_cache(chat, name))

    if api_get is not None:
        @server.tool(description="GET a read-API resource (see /openapi.json), e.g. /symbols/AAPL or "
                                 "/muni/risk-scores?limit=5.")
        async def api(path: str) -> dict:
            if not path.startswith("/") or "://" in path:
                raise ToolError(f"not an API path: {path!r} (e.g. /scan/latest)")
            try:
                return {"path": path, "body": await api_get(path)}
            except ValueError as refused:
                raise ToolError(str(refused)) from None

    _resources(server, chat, refused)
    return server


def _resources(server: MCPServer, chat: Chat, refused: Callable[[Callable[[], Any]], Any]) -> None:
    @server.resource("investing://jobs", description="The jobs and whether the chat may launch them.",
                     mime_type="application/json")
    def jobs_resource() -> list[dict]:
        return [entry.to_dict() for entry in catalog.jobs().values()]

    @server.resource("investing://scan/latest", description="The latest scan's top discoveries.",
                     mime_type="application/json")
    def scan_resource() -> dict:
        return refused(lambda: _read_cache(chat, "scan"))


def _read_cache(chat: Chat, name: str) -> dict:
    kind, _, argument = name.partition(":")
    if kind == "scan":
        result = market_reads.latest_scan(chat.stores, Window(limit=20))
    elif kind == "quotes":
        result = market_reads.quotes(chat.stores, argument or "index", Window(limit=100))
    elif kind == "discoveries":
        try:
            session = dt.date.fromisoformat(argument)
        except ValueError:
            raise Refusal(f"not a session: {argument!r} (use discoveries:YYYY-MM-DD)") from None
        if not calendar.is_session(session):
            raise Refusal(f"{argument} is not an NYSE session: {calendar.nearest_sessions(session)}")
        result = market_reads.discoveries(chat.stores, session, Window(limit=20))
    elif kind == "memory":
        return {"data": MemoryStore(chat.stores.cache.url).values(argument)}
    else:
        raise Refusal(f"unknown cache {name!r}: scan, quotes:<class>, discoveries:<session> or memory:<namespace>")
    return {"data": result.data, "as_of": result.as_of, "origin": result.origin, "synthetic": result.label.synthetic}


def token_required(host: str) -> None:
    """Refuses (one line) to serve MCP over HTTP elsewhere than loopback without a token."""
    if not access.is_loopback(host) and not settings.api_token():
        raise SystemExit(f"refusing to serve MCP on {host} without INVESTING_API_TOKEN (bind 127.0.0.1, or set a "
                         "token the clients send as `Authorization: Bearer <token>`)")


class BearerToken:
    """ASGI middleware: every HTTP request passes `access.check` for the bound host, else 401/403."""

    def __init__(self, app, host: str) -> None:
        self.app, self.host = app, host

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            sent = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
            try:
                access.check(self.host, sent or None)
            except access.Forbidden as refused:
                body = json.dumps({"detail": str(refused)}).encode()
                await send({"type": "http.response.start", "status": refused.status,
                            "headers": [(b"content-type", b"application/json"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


def http_app(server: MCPServer, host: str):
    """The streamable-HTTP app, behind the token when `host` is not loopback."""
    token_required(host)
    return BearerToken(server.streamable_http_app(host=host), host)


def serve_http(server: MCPServer, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(http_app(server, host), host=host, port=port, log_level="warning")
