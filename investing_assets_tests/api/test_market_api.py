"""Quotes, scans and discoveries over HTTP: the stored values, Redis first, refilled from PostgreSQL when cold."""

import json

import pytest
import redis

from investing_assets.lib.storage.queries.market import quotes_of_session
from investing_assets.lib.storage.queries.technicals import latest_discoveries
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST, SCANNED


@pytest.mark.parametrize("asset_class", ["index", "etf", "commodity", "crypto"])
def test_quotes_come_cold_from_postgresql_then_from_the_refilled_cache(client, redis_url, read_warehouse_url,
                                                                       asset_class):
    key = f"cache:{asset_class}_quotes"
    cache = redis.Redis.from_url(redis_url)
    assert cache.get(key) is None
    cold = client.get(f"/quotes/{asset_class}")
    assert cold.status_code == 200 and cold.headers["X-Served-From"] == "warehouse"
    assert json.loads(cache.get(key))["as_of"] == LAST.isoformat()  # refilled
    warm = client.get(f"/quotes/{asset_class}")
    assert warm.headers["X-Served-From"] == "cache" and warm.content == cold.content
    body = warm.json()
    stored = quotes_of_session(Warehouse(read_warehouse_url), asset_class, LAST)
    assert body["as_of"] == LAST.isoformat() and body["total"] == stored.height
    assert [(q["symbol"], q["open"], q["close"], q["volume"]) for q in body["data"]] == \
        stored.select("symbol", "open", "close", "volume").rows()
    assert body["synthetic"] is True and body["data_note"].startswith("synthetic:")
    assert {q["source"] for q in body["data"]} == {"demo"}


def test_an_earlier_sessions_quotes_and_the_refusals(client):
    earlier = client.get("/quotes/index", params={"session": DAYS[0].isoformat()})
    assert earlier.headers["X-Served-From"] == "warehouse"
    assert {q["session"] for q in earlier.json()["data"]} == {DAYS[0].isoformat()}
    weekend = client.get("/quotes/index", params={"session": "2026-11-22"})
    assert weekend.status_code == 422
    assert weekend.json() == {"detail": "2026-11-22 is not an NYSE session (a Sunday); the nearest sessions are "
                                        "2026-11-20 (Fri) and 2026-11-23 (Mon)"}
    missing = client.get("/quotes/index", params={"session": "2026-11-16"})
    assert missing.status_code == 404 and missing.json() == {"detail": "no index quotes stored for 2026-11-16"}


def test_the_latest_scan_is_the_stored_ranking_from_the_cache(client, read_warehouse_url):
    assert client.get("/scan/latest").headers["X-Served-From"] == "warehouse"
    served = client.get("/scan/latest")
    assert served.headers["X-Served-From"] == "cache"
    body = served.json()
    stored = latest_discoveries(Warehouse(read_warehouse_url), 20)
    assert body["as_of"] == SCANNED[-1].isoformat() and body["synthetic"] is True
    assert [(d["rank"], d["symbol"], d["pattern"], d["score"]) for d in body["data"]] == [
        (k + 1, *row) for k, row in enumerate(stored.select("symbol", "pattern", "score").rows())]


def test_any_scanned_sessions_discoveries(client, read_warehouse_url):
    body = client.get(f"/scan/sessions/{SCANNED[0]}", params={"limit": 1000}).json()
    stored = latest_discoveries(Warehouse(read_warehouse_url), 10_000, SCANNED[0])
    assert body["total"] == stored.height
    assert [(d["symbol"], d["kind"], d["pattern"]) for d in body["data"]] == stored.select(
        "symbol", "kind", "pattern").rows()
    unscanned = client.get(f"/scan/sessions/{DAYS[0]}")
    assert unscanned.status_code == 404
    assert unscanned.json() == {"detail": f"no scan stored for {DAYS[0]}: materialize scan_results for it"}
    holiday = client.get("/scan/sessions/2026-11-26")
    assert holiday.status_code == 422 and "not an NYSE session (an NYSE holiday (Thursday))" in holiday.json()["detail"]
