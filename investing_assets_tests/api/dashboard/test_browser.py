"""The dashboard in a real headless Chromium: every page loads with its charts drawn from stored data and no
console error, the screener filters and exports, the symbol page draws every detected pattern."""

from __future__ import annotations

import csv
import io

import pytest

from investing_assets.lib.core import calendar
from investing_assets_tests.lib.services.reads._seed import LAST

# the browser first: without one, the tests skip before the warehouse is seeded
pytestmark = pytest.mark.usefixtures("browser")

# the figures drawn on each page (ids of their plotly divs)
PAGES = {
    "overview": ("/dashboard", ["index-levels", "movers", "sector-heatmap", "index-pe"]),
    "screener": ("/dashboard/screener", ["screen-scatter"]),
    "discoveries": ("/dashboard/discoveries", ["discovery-counts"]),
    "muni": ("/dashboard/muni", ["muni-probabilities"]),
}

# for each plotly div: its traces and how many points each holds (x, values: bars, candles, treemap tiles)
TRACES = """el => el.data.map(t => ({name: t.name || '', type: t.type || 'scatter',
    points: (t.x || t.values || t.y || []).length}))"""


def open_page(tab, url: str, charts: list[str]) -> dict[str, list[dict]]:
    tab.page.goto(url)
    traces = {}
    for chart in charts:
        tab.page.wait_for_selector(f"#{chart}[data-rendered='true']", timeout=15_000)
        traces[chart] = tab.page.eval_on_selector(f"#{chart}", TRACES)
    return traces


def assert_synthetic_banner(tab) -> None:
    banner = tab.page.locator("#synthetic-banner")
    assert banner.is_visible() and banner.inner_text().startswith("SYNTHETIC DATA")
    assert "synthetic:" in banner.inner_text()


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_loads_with_its_charts_drawn_from_data(dashboard, tab, name):
    path, charts = PAGES[name]
    traces = open_page(tab, dashboard.url + path, charts)
    for chart in charts:
        assert traces[chart] and all(t["points"] > 0 for t in traces[chart]), (chart, traces[chart])
    assert_synthetic_banner(tab)
    assert tab.page.locator("#chat-panel #chat-form").count() == 1  # the chat panel on every page
    tab.screenshot(f"dashboard-{name}")
    assert tab.errors == []


def test_the_overview_shows_the_stored_index_levels_and_valuations(dashboard, tab):
    traces = open_page(tab, dashboard.url + "/dashboard", PAGES["overview"][1])
    indexes = dashboard.warehouse.read_frame(
        "SELECT symbol FROM market.quotes WHERE asset_class = 'index' AND session = %s ORDER BY symbol", [LAST])
    assert traces["index-levels"][0]["points"] == indexes.height
    assert tab.page.eval_on_selector("#index-levels", "el => el.data[0].x") == indexes.get_column("symbol").to_list()
    industries = dashboard.warehouse.count("fundamentals.industry_aggregates", {"session": [LAST], "level": ["industry"]})
    sectors = dashboard.warehouse.count("fundamentals.industry_aggregates", {"session": [LAST], "level": ["sector"]})
    assert traces["sector-heatmap"][0]["points"] == industries + sectors  # a tile per industry and per sector
    assert tab.page.eval_on_selector("#index-pe", "el => el.data[0].x") == ["DJI", "NDX", "SPX"]
    assert tab.errors == []


def _table(tab) -> list[dict[str, str]]:
    return tab.page.eval_on_selector_all(
        "#screener-table tr[data-symbol]",
        "rows => rows.map(r => ({symbol: r.dataset.symbol, cells: Array.from(r.cells).map(c => c.innerText)}))")


def test_the_screener_filters_sorts_and_exports(dashboard, tab):
    open_page(tab, dashboard.url + "/dashboard/screener", ["screen-scatter"])
    tab.page.fill("input[name=min_rsi]", "50")
    tab.page.select_option("select[name=sort]", "volume")
    tab.page.select_option("select[name=order]", "desc")
    with tab.page.expect_navigation():
        tab.page.click("#screen-button")
    tab.page.wait_for_selector("#screen-scatter[data-rendered='true']")
    expected = dashboard.warehouse.read_frame(
        "SELECT b.symbol, b.volume FROM market.daily_bars b JOIN technicals.indicators i USING (symbol, session) "
        "JOIN market.universe u USING (symbol, session) WHERE b.session = %s AND i.rsi_14 >= 50 "
        "ORDER BY b.volume DESC, b.symbol DESC", [LAST])
    assert 0 < expected.height < dashboard.warehouse.count("market.universe", {"session": [LAST]})
    rows = _table(tab)
    assert [r["symbol"] for r in rows] == expected.get_column("symbol").to_list()[:100]
    assert tab.page.eval_on_selector("#screen-scatter", "el => el.data[0].x.length") == expected.height
    assert all(float(r["cells"][7]) >= 50 for r in rows)  # the RSI column as shown
    tab.screenshot("dashboard-screener-filtered")

    href = tab.page.get_attribute("#csv-export", "href")
    exported = tab.page.request.get(dashboard.url + href)
    assert exported.ok and exported.headers["x-synthetic"] == "true"
    table = list(csv.DictReader(io.StringIO(exported.text())))
    assert [row["symbol"] for row in table] == expected.get_column("symbol").to_list()
    assert tab.errors == []


