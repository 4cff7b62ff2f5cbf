"""The screener over the stored universe: each filter against the stored rows, the sort, paging, and the cached
screen served only while the session's tables are unchanged."""

from __future__ import annotations

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.services import market
from investing_assets.lib.services.reads import Refused, Stores, Window
from investing_assets.lib.services.reads.screener import Criteria, screen
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.lib.services.reads._seed import LAST, SCANNED


def symbols(stores: Stores, criteria: Criteria) -> list[str]:
    return [row["symbol"] for row in screen(stores, criteria, Window(1000)).data]


def stored(stores: Stores, query: str) -> list[str]:
    return stores.warehouse.read_frame(query, [LAST]).get_column("symbol").to_list()


def test_every_filter_keeps_what_the_stored_rows_say(stores):
    listed = stored(stores, "SELECT symbol FROM market.universe WHERE session = %s ORDER BY symbol")
    assert symbols(stores, Criteria()) == listed
    assert symbols(stores, Criteria(min_price=100, max_price=200)) == stored(
        stores, "SELECT symbol FROM market.daily_bars WHERE session = %s AND close BETWEEN 100 AND 200 ORDER BY symbol")
    assert symbols(stores, Criteria(min_volume=5e6)) == stored(
        stores, "SELECT symbol FROM market.daily_bars WHERE session = %s AND volume >= 5e6 ORDER BY symbol")
    assert symbols(stores, Criteria(min_rsi=30, max_rsi=40)) == stored(
        stores, "SELECT symbol FROM technicals.indicators WHERE session = %s AND rsi_14 BETWEEN 30 AND 40 ORDER BY symbol")
    assert symbols(stores, Criteria(above="sma_50")) == stored(
        stores, "SELECT symbol FROM market.daily_bars b JOIN technicals.indicators i USING (symbol, session) "
                "WHERE b.session = %s AND b.close > i.sma_50 ORDER BY symbol")
    assert symbols(stores, Criteria(sector="Energy")) == stored(
        stores, "SELECT symbol FROM market.universe WHERE session = %s AND sector = 'Energy' ORDER BY symbol")
    assert symbols(stores, Criteria(event="low_52w")) == stored(
        stores, "SELECT symbol FROM technicals.technical_events WHERE session = %s AND event = 'low_52w' ORDER BY symbol")
    assert symbols(stores, Criteria(discovered=True)) == stored(
        stores, "SELECT DISTINCT symbol FROM technicals.pattern_discoveries WHERE session = %s ORDER BY symbol")
    candle = stores.warehouse.read_frame("SELECT pattern FROM technicals.candlestick_patterns WHERE session = %s "
                                         "AND confirmed LIMIT 1", [LAST]).item(0, 0)
    assert symbols(stores, Criteria(pattern=candle)) == stores.warehouse.read_frame(
        "SELECT symbol FROM technicals.candlestick_patterns WHERE session = %s AND confirmed AND pattern = %s "
        "ORDER BY symbol", [LAST, candle]).get_column("symbol").to_list()


def test_the_sort_the_page_and_the_choices(stores):
    result = screen(stores, Criteria(sort="change_pct", descending=True), Window(10, 5))
    changes = stores.warehouse.read_frame(
        "SELECT b.symbol, (b.close / p.close - 1) * 100 AS change FROM market.daily_bars b JOIN market.daily_bars p "
        "ON p.symbol = b.symbol AND p.session = %s WHERE b.session = %s ORDER BY change DESC, b.symbol DESC",
        [SCANNED[0], LAST])
    assert [row["symbol"] for row in result.data] == changes.get_column("symbol").to_list()[5:15]
    assert [row["change_pct"] for row in result.data] == pytest.approx(changes.get_column("change").to_list()[5:15])
    assert result.total == result.extra["screened"] == changes.height and result.as_of == LAST.isoformat()
    assert result.label.synthetic and result.label.note.startswith("synthetic:")
    assert "Energy" in result.extra["choices"]["sectors"] and "low_52w" in result.extra["choices"]["events"]
    with pytest.raises(Refused, match="unknown sort column 'colour'"):
        Criteria(sort="colour")
    with pytest.raises(Refused, match="unknown moving average 'sma_7'"):
        Criteria(above="sma_7")


def test_a_cached_screen_is_served_until_a_table_of_its_session_is_rewritten(warehouse, cache):
    source, sessions = DemoSource(), calendar.sessions_ending(LAST, 2)
    market.write_universe(source, warehouse, sessions)
    market.write_daily_bars(source, warehouse, sessions)
    stores = Stores(warehouse, cache, "demo")
    cold = screen(stores, Criteria(), Window(5))
    warm = screen(stores, Criteria(), Window(5))
    assert (cold.origin, warm.origin) == ("warehouse", "cache") and warm.data == cold.data
    bars = warehouse.read_table(names.DAILY_BARS, between=("session", LAST, LAST))
    first = bars.sort("symbol").item(0, "symbol")
    warehouse.replace_rows(names.DAILY_BARS, bars.with_columns(
        close=pl.when(pl.col("symbol") == first).then(pl.col("close") * 2).otherwise(pl.col("close")),
        high=pl.when(pl.col("symbol") == first).then(pl.col("high") * 2).otherwise(pl.col("high"))),
        {"session": [LAST]})
    rewritten = screen(stores, Criteria(), Window(5))
    assert rewritten.origin == "warehouse"
    assert rewritten.data[0]["symbol"] == first and rewritten.data[0]["close"] == pytest.approx(
        2 * cold.data[0]["close"])
    assert screen(stores, Criteria(), Window(5)).origin == "cache"


def test_redis_down_still_screens_from_postgresql(read_warehouse_url, dead_redis_url):
    from investing_assets.lib.storage.warehouse import Warehouse

    stores = Stores(Warehouse(read_warehouse_url), HotCache(dead_redis_url, timeout_s=0.2), "demo")
    result = screen(stores, Criteria(min_rsi=50), Window(3))
    assert result.origin == "warehouse" and result.total > 0
