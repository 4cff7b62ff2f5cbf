import datetime as dt
import json
import logging

import redis

from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.names import INDEX_QUOTES_KEY


def test_publish_and_read_round_trip(cache: HotCache, redis_url: str):
    assert cache.publish(INDEX_QUOTES_KEY, [{"symbol": "SPX", "close": 5000.5}], as_of=dt.date(2026, 11, 20))
    raw = json.loads(redis.Redis.from_url(redis_url).get(INDEX_QUOTES_KEY))
    assert raw == {"as_of": "2026-11-20", "data": [{"symbol": "SPX", "close": 5000.5}]}
    assert cache.read(INDEX_QUOTES_KEY)["data"][0]["close"] == 5000.5


def test_outage_is_a_warning_not_an_error(dead_redis_url: str, caplog):
    dead = HotCache(dead_redis_url, timeout_s=0.5)
    with caplog.at_level(logging.WARNING):
        assert dead.publish(INDEX_QUOTES_KEY, [], as_of=dt.date(2026, 11, 20)) is False
        assert dead.read(INDEX_QUOTES_KEY) is None
    assert "Redis unavailable" in caplog.text
    assert dead.ping() is False
