"""Model memory between Redis (the hot copy, `memory:*`) and PostgreSQL (ops.model_memory, the record).

A sync reads both sides whole and, item by item, writes the newer version to the side that lacks it: Redis
changes reach PostgreSQL, PostgreSQL rows (another machine's sync, a restore) reach Redis, and an item changed on
both keeps the higher version. Neither side deletes, so a flushed Redis loses nothing that was synced (the sync,
or any reader through `ensure_loaded`, refills it), and a sync that cannot reach PostgreSQL changes nothing: the
items stay newer in Redis and the next sync writes them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import psycopg

from investing_assets.lib.storage.memory import UNAVAILABLE, Item, MemoryStore
from investing_assets.lib.storage.queries.memory import read_memory, upsert_memory
from investing_assets.lib.storage.warehouse import Warehouse

log = logging.getLogger(__name__)


class MemorySyncFailed(RuntimeError):
    """A side could not be read or written; nothing was lost, the next sync catches up."""


@dataclass(frozen=True)
class SyncOutcome:
    items: int  # distinct items on either side after the sync
    to_postgres: int  # items PostgreSQL lacked or held older
    to_redis: int  # items Redis lacked or held older (a refill after a flush counts them all)
    namespaces: int

    def summary(self) -> str:
        return (f"model memory: {self.items} item(s) in {self.namespaces} namespace(s); {self.to_postgres} written "
                f"to PostgreSQL, {self.to_redis} to Redis")


def sync(memory: MemoryStore, warehouse: Warehouse) -> SyncOutcome:
    """Both directions, newer version wins; raises MemorySyncFailed (one line naming the side) on an outage."""
    try:
        hot = memory.dump()
    except UNAVAILABLE as exc:
        raise MemorySyncFailed(f"model memory sync: Redis at {memory.url} unavailable ({exc}); nothing changed, "
                               "the next sync catches up") from None
    try:
        record = read_memory(warehouse)
        to_pg = _newer_than(hot, record)
        upsert_memory(warehouse, to_pg)
    except psycopg.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MemorySyncFailed(f"model memory sync: PostgreSQL unavailable ({first}); Redis keeps every item, the "
                               "next sync writes them") from None
    to_redis = _newer_than(record, hot)
    try:
        written = memory.merge(to_redis)
        memory.mark_loaded()
    except UNAVAILABLE as exc:
        raise MemorySyncFailed(f"model memory sync: Redis at {memory.url} unavailable while refilling ({exc}); "
                               "PostgreSQL has every item, the next sync refills it") from None
    keys = hot.keys() | record.keys()
    return SyncOutcome(len(keys), len(to_pg), written, len({ns for ns, _ in keys}))


def ensure_loaded(memory: MemoryStore, warehouse: Warehouse | None) -> int | None:
    """Refill a Redis that started empty (or was flushed) from PostgreSQL, newer versions winning, before a
    reader relies on it. Returns the items written, or None when Redis already held the memory or a side was
    unavailable (a warning: the reader goes on with what Redis has)."""
    try:
        if memory.loaded():
            return None
        if warehouse is None:
            return None
        record = read_memory(warehouse)
        written = memory.merge((ns, item, entry) for (ns, item), entry in record.items())
        memory.mark_loaded()
    except UNAVAILABLE as exc:
        log.warning("Redis unavailable, model memory not refilled: %s", exc)
        return None
    except psycopg.OperationalError as exc:
        log.warning("PostgreSQL unavailable, model memory not refilled from it (Redis goes on with what it has): %s",
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return None
    if written:
        log.info("model memory refilled from PostgreSQL: %d item(s)", written)
    return written


def _newer_than(source: dict[tuple[str, str], Item], target: dict[tuple[str, str], Item]) -> list[tuple[str, str, Item]]:
    return [(ns, item, entry) for (ns, item), entry in source.items()
            if (ns, item) not in target or target[(ns, item)].version < entry.version]
