"""Model memory's hot copy: versioned items in Redis hashes `memory:<namespace>` (field = item).

Every item carries a version (microseconds since the epoch at the write, and at least the item's previous version
+ 1, so a clock that steps back never makes a write look older). Writes and merges run as Lua scripts, so a
merge from PostgreSQL never overwrites a newer write that landed between the read and the merge. PostgreSQL holds
the same items (ops.model_memory, lib/storage/queries/memory.py); lib/services/model_memory.py syncs the two.

A stored field is `"<version> <json>"`: the scripts read the version without decoding JSON.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

PREFIX = "memory:"
# Present while Redis holds what PostgreSQL had at the last refill or sync; gone after a flush or on a new
# server, which is how a reader knows to refill. Not a namespace (namespaces never start with "_").
LOADED_KEY = "memory:_loaded"

_PUT = """
local now = tonumber(ARGV[1])
for i = 2, #ARGV, 2 do
  local v = now
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  if cur then
    local cv = tonumber(string.sub(cur, 1, string.find(cur, ' ') - 1))
    if cv >= v then v = cv + 1 end
  end
  redis.call('HSET', KEYS[1], ARGV[i], string.format('%.0f', v) .. ' ' .. ARGV[i + 1])
end
return (#ARGV - 1) / 2
"""

_MERGE = """
local written = 0
for i = 1, #ARGV, 3 do
  local v = tonumber(ARGV[i + 1])
  local cur = redis.call('HGET', KEYS[1], ARGV[i])
  local cv = -1
  if cur then cv = tonumber(string.sub(cur, 1, string.find(cur, ' ') - 1)) end
  if v > cv then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1] .. ' ' .. ARGV[i + 2])
    written = written + 1
  end
end
return written
"""

UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, OSError)
_CHUNK = 2000  # items per script call: one call holds Redis for a few ms at most


@dataclass(frozen=True)
class Item:
    version: int
    value: Any


def now_version() -> int:
    return time.time_ns() // 1000


def check_namespace(namespace: str) -> str:
    if not namespace or namespace.startswith("_") or any(c.isspace() for c in namespace):
        raise ValueError(f"not a memory namespace: {namespace!r} (non-empty, no spaces, not starting with _)")
    return namespace


class MemoryStore:
    """The hot copy. Redis errors propagate (callers that treat Redis as optional catch `UNAVAILABLE`)."""

    def __init__(self, url: str, *, timeout_s: float = 2.0) -> None:
        self.url = url
        self._client = redis.Redis.from_url(url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s,
                                            decode_responses=True)
        self._put = self._client.register_script(_PUT)
        self._merge = self._client.register_script(_MERGE)

    def put(self, namespace: str, items: Mapping[str, Any], *, version: int | None = None) -> int:
        """Write items (item -> JSON-able value), each at `version` (default now) or its previous + 1."""
        key = PREFIX + check_namespace(namespace)
        now = now_version() if version is None else version
        pairs = [(item, json.dumps(value, default=str)) for item, value in items.items()]
        for start in range(0, len(pairs), _CHUNK):
            self._put(keys=[key], args=[now, *(x for pair in pairs[start:start + _CHUNK] for x in pair)])
        return len(pairs)

    def items(self, namespace: str) -> dict[str, Item]:
        return {item: _decode(raw) for item, raw in self._client.hgetall(PREFIX + check_namespace(namespace)).items()}

    def values(self, namespace: str) -> dict[str, Any]:
        return {item: entry.value for item, entry in self.items(namespace).items()}

    def namespaces(self) -> list[str]:
        return sorted(key.removeprefix(PREFIX) for key in self._client.scan_iter(match=PREFIX + "*", count=1000)
                      if not key.removeprefix(PREFIX).startswith("_"))

    def dump(self) -> dict[tuple[str, str], Item]:
        """Every item of every namespace."""
        found: dict[tuple[str, str], Item] = {}
        for namespace in self.namespaces():
            for item, entry in self.items(namespace).items():
                found[(namespace, item)] = entry
        return found

    def merge(self, entries: Iterable[tuple[str, str, Item]]) -> int:
        """Write each (namespace, item, Item) whose version is newer than the one held; returns how many were."""
        by_namespace: dict[str, list[str]] = {}
        for namespace, item, entry in entries:
            by_namespace.setdefault(namespace, []).extend(
                [item, str(entry.version), json.dumps(entry.value, default=str)])
        written = 0
        for namespace, args in by_namespace.items():
            key = PREFIX + check_namespace(namespace)
            for start in range(0, len(args), 3 * _CHUNK):
                written += int(self._merge(keys=[key], args=args[start:start + 3 * _CHUNK]))
        return written

    def delete_namespace(self, namespace: str) -> None:
        self._client.delete(PREFIX + check_namespace(namespace))

    def loaded(self) -> bool:
        return bool(self._client.exists(LOADED_KEY))

    def mark_loaded(self) -> None:
        self._client.set(LOADED_KEY, str(now_version()))

    @property
    def client(self) -> redis.Redis:
        return self._client


def _decode(raw: str) -> Item:
    version, _, text = raw.partition(" ")
    return Item(int(version), json.loads(text))
