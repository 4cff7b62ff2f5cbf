"""The screener: every symbol of a session's universe with its price, volume, indicators, patterns and events,
filtered and sorted.

The whole session's screen (some hundreds of rows) is one document in Redis (`cache:screener:<session>`), kept
with the partition digests of the tables it was read from: a request reads the digests (one small PostgreSQL
read) and Redis, and rebuilds the screen from PostgreSQL only when a table of that session was rewritten since.
Filtering and sorting run over the cached rows in memory."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from investing_assets.lib.services.reads.results import (
    NotFound,
    Refused,
    Result,
    Stores,
    Window,
    label_of,
    page,
    plain_rows,
)
from investing_assets.lib.services.reads.sessions import check_session
from investing_assets.lib.storage.queries.screener import INDICATOR_COLUMNS, screen_fingerprint, screen_rows

KEY = "cache:screener:{session}"
SORTABLE = ("symbol", "name", "sector", "close", "change_pct", "volume", "market_cap", *INDICATOR_COLUMNS,
            "discoveries", "best_score")
ABOVE = ("sma_20", "sma_50", "sma_200")


@dataclass(frozen=True)
class Criteria:
    """What a screen keeps (every bound inclusive; None: no bound) and how it is sorted."""

    min_price: float | None = None
    max_price: float | None = None
    min_volume: float | None = None
    min_change: float | None = None
    max_change: float | None = None
    min_rsi: float | None = None
    max_rsi: float | None = None
    sector: str | None = None
    pattern: str | None = None  # a chart or confirmed candlestick pattern detected that session
    event: str | None = None  # a technical event of that session
    above: str | None = None  # close above this moving average (ABOVE)
    discovered: bool = False  # only symbols the scanner surfaced that session
    sort: str = "symbol"
    descending: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTABLE:
            raise Refused(f"unknown sort column {self.sort!r}: one of {', '.join(SORTABLE)}")
        if self.above is not None and self.above not in ABOVE:
            raise Refused(f"unknown moving average {self.above!r}: one of {', '.join(ABOVE)}")

    def keeps(self, row: dict[str, Any]) -> bool:
        bounds = (("close", self.min_price, self.max_price), ("volume", self.min_volume, None),
                  ("change_pct", self.min_change, self.max_change), ("rsi_14", self.min_rsi, self.max_rsi))
        for column, low, high in bounds:
            value = row[column]
            if (low is not None or high is not None) and value is None:
                return False
            if (low is not None and value < low) or (high is not None and value > high):
                return False
        if self.sector and row["sector"] != self.sector:
            return False
        if self.pattern and self.pattern not in row["chart_patterns"] + row["candlestick_patterns"]:
            return False
        if self.event and self.event not in row["events"]:
            return False
        if self.above and (row[self.above] is None or row["close"] <= row[self.above]):
            return False
        return not (self.discovered and not row["discoveries"])

    def as_query(self) -> dict[str, Any]:
        """The criteria that differ from the defaults (what a link to the same screen carries)."""
        default = Criteria()
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) != getattr(default, f.name)}


def screen(stores: Stores, criteria: Criteria, window: Window, session: dt.date | None = None) -> Result:
    """The symbols `criteria` keeps on `session` (default: the newest stored universe), sorted, a page at a time.
    `extra` names what the filters can choose from (sectors, patterns, events) and how many symbols were screened."""
    rows, as_of, origin, version = session_screen(stores, session)
    label = label_of((row.get("source") for row in rows), stores.market_source)
    result = page(ordered(rows, criteria), window, as_of=as_of, origin=origin, label=label,
                  version=version and hashlib.blake2b(f"{version}{criteria}".encode(), digest_size=16).hexdigest())
    result.extra.update(screened=len(rows), choices=_choices(rows))
    return result


def ordered(rows: list[dict[str, Any]], criteria: Criteria) -> list[dict[str, Any]]:
    """The rows `criteria` keeps, in its order (ties by symbol; a row without the sort value last either way)."""
    kept = [row for row in rows if criteria.keeps(row)]
    present = [row for row in kept if row[criteria.sort] is not None]
    present.sort(key=lambda row: (row[criteria.sort], row["symbol"]), reverse=criteria.descending)
    return present + [row for row in kept if row[criteria.sort] is None]


def session_screen(stores: Stores, session: dt.date | None = None) -> tuple[list[dict[str, Any]], str, str, str]:
    """(rows, session, origin, version) of a session's whole screen: Redis while its inputs are unchanged, else
    PostgreSQL (refilling Redis)."""
    if session is not None:
        check_session(session)
    day, fingerprint = screen_fingerprint(stores.warehouse, session)
    if day is None:
        raise NotFound("no universe stored yet: materialize universe and daily_bars")
    key = KEY.format(session=day.isoformat())
    text = stores.cache.read_text(key)
    document = _parsed(text) if text else None
    origin = "cache"
    if document is None or document["data"]["fingerprint"] != fingerprint:
        rows = plain_rows(screen_rows(stores.warehouse, day))
        if not rows:
            raise NotFound(f"no bars stored for the universe of {day.isoformat()}")
        document = {"as_of": day.isoformat(), "data": {"fingerprint": fingerprint, "rows": rows}}
        stores.cache.publish(key, document["data"], as_of=day)
        origin = "warehouse"
    version = hashlib.blake2b(fingerprint.encode(), digest_size=16).hexdigest()
    return document["data"]["rows"], document["as_of"], origin, version


@lru_cache(maxsize=8)
def _parsed(text: str) -> dict[str, Any]:
    """A cached screen's text parsed once while Redis keeps returning it (its rows are shared: never changed)."""
    return json.loads(text)


def _choices(rows: list[dict[str, Any]]) -> dict[str, list[str]]:
    return {"sectors": sorted({row["sector"] for row in rows if row["sector"]}),
            "patterns": sorted({p for row in rows for p in row["chart_patterns"] + row["candlestick_patterns"]}),
            "events": sorted({e for row in rows for e in row["events"]})}
