"""The dashboard's pages over HTTP (no browser): what each page says it read, the synthetic label, the screener's
export and refusals, plotly.js served from the pinned package."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import plotly
import pytest
import redis

from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.reads._seed import LAST, SCANNED

PAGES = ["/dashboard", "/dashboard/screener", "/dashboard/symbols/AAPL", "/dashboard/discoveries", "/dashboard/muni"]


def figures(html: str) -> dict[str, dict]:
    """The plotly figures a page hands to plotly.js, by the id of their div."""
    import html as entities

    return {chart: json.loads(entities.unescape(figure))
            for chart, figure in re.findall(r'<div class="chart" id="([^"]+)" data-figure="([^"]*)"', html)}


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_labelled_synthetic_and_loads_only_local_scripts(client, path):
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="synthetic-banner"' in page.text and "synthetic:" in page.text
    assert re.findall(r'<script src="([^"]+)"', page.text) == [
        f"/dashboard/static/plotly.min.js?v={plotly.__version__}", "/dashboard/static/dashboard.js"]
    assert "http://" not in page.text.split("<body>")[0] and "https://" not in page.text.split("<body>")[0]
    assert figures(page.text), f"{path} draws no figure"
    # the chat panel on every page; no Dagster UI URL known to this app, so no link to one
    assert '<aside id="chat-panel" data-chat-panel data-dagster-ui="">' in page.text and 'id="chat-form"' in page.text


def test_plotly_js_is_the_copy_inside_the_pinned_package(client):
    served = client.get("/dashboard/static/plotly.min.js")
    bundled = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    assert served.status_code == 200 and served.content == bundled.read_bytes()
    assert served.headers["content-type"].startswith("text/javascript")


def test_the_overview_draws_the_stored_indexes_movers_and_valuations(client, read_warehouse_url):
    drawn = figures(client.get("/dashboard").text)
    warehouse = Warehouse(read_warehouse_url)
    indexes = warehouse.read_frame("SELECT symbol, change_pct FROM market.quotes WHERE asset_class = 'index' "
                                   "AND session = %s ORDER BY symbol", [LAST])
    assert drawn["index-levels"]["data"][0]["x"] == indexes.get_column("symbol").to_list()
    assert drawn["index-levels"]["data"][0]["y"] == pytest.approx(indexes.get_column("change_pct").to_list())
    changes = warehouse.read_frame(
        "SELECT b.symbol, (b.close / p.close - 1) * 100 AS change FROM market.daily_bars b "
        "JOIN market.daily_bars p ON p.symbol = b.symbol AND p.session = %s WHERE b.session = %s "
        "ORDER BY change DESC, b.symbol", [SCANNED[0], LAST])
    best = changes.get_column("symbol").to_list()
    movers = drawn["movers"]["data"][0]["y"]  # ascending: losers at the bottom, gainers at the top
    assert set(movers) == set(best[:8]) | set(best[-8:])
    heatmap = drawn["sector-heatmap"]["data"][0]
    tiles = warehouse.count("fundamentals.industry_aggregates", {"session": [LAST]})
    assert len(heatmap["labels"]) == len(heatmap["marker"]["colors"]) == tiles  # a tile per sector and industry
    scale = heatmap["marker"]["colorscale"]  # spelled out: plotly.js would fall back to its own for an unknown name
    assert isinstance(scale, list) and scale[0][1] == "#d73027" and scale[-1][1] == "#1a9850"  # down red, up green
    pe = {row["index_code"]: row["forward_pe"] for row in warehouse.read_frame(
        "SELECT index_code, forward_pe FROM fundamentals.index_valuations WHERE session = %s", [LAST]).to_dicts()}
    assert dict(zip(drawn["index-pe"]["data"][0]["x"], drawn["index-pe"]["data"][0]["y"], strict=True)) == \
        pytest.approx(pe)


def test_the_screener_is_read_through_redis_and_exports_what_it_keeps(client, redis_url, read_warehouse_url):
    first = client.get("/dashboard/screener", params={"max_rsi": "45", "sort": "change_pct", "order": "desc"})
    cached = json.loads(redis.Redis.from_url(redis_url).get(f"cache:screener:{LAST}"))
    assert cached["as_of"] == LAST.isoformat()
    exported = client.get("/dashboard/screener.csv", params={"max_rsi": "45", "sort": "change_pct", "order": "desc"})
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["x-synthetic"] == "true" and exported.headers["x-data-note"].startswith("synthetic:")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    stored = Warehouse(read_warehouse_url).read_frame(
        "SELECT symbol FROM technicals.indicators WHERE session = %s AND rsi_14 <= 45", [LAST])
    assert {row["symbol"] for row in rows} == set(stored.get_column("symbol").to_list())
    changes = [float(row["change_pct"]) for row in rows if row["change_pct"]]
    assert changes == sorted(changes, reverse=True)
    assert f"{len(rows)} of {len(cached['data']['rows'])} symbols" in first.text


@pytest.mark.parametrize(("path", "status", "message"), [
    ("/dashboard/symbols/ZZZZ", 404, "unknown symbol ZZZZ"),
    ("/dashboard/symbols/NOT A TICKER", 422, "refused"),
    ("/dashboard/screener?min_rsi=lots", 422, "screener field min_rsi: &#39;lots&#39; is not a number"),
    ("/dashboard/screener?sort=colour", 422, "unknown sort column &#39;colour&#39;"),
    ("/dashboard/discoveries?session=2026-11-22", 422, "2026-11-22 is not an NYSE session"),
])
def test_a_refused_page_says_why_in_one_line(client, path, status, message):
    page = client.get(path)
    assert page.status_code == status
    assert message in page.text.lower() if message == "refused" else message in page.text


def test_the_muni_book_shows_each_document_scores_inputs_with_their_pages(client, read_warehouse_url):
    page = client.get("/dashboard/muni").text
    warehouse = Warehouse(read_warehouse_url)
    key = warehouse.read_frame("SELECT document_key FROM muni.risk_scores WHERE source = 'document' LIMIT 1").item(0, 0)
    assert f'data-document="{key}"' in page
    section = page.split(f'data-document="{key}"')[1].split("</section>")[0]
    metrics = warehouse.read_frame("SELECT metric, page FROM muni.document_metrics WHERE document_key = %s "
                                   "AND page IS NOT NULL ORDER BY metric", [key])
    for metric, number in metrics.rows():
        assert re.search(rf"<td>{metric}</td><td class=\"n\">[^<]*</td><td class=\"n\">p\. {number}</td>", section), metric
    assert "fund_balance_ratio" in section and "made-up issuer: no document, no page" in page
