"""The OpenAI-compatible path against a tiny local HTTP server that speaks the chat-completions shape (no
network): what the model drafts passes the same validation as the rules' draft, and a model that fails or answers
nonsense leaves the chat on the rules."""

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from investing_assets import settings
from investing_assets.launch.chat import Chat
from investing_assets.launch.intents import Refusal, validate
from investing_assets.launch.llm import LlmUnavailable, parse_llm
from investing_assets.lib.services.reads import Stores
from investing_assets.lib.storage.cache import HotCache

NOW = dt.datetime(2026, 11, 24, 18, tzinfo=dt.UTC)


class FakeModel:
    """Answers every POST /v1/chat/completions with `content` (or `status`), keeping what it was sent."""

    def __init__(self) -> None:
        self.content, self.status, self.received = "{}", 200, []
        model = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                model.received.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
                reply = json.dumps({"id": "x", "object": "chat.completion", "model": body["model"], "choices": [
                    {"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": model.content}}]}).encode()
                self.send_response(model.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def model(monkeypatch):
    fake = FakeModel()
    monkeypatch.setenv("INVESTING_CHAT_LLM_URL", fake.url)
    monkeypatch.setenv("INVESTING_CHAT_LLM_MODEL", "tiny-test")
    monkeypatch.setenv("INVESTING_CHAT_LLM_KEY", "sk-test")
    yield fake
    fake.server.shutdown()


def test_the_models_draft_is_validated_like_the_rules(model):
    model.content = json.dumps({"action": "launch", "job": "pricing_updates", "start": "2026-11-02",
                                "end": "2026-11-20"})
    draft = parse_llm("load bars for the first three weeks of November", NOW.date())
    plan = validate(draft, "x", parsed_by="llm", now=NOW)
    assert (plan.job, len(plan.partitions), plan.partitions[-1]) == ("pricing_updates", 15, "2026-11-20")
    sent = model.received[0]
    assert sent["path"] == "/v1/chat/completions" and sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "tiny-test" and sent["body"]["messages"][1]["content"].startswith("load bars")
    assert "daily_market_scan" in sent["body"]["messages"][0]["content"]  # the allow-list is what it is told
    assert "muni_document_extraction" not in sent["body"]["messages"][0]["content"]


@pytest.mark.parametrize(("content", "refusal"), [
    ('{"action": "launch", "job": "muni_document_extraction"}', "not launched from the chat"),
    ('{"action": "launch", "job": "pricing_updates", "start": "2026-11-22"}', "it is a Sunday"),
    ('{"action": "launch", "job": "daily_market_scan", "symbols": ["AAPL; DROP"]}', "refused symbol"),
    ('```json\n{"action": "launch", "job": "daily_market_scan", "start": "2026-12-21"}\n```', "has not closed"),
])
def test_what_the_model_drafts_cannot_escape_validation(model, content, refusal):
    model.content = content
    with pytest.raises(Refusal, match=refusal):
        validate(parse_llm("anything", NOW.date()), "anything", parsed_by="llm", now=NOW)


def test_a_failing_or_confused_model_leaves_the_chat_on_the_rules(model, redis_url, warehouse):
    chat = Chat(Stores(warehouse, HotCache(redis_url)), runs=lambda run_id: [])
    model.content = json.dumps({"action": "launch", "job": "news_ingestion", "start": "2026-11-20"})
    assert chat.plan("whatever the model says", now=NOW).parsed_by == "llm:tiny-test"
    model.content = "I think you want the news!"
    plan = chat.plan("rescan AAPL for yesterday", now=NOW)
    assert (plan.parsed_by, plan.job, plan.symbols) == ("rules", "daily_market_scan", ["AAPL"])
    model.status = 500
    with pytest.raises(LlmUnavailable):
        parse_llm("x", NOW.date())
    assert chat.plan("retrain the muni model", now=NOW).parsed_by == "rules"


def test_without_a_configured_endpoint_the_rules_parse(monkeypatch, redis_url, warehouse):
    monkeypatch.delenv("INVESTING_CHAT_LLM_URL", raising=False)
    assert settings.chat_llm() is None
    chat = Chat(Stores(warehouse, HotCache(redis_url)), runs=lambda run_id: [])
    assert chat.plan("retrain the muni model", now=NOW).parsed_by == "rules"


def test_the_conversation_survives_a_flushed_redis(monkeypatch, redis_url, warehouse):
    import redis

    from investing_assets.lib.services.model_memory import sync
    from investing_assets.lib.storage.memory import MemoryStore

    monkeypatch.delenv("INVESTING_CHAT_LLM_URL", raising=False)
    chat = Chat(Stores(warehouse, HotCache(redis_url)), runs=lambda run_id: [])
    chat.plan("retrain the muni model", "c9", now=NOW)
    sync(MemoryStore(redis_url), warehouse)
    redis.Redis.from_url(redis_url).flushdb()
    fresh = Chat(Stores(warehouse, HotCache(redis_url)), runs=lambda run_id: [])  # a new process, say
    assert [m["role"] for m in fresh.history("c9")] == ["user", "assistant"]
