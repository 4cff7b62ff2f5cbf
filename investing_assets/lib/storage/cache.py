"""Redis hot caches: what a UI reads on its hot path.

PostgreSQL is the record; Redis is a copy. So a Redis outage is a warning, never a failure: the next
successful publish refills the key.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import redis

log = logging.getLogger(__name__)

_UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError, OSError)


class HotCache:
    def __init__(self, url: str, *, timeout_s: float = 2.0) -> None:
        self.url = url
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=timeout_s, socket_timeout=timeout_s, decode_responses=True
        )

    def publish(self, key: str, payload: Any, *, as_of: dt.date | dt.datetime) -> bool:
        """Store `{"as_of": ..., "data": payload}` as JSON. Returns False (and warns) when Redis is down."""
        document = encode(payload, as_of)
        try:
            self._client.set(key, document)
            return True
        except _UNAVAILABLE as exc:
            log.warning("Redis unavailable, %s not refreshed (the next run refills it): %s", key, exc)
            return False

    def read(self, key: str) -> dict[str, Any] | None:
        """The cached document, or None when absent or when Redis is down."""
        raw = self.read_text(key)
        return json.loads(raw) if raw else None

    def read_text(self, key: str) -> str | None:
        """The cached document's JSON text as stored, or None when absent or when Redis is down."""
        try:
            return self._client.get(key) or None
        except _UNAVAILABLE as exc:
            log.warning("Redis unavailable, cannot read %s: %s", key, exc)
            return None

    def ping(self) -> bool:
        try:
            return bool(self._client.ping())
        except _UNAVAILABLE:
            return False


def encode(payload: Any, as_of: dt.date | dt.datetime) -> str:
    """The JSON text `publish` stores: what `read` returns once parsed, so a reader that built the document
    itself (a cold cache) serves exactly what the cache will."""
    return json.dumps({"as_of": as_of.isoformat(), "data": payload}, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialize {type(value).__name__} to JSON")
