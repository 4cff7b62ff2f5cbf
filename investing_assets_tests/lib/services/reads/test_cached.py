"""Redis first; a cold cache is read from PostgreSQL with the asset's own publisher and refilled with exactly what
that publisher writes."""

import datetime as dt
import logging

import pytest

from investing_assets.lib.services import market, scan
from investing_assets.lib.services.muni.scores import latest_scores_document
from investing_assets.lib.services.reads import NotFound, Stores, Window
from investing_assets.lib.services.reads import market as reads
from investing_assets.lib.services.reads.cached import read_through
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.market import latest_quotes
from investing_assets_tests.lib.services.reads._seed import LAST


def test_a_cold_cache_is_read_from_postgresql_and_refilled_as_the_asset_publishes_it(stores: Stores):
    key = names.QUOTE_KEYS["etf"]
    assert stores.cache.read_text(key) is None
    cold = read_through(stores.cache, key, lambda: market.latest_quotes_document(stores.warehouse, "etf"))
    assert cold.origin == "warehouse"
    assert cold.document["as_of"] == LAST.isoformat()
    stored = latest_quotes(stores.warehouse, "etf")
    assert [row["symbol"] for row in cold.document["data"]] == stored.get_column("symbol").to_list()
    assert [row["close"] for row in cold.document["data"]] == stored.get_column("close").to_list()
    refilled = stores.cache.read_text(key)

    stores.cache._client.delete(key)  # what the quotes asset itself writes
    assert market.publish_latest_quotes(stores.warehouse, stores.cache, "etf")
    assert stores.cache.read_text(key) == refilled

    warm = read_through(stores.cache, key, lambda: pytest.fail("a warm cache must not read PostgreSQL"))
    assert warm.origin == "cache"
    assert (warm.document, warm.version) == (cold.document, cold.version)  # same bytes, same version


def test_the_cache_is_read_first_even_when_postgresql_holds_something_else(stores: Stores):
    stores.cache.publish(names.QUOTE_KEYS["index"], [{"symbol": "SPX", "close": 1.0, "source": "demo"}],
                         as_of=dt.date(2026, 11, 19))
    served = reads.quotes(stores, "index", Window())
    assert served.origin == "cache" and served.as_of == "2026-11-19"
    assert served.data == [{"symbol": "SPX", "close": 1.0, "source": "demo"}]


def test_the_latest_scan_and_muni_scores_refill_as_their_assets_publish(stores: Stores):
    for key, build, publish in (
        (names.SCAN_LATEST_KEY, lambda: scan.latest_scan_document(stores.warehouse),
         lambda: scan.publish_latest_scan(stores.warehouse, stores.cache)),
        (names.MUNI_RISK_LATEST_KEY, lambda: latest_scores_document(stores.warehouse), None),
    ):
        assert read_through(stores.cache, key, build).origin == "warehouse"
        refilled = stores.cache.read_text(key)
        assert refilled
        if publish is not None:
            stores.cache._client.delete(key)
            assert publish()
            assert stores.cache.read_text(key) == refilled


def test_redis_down_serves_postgresql_and_warns(stores: Stores, dead_redis_url, caplog):
    down = Stores(stores.warehouse, HotCache(dead_redis_url, timeout_s=0.5), "demo")
    with caplog.at_level(logging.WARNING):
        served = reads.quotes(down, "commodity", Window())
    assert served.origin == "warehouse" and served.total > 0
    assert "Redis unavailable" in caplog.text


def test_nothing_stored_is_not_found(warehouse, cache):
    empty = Stores(warehouse, cache, "demo")
    with pytest.raises(NotFound, match="no crypto quotes stored yet: materialize crypto_quotes"):
        reads.quotes(empty, "crypto", Window())
    with pytest.raises(NotFound, match="no scan stored yet"):
        reads.latest_scan(empty, Window())
    assert cache.read_text(names.QUOTE_KEYS["crypto"]) is None  # nothing was cached for it
