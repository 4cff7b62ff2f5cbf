"""A symbol's snapshot over HTTP, its parts as lists and CSV, and the 4xx for what cannot be served."""

import csv
import io

from investing_assets.lib.storage.queries.market import read_bars
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.reads._seed import DAYS, LAST


def test_the_snapshot_holds_every_part_and_is_labelled(client, read_warehouse_url):
    body = client.get("/symbols/aapl", params={"days": 20}).json()  # a ticker in any case
    data = body["data"]
    assert body["synthetic"] is True and data["symbol"] == "AAPL" and data["session"] == LAST.isoformat()
    assert {"bars", "indicators", "chart_patterns", "candlestick_patterns", "events", "discoveries", "estimates",
            "news", "profile", "fundamentals"} <= set(data)
    stored = read_bars(Warehouse(read_warehouse_url), DAYS[0], LAST, ["AAPL"])
    assert [(b["session"], b["close"]) for b in data["bars"][-3:]] == [
        (d.isoformat(), c) for d, c in stored.select("session", "close").rows()]
    assert len(data["bars"]) == 20 and data["fundamentals"]["forward_pe"] > 0


def test_a_part_pages_and_comes_as_csv(client):
    bars = client.get("/symbols/MSFT/bars", params={"days": 30, "limit": 10, "offset": 20}).json()
    assert bars["total"] == 30 and len(bars["data"]) == 10 and bars["data"][-1]["session"] == LAST.isoformat()
    response = client.get("/symbols/MSFT/indicators", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["session"] for r in rows] == [d.isoformat() for d in DAYS]
    assert "rsi_14" in rows[0] and float(rows[0]["rsi_14"]) > 0


def test_what_cannot_be_served_is_a_one_line_4xx(client):
    unknown = client.get("/symbols/ZZZZ")
    assert unknown.status_code == 404
    assert unknown.json() == {"detail": "unknown symbol ZZZZ: no stored universe lists it and it has no price history"}
    for text, shown in (("A%20B", "'A B'"), ("-X", "'-X'"), ("AAPL%0A", "'AAPL\\n'")):  # a space, a flag, a newline
        bad = client.get(f"/symbols/{text}")
        assert bad.status_code == 422 and bad.json()["detail"].startswith(f"refused symbol {shown}: a ticker is"), text
    saturday = client.get("/symbols/AAPL", params={"session": "2026-11-21"})
    assert saturday.status_code == 422 and saturday.json()["detail"].startswith("2026-11-21 is not an NYSE session")
    assert client.get("/symbols/AAPL/balance_sheet").status_code == 422
    assert client.get("/symbols/AAPL", params={"days": 0}).status_code == 422
