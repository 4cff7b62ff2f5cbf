"""`investing chat [REQUEST]` and `investing mcp`: the chat launcher in a terminal, and its tools over MCP.

`investing chat "backfill daily bars from Nov 2 to Nov 20"` shows the resolved job and partitions, asks to confirm,
then launches (through Dagster: in this process, or submitted to `make dev`'s daemon when one runs) and prints
the run ids; a question ("what were today's top discoveries?") is answered from the read services. Without a
REQUEST it reads requests line by line until an empty line or EOF.
"""

from __future__ import annotations

import argparse
import json
import sys

from investing_assets.cli.arguments import port

CONVERSATION = "cli"


def register(sub: argparse._SubParsersAction) -> None:
    chat = sub.add_parser("chat", help="launch any job or ask in words (shows the plan and asks before launching)")
    chat.add_argument("request", nargs="*", help="e.g. 'rescan AAPL and MSFT for yesterday' (none: read lines)")
    chat.add_argument("--yes", action="store_true", help="launch without asking (the plan is still printed)")
    chat.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    chat.add_argument("--json", action="store_true", help="print plans, answers and launches as JSON")
    chat.add_argument("--conversation", default=CONVERSATION, help="the conversation in model memory")
    chat.set_defaults(func=cmd_chat)

    mcp = sub.add_parser("mcp", help="the chat's tools over the Model Context Protocol (stdio by default)")
    mcp.add_argument("--transport", choices=["stdio", "streamable-http"], default="stdio")
    mcp.add_argument("--host", default="127.0.0.1", help="for streamable-http (elsewhere than loopback: "
                                                         "INVESTING_API_TOKEN is required)")
    mcp.add_argument("--port", type=port, default=8765)
    mcp.set_defaults(func=cmd_mcp)


def cmd_chat(args: argparse.Namespace) -> int:
    from investing_assets.cli.common import environment, prepare_environment

    with environment(prepare_environment()):
        chat = cli_chat()
        if args.request:
            return _one(chat, " ".join(args.request), args)
        code = 0
        while True:
            try:
                line = input("> " if sys.stdin.isatty() else "")
            except EOFError:
                break
            if not line.strip():
                break
            code = max(code, _one(chat, line.strip(), args))
        return code


def cli_chat():
    """The chat over the configured servers (set up by the caller) and DAGSTER_HOME's instance."""
    import dagster as dg

    from investing_assets import settings
    from investing_assets.launch.chat import Chat
    from investing_assets.launch.runs import run_status
    from investing_assets.lib.services.reads import Stores
    from investing_assets.lib.storage.cache import HotCache
    from investing_assets.lib.storage.warehouse import Warehouse

    def runs(run_id: str | None) -> list[dict]:
        with dg.DagsterInstance.from_config(str(settings.dagster_home())) as instance:
            return run_status(instance, run_id)

    stores = Stores(Warehouse(settings.pg_url()), HotCache(settings.redis_url()), settings.market_source())
    return Chat(stores, runs, by="investing chat")


def _one(chat, text: str, args: argparse.Namespace) -> int:
    from investing_assets.launch.intents import Refusal
    from investing_assets.lib.services.reads import NotFound

    try:
        plan = chat.plan(text, args.conversation)
    except Refusal as refusal:
        print(f"investing chat: {refusal}", file=sys.stderr)
        return 2
    print(json.dumps(plan.to_dict(), default=str) if args.json else f"plan {plan.id}: {plan.describe()}")
    if args.dry_run:
        return 0
    if plan.action == "launch" and not args.yes and not _confirmed():
        print("not launched")
        return 1
    try:
        outcome = chat.confirm(plan.id)
    except (Refusal, NotFound) as refusal:
        print(f"investing chat: {refusal}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(outcome, default=str))
    elif plan.action == "answer":
        _print_answer(outcome)
    else:
        where = {"graphql": "submitted through the Dagster webserver's GraphQL",
                 "daemon-queue": "submitted to the running daemon"}.get(outcome["path"], "launched")
        if outcome["fallback"]:
            print(f"{outcome['fallback']}: launched through the instance instead", file=sys.stderr)
        runs = ", ".join(f"{run_id} ({status})" for run_id, status in outcome["runs"].items())
        backfill = f" as backfill {outcome['backfill_id']}" if outcome["backfill_id"] else ""
        print(f"{where} {outcome['job']}{backfill}: {runs or 'runs follow in the UI'}")
        if any(status not in ("SUCCESS", "QUEUED", "NOT_STARTED") for status in outcome["runs"].values()):
            return 1
    return 0


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        print("investing chat: not a terminal, so nothing to confirm with: pass --yes", file=sys.stderr)
        return False
    return input("launch it? [y/N] ").strip().lower() in ("y", "yes")


def _print_answer(outcome: dict) -> None:
    data = outcome.get("data")
    if outcome.get("synthetic"):
        print("(synthetic demo data)")
    if outcome.get("as_of"):
        print(f"as of {outcome['as_of']}")
    rows = data if isinstance(data, list) else [data]
    for row in rows[:20]:
        if isinstance(row, dict) and "symbol" in row and "pattern" in row:
            print(f"  {row.get('rank', ''):>3} {row['symbol']:<8} {row['pattern']:<28} {row.get('direction', ''):<8} "
                  f"score {row.get('score', 0):.2f}")
        else:
            print(f"  {json.dumps(row, default=str)}")


def cmd_mcp(args: argparse.Namespace) -> int:
    """stdout is the protocol's channel over stdio: what setting up the servers prints goes to stderr."""
    import contextlib

    from investing_assets.cli.common import environment, prepare_environment
    from investing_assets.launch.mcp_server import build_server, serve_http, token_required

    if args.transport != "stdio":
        token_required(args.host)  # refused before the servers start
    with contextlib.redirect_stdout(sys.stderr):
        env = prepare_environment()
    with environment(env):
        server = build_server(cli_chat(), api_get=read_api())
        if args.transport == "stdio":
            server.run("stdio")
        else:
            serve_http(server, args.host, args.port)
    return 0


def read_api():
    """A GET on the read API in this process (no server to start): what the MCP `api` tool answers with."""
    import logging

    import httpx2

    from investing_assets.api.app import app_from_settings

    logging.getLogger("httpx2").setLevel(logging.WARNING)  # a line per request on stderr otherwise
    app = app_from_settings()

    async def get(path: str):
        async with httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://api") as client:
            response = await client.get(path)
        if response.status_code >= 400:
            raise ValueError(f"GET {path}: {response.status_code} {response.json().get('detail', '')}")
        return response.json()

    return get
