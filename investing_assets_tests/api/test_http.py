"""What every resource shares: OpenAPI, ETag and 304, pagination with next links, CSV, one-line refusals."""

import csv
import io

import redis

from investing_assets.lib.storage.cache import HotCache
from investing_assets_tests.lib.services.reads._seed import LAST, SCANNED


def test_openapi_describes_every_resource(client):
    assert "swagger" in client.get("/docs").text.lower()
    assert client.get("/", follow_redirects=False).headers["location"] == "/dashboard"
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/quotes/{asset_class}", "/scan/latest", "/scan/sessions/{session}", "/symbols/{symbol}",
            "/symbols/{symbol}/{part}", "/industry", "/index-valuations", "/muni/risk", "/muni/documents",
            "/muni/documents/{key}", "/dagster/runs", "/dagster/assets/{asset}/partitions"} <= paths


def test_an_etag_answers_304_until_the_data_changes(client, redis_url):
    first = client.get("/quotes/etf")
    assert first.status_code == 200 and first.headers["X-Served-From"] == "warehouse"
    etag = first.headers["ETag"]
    again = client.get("/quotes/etf", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == etag
    assert again.headers["X-Served-From"] == "cache"  # the same body from Redis: the same tag
    for form in (f'W/{etag}', f'"other", {etag}', "*"):
        assert client.get("/quotes/etf", headers={"If-None-Match": form}).status_code == 304
    assert client.get("/quotes/etf", headers={"If-None-Match": '"stale"'}).status_code == 200
    assert client.get("/quotes/etf?limit=2", headers={"If-None-Match": etag}).status_code == 200  # another page

    HotCache(redis_url).publish("cache:etf_quotes", [{"symbol": "SPY", "close": 1.0, "source": "demo"}], as_of=LAST)
    changed = client.get("/quotes/etf", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.json()["data"] == [{"symbol": "SPY", "close": 1.0, "source": "demo"}]


def test_pages_link_to_the_next_until_every_row_is_served(client):
    first = client.get(f"/scan/sessions/{SCANNED[-1]}", params={"limit": 25})
    body = first.json()
    total, rows, url = body["total"], body["data"], body["next"]
    assert total > 50 and len(rows) == 25 and first.headers["X-Total-Count"] == str(total)
    assert first.headers["Link"] == f'<{url}>; rel="next"'
    while url:
        page = client.get(url).json()
        rows += page["data"]
        url = page["next"]
    assert [row["rank"] for row in rows] == list(range(1, total + 1))
    last = client.get(f"/scan/sessions/{SCANNED[-1]}", params={"limit": 25, "offset": total - 5})
    assert len(last.json()["data"]) == 5 and last.json()["next"] is None and "Link" not in last.headers


def test_a_page_is_bounded(client):
    too_many = client.get("/scan/latest", params={"limit": 1001})
    assert too_many.status_code == 422
    assert too_many.json() == {"detail": "query parameter limit: Input should be less than or equal to 1000 (got "
                                         "'1001')"}
    assert client.get("/scan/latest", params={"offset": -1}).status_code == 422


def test_csv_by_parameter_or_accept_header_holds_the_json_rows(client):
    as_json = client.get("/quotes/index").json()
    for response in (client.get("/quotes/index?format=csv"), client.get("/quotes/index", headers={"Accept": "text/csv"})):
        assert response.headers["content-type"] == "text/csv; charset=utf-8"
        assert response.headers["X-Synthetic"] == "true" and response.headers["X-Data-Note"].startswith("synthetic:")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [(r["symbol"], float(r["close"])) for r in rows] == [(q["symbol"], q["close"]) for q in as_json["data"]]
    assert client.get("/quotes/index?format=json", headers={"Accept": "text/csv"}).headers["content-type"] == \
        "application/json"


def test_csv_of_lists_in_rows_is_json_text(client):
    response = client.get("/muni/risk", params={"format": "csv", "limit": 3})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 3 and rows[0]["top_drivers"].startswith('["')


def test_a_nested_document_is_not_csv(client):
    response = client.get("/symbols/AAPL?format=csv")
    assert response.status_code == 406
    assert response.json()["detail"].startswith("/symbols/AAPL is one nested document, not a table")


def test_malformed_parameters_are_refused_in_one_line(client):
    assert client.get("/scan/sessions/2026-13-01").json()["detail"].startswith(
        "path parameter session: Input should be a valid date")
    assert client.get("/quotes/bond").json()["detail"].startswith("path parameter asset_class: Input should be")
    assert client.get("/quotes/etf?format=xml").status_code == 422


def test_health_says_both_stores_answer(client, redis_url):
    assert client.get("/health").json() == {"warehouse": True, "cache": True}
    assert redis.Redis.from_url(redis_url).ping()
