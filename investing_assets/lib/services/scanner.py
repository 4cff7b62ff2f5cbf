"""The seed's Market Scanner and Technical Analysis agents as plain functions over the warehouse.

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
from investing_assets.lib.analytics.correlations import rolling_correlations
from investing_assets.lib.core.schemas import INDICATORS
from investing_assets.lib.storage.cache import HotCache
from investing_assets.lib.storage.queries.market import read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse

log = logging.getLogger(__name__)

SCAN_LATEST = "cache:scan:latest"
LAST_SCANNED = "scanner:last_scanned"


@dataclass
class ScanRun:
    sessions: list[dt.date]
    symbols_scanned: int
    discoveries: int
    rows: dict[str, int]
    latest: scanner.ScanResult | None
    cached: bool | None
    issues: pl.DataFrame


def read_indicators_window(warehouse: Warehouse, first: dt.date, last: dt.date,
                           symbols: Sequence[str] | None = None) -> pl.DataFrame:
    where = {"symbol": list(symbols)} if symbols else None
    return warehouse.read_table("technicals.indicators", where, between=("session", first, last),
                                schema=INDICATORS, order_by=("symbol", "session"))


def json_column(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """A list-of-struct column as JSON text, for a jsonb column written through COPY."""
    if column not in frame.columns:
        return frame
    encoded = pl.concat_str([pl.lit("["), pl.col(column).list.eval(pl.element().struct.json_encode())
                             .list.join(","), pl.lit("]")])
    return frame.with_columns(pl.when(pl.col(column).is_null()).then(None).otherwise(encoded).alias(column))


def scan_sessions(warehouse: Warehouse, cache: HotCache | None, sessions: Sequence[dt.date], *,
                  config: scanner.ScanConfig | None = None, symbols: Sequence[str] | None = None,
                  progress: Callable[[str], None] = log.info) -> ScanRun:
    """Scan each session; store detections, discoveries and eligibility for the sessions in one transaction."""
    config = config or scanner.ScanConfig()
    sessions = list(sessions)
    bars, _ = read_bars_window(warehouse, sessions[0], sessions[-1], config.history_sessions, symbols)
    results, started = [], time.perf_counter()
    for k, session in enumerate(sessions, 1):
        # indicators are recomputed on each session's own fixed window (cheap), never read from a table whose
        # warm-up depends on how far back it was loaded: the session's rows then depend on nothing else
        results.append(scanner.scan_day(bars, None, session, config))
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
    return ScanRun(sessions, len({s for r in results for s in r.eligibility.get_column("symbol").to_list()}),
                   sum(r.discoveries.height for r in results),
                   {table: frame.height for table, frame in frames.items()}, latest, cached, issues.unique())


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
        "confidence", "score", "detail").unique(["session", "symbol", "kind", "pattern"], keep="first",
                                                maintain_order=True)
    eligibility = stack([r.eligibility.with_columns(session=pl.lit(r.session)) for r in results]).select(
        "session", "symbol", "eligible", "reason", "close", "dollar_volume", "history")
    return {
        "technicals.candlestick_patterns": candle_rows,
        "technicals.chart_patterns": patterns.unique(["session", "symbol", "pattern", "start_session"],
                                                     keep="first", maintain_order=True),
        "technicals.technical_events": events.unique(["session", "symbol", "event"], keep="first",
                                                     maintain_order=True),
        "technicals.pattern_discoveries": discoveries,
        "technicals.scan_eligibility": eligibility,
    }


def latest_discoveries(warehouse: Warehouse, top: int = 20, session: dt.date | None = None) -> pl.DataFrame:
    """The best discoveries of a session (default: the newest scanned), ranked by score."""
    return warehouse.read_frame(
        "SELECT session, symbol, kind, pattern, direction, level, target, confidence, score, detail "
        "FROM technicals.pattern_discoveries WHERE session = coalesce(%s, "
        "(SELECT max(session) FROM technicals.pattern_discoveries)) "
        "ORDER BY score DESC, kind, symbol, pattern LIMIT %s", [session, top])


def publish_latest_scan(warehouse: Warehouse, cache: HotCache, top: int = 20) -> bool:
    """Cache the newest stored session's ranking, so backfilling an old day never makes the cache older."""
    best = latest_discoveries(warehouse, top)
    if best.height == 0:
        return False
    ranked = [{"rank": k + 1, **{key: _plain(v) for key, v in row.items()}} for k, row in enumerate(best.to_dicts())]
    return cache.publish(SCAN_LATEST, ranked, as_of=best.get_column("session")[0])


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, dt.date) else value


