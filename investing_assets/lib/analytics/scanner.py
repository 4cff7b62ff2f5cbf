"""The daily market scan as a pure function: bars in, ranked discoveries out.

One day's scan: take each symbol's recent history up to the session, screen it (data_quality), keep the
eligible symbols (price, liquidity, history: ScanConfig), then run the three detectors on them and keep
what they report *on that session*: confirmed candlesticks, chart-pattern breakouts and technical events.
Each discovery gets a confidence (0..1) and a score = confidence x the weight of its kind, and the list is
ranked by score. Scheduling belongs to the Dagster layer, and batching across runs (the last-scanned times
kept in Redis) to lib/services/scan.py; this module only offers ``pick_batch`` so the rotation rule lives
next to the scan it feeds.

Confidence of the kinds that have none of their own (documented here so a ranking can be explained):
candles 0.5, +0.2 for TA-Lib's confirmed (+-200) variants, +0.1 per unit of relative volume above 1 (up
to +0.3), +0.1 x the day's strength; events their EVENT_CONFIDENCE scaled by the day's strength (x 0.75
for a quiet day up to x 1.25 for a 4-sigma move on triple volume), unusual volume by its z-score (z / 6,
capped at 1). The day's strength (0..1) is 0.6 x the session's move in sigmas of the last 20 daily
returns (capped at 4) / 4 + 0.4 x its volume over the 20-session average above 1 (capped at +2) / 2: a
52-week low on a 3-sigma drop with double volume outranks one reached by drifting on thin volume. Equal
scores are ordered by strength, and only then by kind and symbol, so a tie never ranks by name; each discovery
keeps its day_strength, so the stored discoveries read back in the same order.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjust_bars
from investing_assets.lib.analytics.candles import (
    CANDLE_EVENTS,
    CONFIRMED,
    candle_context,
    candlestick_events,
    confirmed_candles,
)
from investing_assets.lib.analytics.chart_patterns import DEFAULT_WINDOW, DETECTIONS, detect_chart_patterns
from investing_assets.lib.analytics.data_quality import ISSUES, ScreenConfig, screen_bars
from investing_assets.lib.analytics.events import EVENTS, PRICE_EVENTS, YEAR_SESSIONS, technical_events
from investing_assets.lib.analytics.indicators import compute_indicators, lookback_sessions
from investing_assets.lib.core import calendar

DISCOVERIES = {
    "symbol": pl.String,
    "session": pl.Date,
    "kind": pl.String,  # chart | event | candle
    "pattern": pl.String,
    "direction": pl.String,
    "level": pl.Float64,  # the key level: breakout/neckline, the event's price, or the candle's close
    "target": pl.Float64,  # chart patterns: measured-move target; else null
    "start_session": pl.Date,  # chart patterns: first turning point; else the session itself
    "key_points": pl.List(pl.Struct({"session": pl.Date, "price": pl.Float64})),
    "confidence": pl.Float64,
    "score": pl.Float64,
    "day_strength": pl.Float64,  # the session's strength (day_strength): breaks ties of score
    "detail": pl.String,
}
ELIGIBILITY = {
    "symbol": pl.String,
    "eligible": pl.Boolean,
    "reason": pl.String,
    "close": pl.Float64,
    "dollar_volume": pl.Float64,  # 20-session average of close x volume
    "history": pl.Int64,  # sessions of bars up to the scan session
}
EVENT_CONFIDENCE = {
    "golden_cross": 0.7,
    "death_cross": 0.7,
    "high_52w": 0.6,
    "low_52w": 0.6,
    "range_breakout_up": 0.5,
    "range_breakout_down": 0.5,
    "rsi_overbought": 0.4,
    "rsi_oversold": 0.4,
    "macd_cross_up": 0.4,
    "macd_cross_down": 0.4,
}


@dataclass(frozen=True)
class ScanConfig:
    min_price: float = 5.0
    min_dollar_volume: float = 5e6
    min_history: int = 252
    batch_size: int = 0  # symbols per scheduled run, least recently scanned first (pick_batch); 0: all
    pattern_window: int = DEFAULT_WINDOW
    # Bars read per symbol: the 52-week events need a year before the session, the indicators their
    # warm-up on the session and on the one before it (crosses compare the two); chart patterns need far less.
    history_sessions: int = max(YEAR_SESSIONS + 20, lookback_sessions() + 1) + 1
    kind_weight: Mapping[str, float] = field(
        default_factory=lambda: {"chart": 1.0, "event": 0.7, "candle": 0.5}
    )
    screen: ScreenConfig = ScreenConfig()
    basis: str = ADJUSTED  # prices the detectors read (lib.analytics.adjustment); the stored bars stay raw


@dataclass(frozen=True)
class ScanResult:
    session: dt.date
    discoveries: pl.DataFrame  # DISCOVERIES, best first
    eligibility: pl.DataFrame  # ELIGIBILITY, one row per symbol seen
    issues: pl.DataFrame  # data_quality.ISSUES found while screening
    # What the detectors saw on the session, before ranking: stored as their own assets.
    chart_patterns: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=DETECTIONS))
    candles: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CANDLE_EVENTS))
    confirmed_candles: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=CONFIRMED))
    events: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EVENTS))

    @property
    def scanned(self) -> int:
        return int(self.eligibility["eligible"].sum()) if self.eligibility.height else 0


def pick_batch(last_scanned: Mapping[str, float], universe: Iterable[str], batch_size: int) -> list[str]:
    """The next symbols to scan: never scanned first, then least recently scanned; ties by symbol.

    last_scanned maps symbol -> when it was last scanned (any increasing number, e.g. epoch seconds)."""
    if batch_size <= 0:
        return []
    unique = sorted(set(universe))
    return sorted(unique, key=lambda s: (s in last_scanned, last_scanned.get(s, -math.inf), s))[:batch_size]


def _recent(bars: pl.DataFrame, session: dt.date, sessions: int) -> pl.DataFrame:
    """Each symbol's bars among the `sessions` NYSE sessions ending at `session` (at most `sessions` of them):
    bounded by the calendar, not by row count, so a symbol with a gap never reaches further back in a longer
    read than in a shorter one."""
    window = calendar.sessions_ending(session, sessions)
    first = window[0] if len(window) == sessions else dt.date.min  # the calendar's start bounds it anyway
    return (
        bars.filter(pl.col("session").is_between(first, session))
        .sort("symbol", "session")
        .group_by("symbol", maintain_order=True)
        .tail(sessions)
    )


def eligible_symbols(
    bars: pl.DataFrame, config: ScanConfig | None = None, session: dt.date | None = None
) -> pl.DataFrame:
    """ELIGIBILITY as of `session` (default: the last session in bars): a bar on that session, close >=
    min_price, 20-session average dollar volume >= min_dollar_volume, >= min_history sessions of bars."""
    config = config or ScanConfig()
    if bars.height == 0:
        return pl.DataFrame(schema=ELIGIBILITY)
    session = session or bars["session"].max()
    upto = bars.filter(pl.col("session") <= session).sort("symbol", "session")
    stats = upto.group_by("symbol", maintain_order=True).agg(
        last_session=pl.col("session").last(),
        close=pl.col("close").last().cast(pl.Float64),
        dollar_volume=(pl.col("close") * pl.col("volume").cast(pl.Float64)).tail(20).mean(),
        history=pl.len().cast(pl.Int64),
    )
    reasons = [
        pl.when(pl.col("last_session") != session).then(pl.format("no bar on {}", pl.lit(str(session)))),
        pl.when(pl.col("close") < config.min_price).then(
            pl.format("price {} < {}", pl.col("close").round(2), pl.lit(config.min_price))
        ),
        pl.when(pl.col("dollar_volume") < config.min_dollar_volume).then(
            pl.format("20-day dollar volume {}M < {}M", (pl.col("dollar_volume") / 1e6).round(2),
                      pl.lit(config.min_dollar_volume / 1e6))
        ),
        pl.when(pl.col("history") < config.min_history).then(
            pl.format("{} sessions of history < {}", pl.col("history"), pl.lit(config.min_history))
        ),
    ]  # fmt: skip
    out = stats.with_columns(reason=pl.concat_str(reasons, separator="; ", ignore_nulls=True)).with_columns(
        eligible=pl.col("reason").is_null() | (pl.col("reason") == ""),
    )
    out = out.with_columns(reason=pl.when(pl.col("eligible")).then(pl.lit("eligible")).otherwise("reason"))
    return out.select([pl.col(c).cast(t) for c, t in ELIGIBILITY.items()])


def _chart_discoveries(patterns: pl.DataFrame) -> pl.DataFrame:
    return patterns.select(
        "symbol",
        session=pl.col("end_session"),
        kind=pl.lit("chart"),
        pattern="pattern",
        direction="direction",
        level="breakout_level",
        target="target",
        start_session="start_session",
        key_points="key_points",
        confidence="confidence",
        detail=pl.format(
            "{} {} breakout through {}, {} ATR tall, target {}", "direction", "pattern",
            pl.col("breakout_level").round(2), pl.col("height_atr").round(1), pl.col("target").round(2),
        ),
    )  # fmt: skip


STRENGTH_SESSIONS = 20
_STRENGTH_MAX_SIGMAS, _STRENGTH_MAX_VOLUME = 4.0, 2.0


def day_strength(bars: pl.DataFrame) -> pl.DataFrame:
    """(symbol, session, day_strength 0..1) for every bar: how unusual the session's move and volume are
    against the symbol's own last STRENGTH_SESSIONS sessions (the module docstring gives the formula)."""
    log_return = (pl.col("close") / pl.col("close").shift(1)).log()
    sigmas = (log_return.abs() / log_return.shift(1).rolling_std(STRENGTH_SESSIONS)).over("symbol")
    volume = pl.col("volume").cast(pl.Float64)
    relative = (volume / volume.shift(1).rolling_mean(STRENGTH_SESSIONS)).over("symbol")
    move = (sigmas.clip(0.0, _STRENGTH_MAX_SIGMAS) / _STRENGTH_MAX_SIGMAS).fill_null(0.0).fill_nan(0.0)
    heavy = ((relative - 1.0).clip(0.0, _STRENGTH_MAX_VOLUME) / _STRENGTH_MAX_VOLUME).fill_null(0.0).fill_nan(0.0)
    return bars.sort("symbol", "session").select("symbol", "session", day_strength=0.6 * move + 0.4 * heavy)