def test_the_screener_filters_by_pattern_and_event(dashboard, tab):
    stored = dashboard.warehouse.read_frame(
        "SELECT event, array_agg(symbol ORDER BY symbol) AS symbols FROM technicals.technical_events "
        "WHERE session = %s GROUP BY event ORDER BY count(*) DESC LIMIT 1", [LAST])
    event, symbols = stored.row(0)
    tab.page.goto(f"{dashboard.url}/dashboard/screener")
    tab.page.select_option("select[name=event]", event)
    with tab.page.expect_navigation():
        tab.page.click("#screen-button")
    assert [r["symbol"] for r in _table(tab)] == symbols[:100]
    candles = dashboard.warehouse.read_frame(
        "SELECT pattern, array_agg(symbol ORDER BY symbol) AS symbols FROM technicals.candlestick_patterns "
        "WHERE session = %s AND confirmed GROUP BY pattern ORDER BY count(*) DESC, pattern LIMIT 1", [LAST])
    pattern, with_pattern = candles.row(0)
    tab.page.goto(f"{dashboard.url}/dashboard/screener?pattern={pattern}")
    assert [r["symbol"] for r in _table(tab)] == with_pattern
    tab.page.goto(f"{dashboard.url}/dashboard/screener?min_price=1e9")
    assert tab.page.locator("#no-match").is_visible()
    assert tab.errors == []


def test_the_symbol_page_draws_every_detected_pattern_and_lists_the_events(dashboard, tab):
    patterns = dashboard.warehouse.read_frame(
        "SELECT symbol, session, pattern FROM technicals.chart_patterns ORDER BY symbol, session")
    assert patterns.height, "the dashboard seed scans planted patterns: some must be detected"
    symbol = patterns.item(0, "symbol")
    window = calendar.sessions_ending(LAST, 120)
    traces = open_page(tab, f"{dashboard.url}/dashboard/symbols/{symbol}", ["symbol-chart"])["symbol-chart"]
    names = {t["name"] for t in traces}
    drawn = {f"{p} ({s.isoformat()})" for sym, s, p in patterns.rows() if sym == symbol and s >= window[0]}
    assert drawn and drawn <= names  # each chart pattern drawn through its key points
    candles = next(t for t in traces if t["type"] == "candlestick")
    assert candles["points"] == len(window)
    stored = {name: dashboard.warehouse.read_frame(
        f"SELECT count(*) FROM technicals.{table} WHERE symbol = %s AND session BETWEEN %s AND %s {extra}",
        [symbol, window[0], LAST]).item(0, 0)
        for name, table, extra in (("events", "technical_events", ""),
                                   ("candlesticks", "candlestick_patterns", "AND confirmed"))}
    assert next(t for t in traces if t["name"] == "events")["points"] == stored["events"]
    assert next(t for t in traces if t["name"] == "candlesticks")["points"] == stored["candlesticks"]
    listed = tab.page.eval_on_selector_all("#events-table tr td:first-child", "cells => cells.map(c => c.innerText)")
    assert len(listed) == stored["events"] + stored["candlesticks"] + len(drawn)
    assert listed == sorted(listed, reverse=True)  # dated, newest first
    assert_synthetic_banner(tab)
    tab.screenshot(f"dashboard-symbol-{symbol}")
    assert tab.errors == []


def test_plotly_comes_from_this_app_and_an_unknown_symbol_says_so(dashboard, tab):
    requested = []
    tab.page.on("request", lambda request: requested.append(request.url))
    open_page(tab, dashboard.url + "/dashboard/muni", ["muni-probabilities"])
    assert requested and all(url.startswith(dashboard.url) or url.startswith("data:") for url in requested)
    assert any("/dashboard/static/plotly.min.js" in url for url in requested)
    response = tab.page.goto(f"{dashboard.url}/dashboard/symbols/ZZZZ")
    assert response.status == 404
    assert "unknown symbol ZZZZ" in tab.page.inner_text("#error-message")
    # the page's own 404, which the browser reports on its console too: nothing else
    assert tab.errors == [f"HTTP 404: {dashboard.url}/dashboard/symbols/ZZZZ",
                          "console: Failed to load resource: the server responded with a status of 404 (Not Found)"]
