"""Redis first; a cold (or unreachable) cache is read from PostgreSQL with the asset's own publisher, and refilled."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from investing_assets.lib.storage.cache import HotCache, encode

Builder = Callable[[], tuple[Any, dt.date] | None]  # (payload, as_of) as the asset publishes it, or None


@dataclass(frozen=True)
class Cached:
    document: dict[str, Any]  # {"as_of", "data"}: shared between requests for the same text, never to be changed
    origin: str  # "cache" or "warehouse"
    version: str  # a digest of the document's JSON text: the same text, the same version, whatever its origin


def read_through(cache: HotCache, key: str, build: Builder) -> Cached | None:
    """The cached document, or None when neither Redis nor PostgreSQL holds it. A document built from PostgreSQL is
    published back (a Redis outage only warns) and returned exactly as the cache will return it, so both origins
    serve the same bytes under the same version. Every read asks Redis; only the parse of a text already seen is
    reused."""
    text = cache.read_text(key)
    origin = "cache"
    if text is None:
        built = build()
        if built is None:
            return None
        payload, as_of = built
        cache.publish(key, payload, as_of=as_of)
        text, origin = encode(payload, as_of), "warehouse"
    return Cached(_parsed(text), origin, hashlib.blake2b(text.encode(), digest_size=16).hexdigest())


@lru_cache(maxsize=64)
def _parsed(text: str) -> dict[str, Any]:
    return json.loads(text)