def _candle_discoveries(confirmed: pl.DataFrame, context: pl.DataFrame) -> pl.DataFrame:
    joined = confirmed.join(
        context.select("symbol", "session", "close", "relative_volume", "day_strength"), on=["symbol", "session"]
    )
    confidence = (
        0.5
        + pl.when(pl.col("strength").abs() >= 200).then(0.2).otherwise(0.0)
        + ((pl.col("relative_volume") - 1.0).clip(0.0, 3.0) * 0.1)
        + 0.1 * pl.col("day_strength")
    ).clip(0.0, 1.0)
    return joined.select(
        "symbol",
        "session",
        kind=pl.lit("candle"),
        pattern="pattern",
        direction="direction",
        level="close",
        target=pl.lit(None, dtype=pl.Float64),
        start_session="session",
        key_points=pl.lit(None),
        confidence=confidence,
        detail="reason",
    )


def _event_discoveries(events: pl.DataFrame, closes: pl.DataFrame) -> pl.DataFrame:
    """Events whose value is a price keep it as the key level; RSI, MACD and volume z use the close.
    `closes` carries each bar's close and day_strength."""
    events = events.join(closes, on=["symbol", "session"], how="left")
    base = pl.col("event").replace_strict(EVENT_CONFIDENCE, default=0.4, return_dtype=pl.Float64)
    confidence = (
        pl.when(pl.col("event") == "unusual_volume")
        .then((pl.col("value") / 6.0).clip(0.0, 1.0))
        .otherwise((base * (0.75 + 0.5 * pl.col("day_strength").fill_null(0.0))).clip(0.0, 1.0))
    )
    return events.select(
        "symbol",
        "session",
        kind=pl.lit("event"),
        pattern="event",
        direction="direction",
        level=pl.when(pl.col("event").is_in(PRICE_EVENTS)).then("value").otherwise("close"),
        target=pl.lit(None, dtype=pl.Float64),
        start_session="session",
        key_points=pl.lit(None),
        confidence=confidence,
        detail="detail",
    )


