"""The daily market scan over the warehouse: scan sessions, store what they found, rank them in Redis.

Each session is scanned on a window of fixed length ending at it (ScanConfig.history_sessions), so the rows of
a session do not depend on which range a run covered: a re-run of any partition gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.analytics import scanner
from investing_assets.lib.services.model_memory import ensure_loaded
from investing_assets.lib.storage import names
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.memory import UNAVAILABLE, Item, MemoryStore
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window
from investing_assets.lib.storage.queries.technicals import latest_discoveries
from investing_assets.lib.storage.warehouse import Warehouse, json_column

log = logging.getLogger(__name__)


@dataclass
class ScanOutcome:
    sessions: list[dt.date]
    symbols_scanned: int
    discoveries: int
    rows: dict[str, int]
    latest: scanner.ScanResult | None
    cached: bool | None
    issues: pl.DataFrame
    basis: str = scanner.ScanConfig.basis


def scan_sessions(warehouse: Warehouse, cache: HotCache | None, sessions: Sequence[dt.date], *,
                  config: scanner.ScanConfig | None = None, symbols: Sequence[str] | None = None,
                  progress: Callable[[str], None] = log.info) -> ScanOutcome:
    """Scan each session; store detections, discoveries and eligibility for the sessions in one transaction."""
    config = config or scanner.ScanConfig()
    sessions = list(sessions)
    bars, _ = read_bars_window(warehouse, sessions[0], sessions[-1], config.history_sessions, symbols)
    actions = actions_for_bars(warehouse, bars)
    results, started = [], time.perf_counter()
    for k, session in enumerate(sessions, 1):
        # indicators are recomputed on each session's own fixed window (cheap), never read from a table whose
        # warm-up depends on how far back it was loaded: the session's rows then depend on nothing else
        results.append(scanner.scan_day(bars, None, session, config, actions))
        if k % 10 == 0 or k == len(sessions):
            progress(f"scanned {k}/{len(sessions)} sessions ({session}) in {time.perf_counter() - started:.1f} s")
    scope: dict[str, list] = {"session": sessions}
    if symbols:
        scope["symbol"] = sorted(set(symbols))
    frames = _frames(results)
    warehouse.replace_many([(table, frame, scope) for table, frame in frames.items()])
    cached = None
    if cache is not None:
        cached = publish_latest_scan(warehouse, cache)
        scanned = {s: time.time() for r in results for s in r.eligibility.get_column("symbol").to_list()}
        mark_scanned(cache, scanned)
    latest = results[-1] if results else None
    issues = pl.concat([r.issues for r in results], how="vertical_relaxed") if results else pl.DataFrame()
    return ScanOutcome(sessions, len({s for r in results for s in r.eligibility.get_column("symbol").to_list()}),
                       sum(r.discoveries.height for r in results),
                       {table: frame.height for table, frame in frames.items()}, latest, cached, issues.unique(),
                       config.basis)


def _frames(results: list[scanner.ScanResult]) -> dict[str, pl.DataFrame]:
    def stack(frames: list[pl.DataFrame]) -> pl.DataFrame:
        return pl.concat(frames, how="vertical_relaxed")

    candles = stack([r.candles for r in results])
    confirmed = stack([r.confirmed_candles for r in results]).select("symbol", "session", "pattern", "kind",
                                                                     "reason")
    candle_rows = (candles.join(confirmed, on=["symbol", "session", "pattern"], how="left")
                   .with_columns(confirmed=pl.col("reason").is_not_null())
                   .select("session", "symbol", "pattern", "direction", "strength", "confirmed", "kind", "reason"))
    patterns = json_column(stack([r.chart_patterns for r in results]), "key_points").rename(
        {"end_session": "session"}).select("session", "symbol", "pattern", "family", "direction", "start_session",
                                           "key_points", "breakout_level", "target", "height_atr", "confidence")
    events = stack([r.events for r in results]).select("session", "symbol", "event", "direction", "value", "detail")
    discoveries = json_column(stack([r.discoveries for r in results]), "key_points").select(
        "session", "symbol", "kind", "pattern", "direction", "level", "target", "start_session", "key_points",
        "confidence", "score", "day_strength", "detail").unique(["session", "symbol", "kind", "pattern"], keep="first",
                                                maintain_order=True)
    eligibility = stack([r.eligibility.with_columns(session=pl.lit(r.session)) for r in results]).select(
        "session", "symbol", "eligible", "reason", "close", "dollar_volume", "history")
    return {
        names.CANDLESTICK_PATTERNS: candle_rows,
        names.CHART_PATTERNS: patterns.unique(["session", "symbol", "pattern", "start_session"], keep="first",
                                              maintain_order=True),
        names.TECHNICAL_EVENTS: events.unique(["session", "symbol", "event"], keep="first", maintain_order=True),
        names.PATTERN_DISCOVERIES: discoveries,
        names.SCAN_ELIGIBILITY: eligibility,
    }


LATEST_TOP = 20  # discoveries the latest-scan cache holds


def publish_latest_scan(warehouse: Warehouse, cache: HotCache, top: int = LATEST_TOP) -> bool:
    """Cache the newest stored session's ranking, so backfilling an old day never makes the cache older."""
    latest = latest_scan_document(warehouse, top)
    if latest is None:
        return False
    ranked, as_of = latest
    return cache.publish(names.SCAN_LATEST_KEY, ranked, as_of=as_of)


