"""Model memory against the real Redis and PostgreSQL: every loss case the issue names, and the scanner's
rotation under the scheme. PostgreSQL "down" is a real refused connection (a port nothing listens on)."""

import socket

import psycopg
import pytest
import redis

from investing_assets.lib.services import scan
from investing_assets.lib.services.model_memory import MemorySyncFailed, ensure_loaded, sync
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.memory import Item, MemoryStore
from investing_assets.lib.storage.queries.memory import read_memory, upsert_memory
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.fixture
def memory(redis_url) -> MemoryStore:
    return MemoryStore(redis_url)


@pytest.fixture
def down_warehouse() -> Warehouse:
    with socket.socket() as probe:  # a port that was free a moment ago: connecting is refused, for real
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return Warehouse(f"postgresql://postgres@127.0.0.1:{port}/postgres")


def both_sides(memory: MemoryStore, warehouse: Warehouse) -> tuple[dict, dict]:
    return memory.dump(), read_memory(warehouse)


def test_a_sync_writes_redis_to_postgres_with_versions(memory, warehouse):
    memory.put("chat:c1", {"m1": {"role": "user", "content": "rescan AAPL"}})
    memory.put(names.SCANNER_ROTATION, {"AAPL": 1.5, "MSFT": 2.5})
    outcome = sync(memory, warehouse)
    hot, record = both_sides(memory, warehouse)
    assert hot == record and len(record) == 3
    assert (outcome.to_postgres, outcome.to_redis, outcome.items, outcome.namespaces) == (3, 0, 3, 2)
    assert record[("chat:c1", "m1")].value == {"role": "user", "content": "rescan AAPL"}
    assert sync(memory, warehouse).to_postgres == 0  # nothing newer: nothing rewritten


def test_versions_only_move_forward(memory):
    memory.put("ns", {"a": 1}, version=1_000)
    memory.put("ns", {"a": 2}, version=10)  # a clock behind the stored version
    assert memory.items("ns")["a"] == Item(1_001, 2)
    assert memory.merge([("ns", "a", Item(900, "stale"))]) == 0  # an older copy never overwrites
    assert memory.merge([("ns", "a", Item(2_000, "newer"))]) == 1
    assert memory.items("ns")["a"] == Item(2_000, "newer")


def test_nothing_is_lost_when_redis_is_flushed_between_syncs(memory, warehouse, redis_url):
    memory.put("chat:c1", {"m1": "hello", "m2": "backfill"})
    sync(memory, warehouse)
    redis.Redis.from_url(redis_url).flushdb()
    assert memory.dump() == {}
    # a reader refills an emptied Redis before relying on it ...
    assert ensure_loaded(memory, warehouse) == 2
    assert memory.values("chat:c1") == {"m1": "hello", "m2": "backfill"}
    assert ensure_loaded(memory, warehouse) is None  # once
    # ... and so does the sync, without deleting anything from PostgreSQL
    redis.Redis.from_url(redis_url).flushdb()
    outcome = sync(memory, warehouse)
    assert (outcome.to_redis, outcome.to_postgres) == (2, 0)
    hot, record = both_sides(memory, warehouse)
    assert hot == record and len(record) == 2


def test_nothing_is_lost_when_postgres_is_down_during_a_sync(memory, warehouse, down_warehouse):
    memory.put("chat:c1", {"m1": "first"})
    sync(memory, warehouse)
    memory.put("chat:c1", {"m2": "while down"})
    memory.put(names.SCANNER_ROTATION, {"NVDA": 3.0})
    before = memory.dump()
    with pytest.raises(MemorySyncFailed, match="PostgreSQL unavailable"):
        sync(memory, down_warehouse)
    assert memory.dump() == before  # Redis untouched
    with pytest.raises(psycopg.OperationalError):
        read_memory(down_warehouse)
    outcome = sync(memory, warehouse)  # the next sync catches up
    assert outcome.to_postgres == 2
    hot, record = both_sides(memory, warehouse)
    assert hot == record and record[("chat:c1", "m2")].value == "while down"


def test_when_both_sides_changed_the_newer_version_wins_item_by_item(memory, warehouse):
    memory.put("ns", {"redis_side": "v1", "pg_side": "v1", "both": "v1"}, version=100)
    sync(memory, warehouse)
    memory.put("ns", {"redis_side": "v2 in redis"}, version=200)
    upsert_memory(warehouse, [("ns", "pg_side", Item(300, "v2 in postgres")),  # another machine's sync
                              ("ns", "both", Item(500, "newer in postgres")),
                              ("other", "only_pg", Item(50, "restored"))])
    memory.put("ns", {"both": "older in redis"}, version=400)
    memory.put("ns", {"only_redis": "new"}, version=600)
    outcome = sync(memory, warehouse)
    hot, record = both_sides(memory, warehouse)
    assert hot == record
    assert {item: entry.value for (ns, item), entry in record.items()} == {
        "redis_side": "v2 in redis", "pg_side": "v2 in postgres", "both": "newer in postgres", "only_redis": "new",
        "only_pg": "restored"}
    assert (outcome.to_postgres, outcome.to_redis) == (2, 3)


def test_a_redis_outage_fails_the_sync_in_one_line(warehouse, dead_redis_url):
    with pytest.raises(MemorySyncFailed, match="Redis at .* unavailable"):
        sync(MemoryStore(dead_redis_url, timeout_s=0.5), warehouse)


def test_the_scanner_rotation_lives_in_model_memory_and_survives_a_flush(cache: HotCache, warehouse, redis_url):
    universe = ["AAPL", "AMZN", "MSFT", "NVDA"]
    assert scan.mark_scanned(cache, {"AAPL": 10.0, "MSFT": 20.0})
    assert redis.Redis.from_url(redis_url).hlen("memory:scanner:last_scanned") == 2
    assert scan.next_batch(cache, universe, 2) == ["AMZN", "NVDA"]  # never scanned first
    sync(MemoryStore(redis_url), warehouse)
    redis.Redis.from_url(redis_url).flushdb()
    # without its PostgreSQL copy, a flushed rotation would start over alphabetically (AAPL, AMZN)
    assert scan.next_batch(cache, universe, 3, warehouse) == ["AMZN", "NVDA", "AAPL"]


def test_the_sorted_set_rotation_of_before_is_folded_in_once(cache: HotCache, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.zadd(names.LEGACY_SCANNER_LAST_SCANNED_KEY, {"AAPL": 5.0, "MSFT": 1.0})
    scan.mark_scanned(cache, {"MSFT": 9.0})  # scanned again since: the newer time wins
    assert scan.last_scanned(cache) == {"AAPL": 5.0, "MSFT": 9.0}
    assert not client.exists(names.LEGACY_SCANNER_LAST_SCANNED_KEY)
    assert scan.next_batch(cache, ["AAPL", "MSFT", "TSLA"], 2) == ["TSLA", "AAPL"]


def test_a_rotation_outage_is_a_warning(dead_redis_url, caplog):
    dead = HotCache(dead_redis_url, timeout_s=0.5)
    assert scan.mark_scanned(dead, {"AAPL": 1.0}) is False
    assert scan.next_batch(dead, ["MSFT", "AAPL"], 1) == ["AAPL"]
    assert caplog.text.count("Redis unavailable") == 2
