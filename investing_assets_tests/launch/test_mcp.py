"""`investing mcp` driven by the mcp package's own client: in memory for the tools, over stdio for the command,
and over streamable HTTP the token once bound elsewhere than loopback."""

import datetime as dt
import json
import os
import sys
from pathlib import Path

import anyio
import pytest
from fastapi.testclient import TestClient
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from investing_assets.cli.common import environment, prepare_environment
from investing_assets.launch.chat import Chat
from investing_assets.launch.mcp_server import build_server, http_app, token_required
from investing_assets.lib.core import calendar
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.memory import MemoryStore
from investing_assets.lib.storage.queries.memory import read_launches
from investing_assets.lib.storage.warehouse import Warehouse


def structured(result):
    assert not result.is_error, result.content
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content)
    return json.loads(result.content[0].text)


def call(server, *calls):
    async def go():
        async with Client(server) as client:
            return [await client.call_tool(name, arguments) for name, arguments in calls]
    return anyio.run(go)


@pytest.fixture
def chat(read_warehouse_url, redis_url):
    return Chat(Stores(Warehouse(read_warehouse_url), HotCache(redis_url), "demo"), runs=lambda run_id: [])


def test_the_tools_list_plan_refuse_and_read(chat, redis_url):
    server = build_server(chat)

    async def tools():
        async with Client(server) as client:
            return {tool.name for tool in (await client.list_tools()).tools}
    assert anyio.run(tools) >= {"list_jobs", "list_assets", "plan_request", "plan_job", "launch", "run_status",
                                "read_cache"}
    jobs, assets, plan, refused, fields, off_list, cache, memory = call(
        server, ("list_jobs", {}), ("list_assets", {}), ("plan_request", {"request": "rescan AAPL for yesterday"}),
        ("plan_request", {"request": "backfill bars from Nov 1 to Nov 20"}),
        ("plan_job", {"job": "pricing_updates", "start": "2026-11-02", "end": "2026-11-06"}),
        ("plan_job", {"job": "muni_document_extraction"}), ("read_cache", {"name": "scan"}),
        ("read_cache", {"name": "memory:chat:mcp"}))
    names = {job["job"]: job for job in structured(jobs)}
    assert names["daily_market_scan"]["launchable"] and not names["muni_document_extraction"]["launchable"]
    assert any(a["asset"] == "model_memory" and a["jobs"] == ["model_memory_sync"] for a in structured(assets))
    resolved = structured(plan)
    assert (resolved["job"], resolved["symbols"]) == ("daily_market_scan", ["AAPL"]) and resolved["id"]
    assert refused.is_error and "is not an NYSE session: it is a Sunday" in refused.content[0].text
    assert structured(fields)["partitions"] == ["2026-11-02", "2026-11-03", "2026-11-04", "2026-11-05", "2026-11-06"]
    assert off_list.is_error and "drop folder" in off_list.content[0].text
    assert structured(cache)["data"][0]["rank"] == 1
    assert any(m["text"] == "rescan AAPL for yesterday" for m in structured(memory)["data"].values())
    assert MemoryStore(redis_url).values("chat:plans")[resolved["id"]]["job"] == "daily_market_scan"


def test_launch_through_mcp_runs_the_plan(env, redis_url):
    with environment(prepare_environment()):
        chat = Chat(Stores(Warehouse(env), HotCache(redis_url)), runs=lambda run_id: [{"run_id": run_id}],
                    by="investing mcp")
        server = build_server(chat)
        (plan,) = call(server, ("plan_request", {"request": "sync the model memory"}))
        (launched,) = call(server, ("launch", {"plan_id": structured(plan)["id"]}))
    outcome = structured(launched)
    assert list(outcome["runs"].values()) == ["SUCCESS"]
    assert read_launches(Warehouse(env))[0]["launched_by"] == "investing mcp"


def test_investing_mcp_over_stdio(env, tmp_path):
    params = StdioServerParameters(command=str(Path(sys.executable).with_name("investing")), args=["mcp"],
                                   env={**os.environ}, cwd=str(Path(__file__).resolve().parents[2]))

    async def go():
        async with Client(params) as client:
            tools = {tool.name for tool in (await client.list_tools()).tools}
            plan = await client.call_tool("plan_request", {"request": "retrain the muni model"})
            api = await client.call_tool("api", {"path": "/chat/jobs"})
            return tools, plan, api
    tools, plan, api = anyio.run(go)
    assert "api" in tools and "launch" in tools
    month = calendar.in_new_york(dt.datetime.now(dt.UTC)).date().replace(day=1).isoformat()
    assert structured(plan)["partitions"] == [month]
    assert any(job["job"] == "pricing_updates" for job in structured(api)["body"])


def test_mcp_over_http_bound_elsewhere_needs_the_token(chat, monkeypatch):
    monkeypatch.delenv("INVESTING_API_TOKEN", raising=False)
    with pytest.raises(SystemExit, match="without INVESTING_API_TOKEN"):
        token_required("0.0.0.0")
    token_required("127.0.0.1")  # loopback needs none
    monkeypatch.setenv("INVESTING_API_TOKEN", "s3cret")
    app = http_app(build_server(chat), "0.0.0.0")
    hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with TestClient(app) as client:
        assert client.post("/mcp", json=hello, headers=headers).status_code == 401
        assert client.post("/mcp", json=hello, headers={**headers, "Authorization": "Bearer no"}).status_code == 401
        answered = client.post("/mcp", json=hello, headers={**headers, "Authorization": "Bearer s3cret"})
        assert answered.status_code == 200, answered.text


def test_every_face_binds_loopback_by_default():
    from investing_assets.cli import build_parser
    from investing_assets.launch.access import is_loopback

    parser = build_parser()
    assert parser.parse_args(["mcp"]).transport == "stdio"
    for face in (["mcp", "--transport", "streamable-http"], ["serve"]):
        assert is_loopback(parser.parse_args(face).host)
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and is_loopback("localhost")
