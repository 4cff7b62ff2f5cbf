"""Industry aggregates, index valuations, muni scores and documents over HTTP."""

import csv
import io

import redis

from investing_assets.lib.storage.queries.fundamentals import industry_aggregates_of, latest_index_valuations
from investing_assets.lib.storage.queries.muni import read_risk_scores
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST, MUNI_SESSIONS


def test_industry_aggregates_and_index_valuations_are_the_stored_ones(client, read_warehouse_url):
    warehouse = Warehouse(read_warehouse_url)
    sectors = client.get("/industry", params={"level": "sector"}).json()
    stored = industry_aggregates_of(warehouse, LAST, "sector")
    assert sectors["as_of"] == LAST.isoformat() and sectors["synthetic"] is True
    assert [(s["name"], s["members"], s["forward_pe"]) for s in sectors["data"]] == stored.select(
        "name", "members", "forward_pe").rows()
    earlier = client.get("/industry", params={"session": DAYS[0].isoformat(), "limit": 5}).json()
    assert earlier["as_of"] == DAYS[0].isoformat() and earlier["next"] and len(earlier["data"]) == 5
    valuations = client.get("/index-valuations").json()
    assert [(v["index_code"], v["earnings_yield"]) for v in valuations["data"]] == latest_index_valuations(
        warehouse).select("index_code", "earnings_yield").rows()
    assert client.get("/industry", params={"session": "2026-11-17"}).status_code == 404


def test_muni_scores_come_from_the_cache_once_refilled(client, redis_url, read_warehouse_url):
    cold = client.get("/muni/risk", params={"limit": 1000})
    assert cold.headers["X-Served-From"] == "warehouse"
    assert redis.Redis.from_url(redis_url).get("cache:muni_risk:latest")
    warm = client.get("/muni/risk", params={"limit": 1000})
    assert warm.headers["X-Served-From"] == "cache" and warm.content == cold.content
    body = warm.json()
    stored = read_risk_scores(Warehouse(read_warehouse_url), MUNI_SESSIONS[-1])
    assert [(r["issuer"], r["probability"], r["bucket"]) for r in body["data"]] == stored.select(
        "issuer", "probability", "bucket").rows()
    assert body["model_version"] == stored.item(0, "model_version")
    assert body["synthetic"] is True and "made-up issuers" in body["data_note"]
    assert {"document", "synthetic"} == {r["source"] for r in body["data"]}
    older = client.get("/muni/risk", params={"session": MUNI_SESSIONS[0].isoformat()})
    assert older.headers["X-Served-From"] == "warehouse" and older.json()["as_of"] == MUNI_SESSIONS[0].isoformat()


def test_a_documents_metrics_carry_their_pages(client):
    listed = client.get("/muni/documents").json()
    [document] = listed["data"]
    assert document["status"] == "extracted" and "stored_path" not in document
    found = client.get(f"/muni/documents/{document['document_key']}").json()["data"]
    stated = [m for m in found["metrics"] if m["value"] is not None]
    assert stated and all(isinstance(m["page"], int) and m["page"] >= 1 and m["line"] for m in stated)
    response = client.get(f"/muni/documents/{document['document_key']}/metrics", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["metric"], r["page"]) for r in rows] == [(m["metric"], str(m["page"] or "")) for m in found["metrics"]]
    assert client.get("/muni/documents/not-a-document").status_code == 404
    assert client.get("/muni/documents/Bad_Key").json()["detail"].startswith("refused document key 'Bad_Key'")