def latest_scan_document(warehouse: Warehouse, top: int = LATEST_TOP) -> tuple[list[dict], dt.date] | None:
    """The newest scanned session's `top` discoveries, ranked from 1, and that session: what the latest-scan
    cache holds (the read API refills a cold cache with it). None before any scan is stored."""
    best = latest_discoveries(warehouse, top)
    if best.height == 0:
        return None
    ranked = [{"rank": k + 1, **{key: _plain(v) for key, v in row.items()}} for k, row in enumerate(best.to_dicts())]
    return ranked, best.get_column("session")[0]


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def mark_scanned(cache: HotCache, scanned: dict[str, float]) -> bool:
    """Record when each symbol was last scanned: the scanner's rotation, in model memory (`memory:` + the
    SCANNER_ROTATION namespace, synced nightly to PostgreSQL), which the next batch is picked from.

    A Redis outage warns: a timestamp lost to it only changes the next batch's order."""
    try:
        MemoryStore(cache.url).put(names.SCANNER_ROTATION, scanned)
        return True
    except UNAVAILABLE as exc:
        log.warning("Redis unavailable, the scanner's rotation not updated (the next run refills it): %s", exc)
        return False


def next_batch(cache: HotCache | None, universe: Sequence[str], batch_size: int,
               warehouse: Warehouse | None = None) -> list[str]:
    """The least recently scanned symbols (never scanned first); the whole universe when batch_size <= 0.

    A Redis that starts empty is refilled from PostgreSQL's copy of the memory first (`warehouse`). Without
    Redis every symbol counts as never scanned, so the batch is picked alphabetically."""
    if batch_size <= 0:
        return list(universe)
    return scanner.pick_batch(last_scanned(cache, warehouse), universe, batch_size)


def last_scanned(cache: HotCache | None, warehouse: Warehouse | None = None) -> dict[str, float]:
    """symbol -> when it was last scanned (epoch seconds); empty without Redis. The sorted set the rotation was
    kept in before model memory is folded in once (each time as the version of its scan) and dropped."""
    if cache is None:
        return {}
    memory = MemoryStore(cache.url)
    try:
        if not memory.loaded():
            ensure_loaded(memory, warehouse)
        _fold_legacy_rotation(memory)
        return {symbol: float(when) for symbol, when in memory.values(names.SCANNER_ROTATION).items()}
    except UNAVAILABLE as exc:
        log.warning("Redis unavailable, cannot read the scanner's rotation: %s", exc)
        return {}


def _fold_legacy_rotation(memory: MemoryStore) -> None:
    legacy = memory.client.zrange(names.LEGACY_SCANNER_LAST_SCANNED_KEY, 0, -1, withscores=True)
    if legacy:
        memory.merge((names.SCANNER_ROTATION, symbol, Item(int(when * 1_000_000), when)) for symbol, when in legacy)
        memory.client.delete(names.LEGACY_SCANNER_LAST_SCANNED_KEY)
