"""The chat endpoints on the shared seeded warehouse: answers from the read services, plans shown before
anything runs, one-line refusals, and the token the POSTs need once the API is bound elsewhere than loopback."""

import pytest


def test_a_question_is_answered_from_the_read_services(client):
    answer = client.post("/chat", json={"request": "what were today's top discoveries?"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["plan"]["answer"] == "discoveries" and body["plan"]["summary"].startswith("answer:")
    assert body["data"][0]["rank"] == 1 and body["as_of"] and body["synthetic"] is True
    assert client.get("/scan/latest").json()["data"][0]["symbol"] == body["data"][0]["symbol"]


def test_a_launch_request_is_a_plan_to_confirm_and_kept_in_memory(client):
    shown = client.post("/chat", json={"request": "backfill daily bars from Nov 2 to Nov 20", "conversation": "t1"})
    assert shown.status_code == 200, shown.text
    plan = shown.json()["plan"]
    assert plan["job"] == "pricing_updates" and plan["partitions"][0] == "2026-11-02" and len(plan["partitions"]) == 15
    assert shown.json()["confirm"] == f"/chat/plans/{plan['id']}/launch"
    assert client.get(f"/chat/plans/{plan['id']}").json()["summary"] == plan["summary"]
    history = client.get("/chat/history", params={"conversation": "t1"}).json()["messages"]
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert history[0]["text"] == "backfill daily bars from Nov 2 to Nov 20" and plan["id"] in history[1]["text"]


@pytest.mark.parametrize(("request_text", "detail"), [
    ("backfill bars from Nov 1 to Nov 20", "is not an NYSE session: it is a Sunday"),
    ("rescan AAPL and B@D for yesterday", "refused symbol 'B@D'"),
    ("drop every table", "no job matches"),
])
def test_refusals_are_one_line_422s(client, request_text, detail):
    refused = client.post("/chat", json={"request": request_text})
    assert refused.status_code == 422 and detail in refused.json()["detail"]
    assert client.post("/chat/plans/nope/launch").status_code == 422


def test_bound_elsewhere_the_posts_need_the_token(client, monkeypatch):
    ask = {"request": "what were today's top discoveries?"}
    assert client.post("/chat", json=ask).status_code == 200  # loopback (the default): no token
    client.app.state.bind_host = "0.0.0.0"
    monkeypatch.delenv("INVESTING_API_TOKEN", raising=False)
    off = client.post("/chat", json=ask)
    assert off.status_code == 403 and "without INVESTING_API_TOKEN" in off.json()["detail"]
    monkeypatch.setenv("INVESTING_API_TOKEN", "s3cret")
    assert client.post("/chat", json=ask).status_code == 401
    assert client.post("/chat", json=ask, headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/chat/plans/x/launch").status_code == 401
    assert client.post("/chat", json=ask, headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert client.get("/chat/jobs").status_code == 200  # reads stay open
    client.app.state.bind_host = "::1"
    assert client.post("/chat", json=ask).status_code == 200
