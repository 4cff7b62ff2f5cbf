"""The shapes every read shares: where it reads from, which page it asks for, what it returns and how it is
labelled, and the two ways a request is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from investing_assets.lib.services.sources import synthetic_note
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.warehouse import Warehouse

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000  # rows a page may ask for: a bigger read is several pages


class Refused(ValueError):
    """A malformed request (a ticker no symbol can be, a day that is not a session): the caller's to fix."""


class NotFound(LookupError):
    """A well-formed request for something nothing is stored for (an unknown symbol, an unscanned session)."""


@dataclass(frozen=True)
class Stores:
    """Where reads come from; `market_source` labels data derived from the bars (the configured source)."""

    warehouse: Warehouse
    cache: HotCache
    market_source: str = "demo"


@dataclass(frozen=True)
class Window:
    """One page of a list: `limit` rows (1 to MAX_LIMIT) from `offset`."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_LIMIT:
            raise Refused(f"limit must be from 1 to {MAX_LIMIT} (got {self.limit})")
        if self.offset < 0:
            raise Refused(f"offset must be at least 0 (got {self.offset})")

    def slice(self, rows: list) -> list:
        return rows[self.offset:self.offset + self.limit]


@dataclass(frozen=True)
class Label:
    """Whether the data is made up (the demo's synthetic market, the muni book's synthetic issuers), and the
    note that says so."""

    synthetic: bool = False
    note: str | None = None


@dataclass
class Result:
    data: list[dict[str, Any]] | dict[str, Any]
    as_of: str | None  # the session (ISO) the data is of
    origin: str  # "cache", "warehouse" or "dagster"
    label: Label = field(default_factory=Label)
    total: int | None = None  # a list's rows before paging (None: not a list)
    window: Window | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # resource-level fields beside the rows
    version: str | None = None  # a digest of the data read (the cache entry's): same version and page, same body


def label_of(sources: Iterable[str | None], fallback: str | None = None) -> Label:
    """The label of rows by the sources that wrote them (their `source` column); rows that do not say are labelled
    by `fallback` (the configured market source)."""
    named = {s for s in sources if s} or ({fallback} if fallback else set())
    notes = sorted(filter(None, (synthetic_note(name) for name in named)))
    return Label(True, notes[0]) if notes else Label()


def plain(value: Any) -> Any:
    """A value as JSON carries it: dates and times as ISO text."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def plain_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def page(rows: list[dict[str, Any]], window: Window, **fields: Any) -> Result:
    """A Result holding `window`'s page of `rows` (all of a list read in one piece)."""
    return Result(window.slice(rows), total=len(rows), window=window, **fields)