def _indicators_for(
    clean: pl.DataFrame, indicators: pl.DataFrame | None, adjusted: list[str]
) -> pl.DataFrame:
    """The caller's indicators, except for symbols the screen changed (a back-adjusted split), whose
    stored indicators describe the unadjusted prices: those are recomputed from the clean bars."""
    if indicators is None:
        return compute_indicators(clean)
    keep = indicators.filter(~pl.col("symbol").is_in(adjusted))
    redo = clean.filter(pl.col("symbol").is_in(adjusted))
    return pl.concat([keep, compute_indicators(redo)], how="vertical_relaxed") if redo.height else keep


_RANKING = ("score", "day_strength")  # what scan_day adds to the detectors' rows


def scan_day(
    bars: pl.DataFrame, indicators: pl.DataFrame | None, session: dt.date, config: ScanConfig | None = None,
    actions: pl.DataFrame | None = None,
) -> ScanResult:
    """Discoveries on `session` for every eligible symbol in `bars` (see the module docstring).

    `bars` are raw; each symbol's window is adjusted back from the session (config.basis, with the stored
    splits and dividends in `actions`) before screening, so a split or a dividend is no price gap.
    `indicators` (INDICATORS rows for the same symbols up to the session, e.g. from the warehouse) are
    used as they are; None computes them from the bars."""
    config = config or ScanConfig()
    recent = adjust_bars(_recent(bars, session, config.history_sessions), actions, as_of=session,
                         basis=config.basis)
    clean, issues = screen_bars(recent, config.screen)
    eligibility = eligible_symbols(clean, config, session)
    excluded = issues.filter(pl.col("action") == "excluded")["symbol"].unique()
    if excluded.len():
        dropped = pl.DataFrame({"symbol": excluded}).join(eligibility, on="symbol", how="anti").with_columns(
            eligible=pl.lit(False), reason=pl.lit("excluded by data screening"), close=None, dollar_volume=None,
            history=None,
        )  # fmt: skip
        eligibility = pl.concat([eligibility, dropped.select(list(ELIGIBILITY))], how="vertical_relaxed")
    chosen = eligibility.filter(pl.col("eligible"))["symbol"]
    clean = clean.filter(pl.col("symbol").is_in(chosen.implode()))
    if clean.height == 0:
        return ScanResult(session, pl.DataFrame(schema=DISCOVERIES), eligibility.sort("symbol"), issues)
    adjusted = issues.filter(pl.col("action") == "back_adjusted")["symbol"].unique().to_list()
    ind = _indicators_for(clean, indicators, adjusted)

    patterns = detect_chart_patterns(clean, window=config.pattern_window, as_of=session)
    last_bars = _recent(clean, session, 60)
    candles = candlestick_events(last_bars.filter(pl.col("detectable")))
    candles = candles.filter(pl.col("session") == session)
    confirmed = confirmed_candles(candles, last_bars, ind)
    strength = day_strength(last_bars).filter(pl.col("session") == session)
    context = candle_context(last_bars, ind).filter(pl.col("session") == session)
    context = context.join(strength, on=["symbol", "session"], how="left")
    events = technical_events(clean, ind).filter(pl.col("session") == session)
    closes = clean.filter(pl.col("session") == session).select("symbol", "session", "close")

    parts = [
        _chart_discoveries(patterns),
        _candle_discoveries(confirmed, context),
        _event_discoveries(events, closes.join(strength, on=["symbol", "session"], how="left")),
    ]
    weight = pl.col("kind").replace_strict(dict(config.kind_weight), default=0.5, return_dtype=pl.Float64)
    discoveries = (
        pl.concat(
            [p.select([pl.col(c).cast(t) for c, t in DISCOVERIES.items() if c not in _RANKING]) for p in parts]
        )
        .with_columns(score=(pl.col("confidence") * weight).round(6))
        .join(strength, on=["symbol", "session"], how="left")
        .sort(
            ["score", "day_strength", "kind", "symbol", "pattern"],
            descending=[True, True, False, False, False],
            nulls_last=True,
        )
        .select(list(DISCOVERIES))
    )
    return ScanResult(session, discoveries, eligibility.sort("symbol"), issues, patterns, candles, confirmed, events)


def _plain(value: object) -> object:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def summary(result: ScanResult, top: int = 20) -> list[dict]:
    """The top discoveries as JSON-ready dicts (ISO dates, rounded floats), rank 1 first."""
    rows = result.discoveries.head(top).to_dicts()
    return [{"rank": k + 1, **{key: _plain(v) for key, v in row.items()}} for k, row in enumerate(rows)]


__all__ = [
    "DISCOVERIES",
    "ELIGIBILITY",
    "ISSUES",
    "ScanConfig",
    "ScanResult",
    "day_strength",
    "eligible_symbols",
    "pick_batch",
    "scan_day",
    "summary",
]