def mark_scanned(cache: HotCache, scanned: dict[str, float]) -> bool:
    """Record when each symbol was last scanned (a sorted set the next batch is picked from)."""
    if not scanned:
        return True
    try:
        cache.client.zadd(LAST_SCANNED, scanned)
        return True
    except Exception as exc:  # the cache is a copy: a missing timestamp only changes the next batch's order
        log.warning("Redis unavailable, %s not updated: %s", LAST_SCANNED, exc)
        return False


def next_batch(cache: HotCache | None, universe: Sequence[str], batch_size: int) -> list[str]:
    """The least recently scanned symbols (never scanned first); the whole universe when batch_size <= 0."""
    if batch_size <= 0:
        return list(universe)
    last: dict[str, float] = {}
    if cache is not None:
        try:
            last = dict(cache.client.zrange(LAST_SCANNED, 0, -1, withscores=True))
        except Exception as exc:
            log.warning("Redis unavailable, picking the batch alphabetically: %s", exc)
    return scanner.pick_batch(last, universe, batch_size)


@dataclass
class CorrelationRun:
    rows: int
    latest: object  # CorrelationResult of the newest session
    dropped: int


def write_correlations(warehouse: Warehouse, sessions: Sequence[dt.date], window: int = 60) -> CorrelationRun:
    """Rolling correlations per session: each symbol vs its sector and the market, extreme pairs, sector matrix."""
    sessions = list(sessions)
    bars, _ = read_bars_window(warehouse, sessions[0], sessions[-1], window + 1)
    sectors = warehouse.read_frame(
        "SELECT DISTINCT ON (symbol) symbol, sector FROM market.universe WHERE session <= %s "
        "ORDER BY symbol, session DESC", [sessions[-1]])
    by_symbol, pairs, sector_rows, latest = [], [], [], None
    for session in sessions:
        result = rolling_correlations(bars, sectors, session, window)
        by_symbol.append(result.by_symbol.with_columns(session=pl.lit(session)))
        for kind, frame in (("most", result.top_pairs), ("least", result.bottom_pairs)):
            pairs.append(frame.with_columns(session=pl.lit(session), kind=pl.lit(kind),
                                            rank=pl.int_range(1, frame.height + 1, dtype=pl.Int32)))
        sector_rows.append(result.sector_frame().unpivot(index="sector", variable_name="sector_b",
                                                         value_name="correlation")
                           .rename({"sector": "sector_a"}).with_columns(session=pl.lit(session)))
        latest = result
    scope = {"session": sessions}
    symbols_frame = pl.concat(by_symbol).select("session", "symbol", "sector", "corr_sector", "corr_market")
    written = warehouse.replace_many([
        ("technicals.symbol_correlations", symbols_frame, scope),
        ("technicals.correlation_pairs", pl.concat(pairs).select("session", "kind", "rank", "symbol_a", "symbol_b",
                                                                 "correlation"), scope),
        ("technicals.sector_correlations", pl.concat(sector_rows).select("session", "sector_a", "sector_b",
                                                                          "correlation"), scope),
    ])
    return CorrelationRun(sum(w.inserted for w in written), latest,
                          latest.dropped.height if latest is not None else 0)


def write_planted_patterns(source: object, warehouse: Warehouse) -> int | None:
    """The demo's ground truth; None when the source plants nothing (every real source)."""
    planted = getattr(source, "planted_patterns", None)
    if planted is None:
        return None
    frame = json_column(planted(), "key_points").with_columns(source=pl.lit(source.name))
    stored = warehouse.read_frame("SELECT DISTINCT symbol FROM market.demo_planted_patterns")
    # every symbol planted now or before: a symbol no longer planted loses its rows in the same transaction
    symbols = sorted(set(frame.get_column("symbol").to_list()) | set(stored.to_series().to_list() if stored.height
                                                                      else []))
    if symbols:
        warehouse.replace_rows("market.demo_planted_patterns", frame, {"symbol": symbols})
    return frame.height


def symbol_report_inputs(warehouse: Warehouse, symbol: str, as_of: dt.date, sessions: int = 250
                         ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars and indicators of one symbol for its chart: `sessions` shown plus the detectors' lookback."""
    bars, _ = read_bars_window(warehouse, as_of, as_of, sessions + scanner.ScanConfig().history_sessions,
                               [symbol])
    first = bars.get_column("session").min() if bars.height else as_of
    return bars, read_indicators_window(warehouse, first, as_of, [symbol])
