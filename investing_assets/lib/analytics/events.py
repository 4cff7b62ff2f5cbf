"""Discrete technical events per (symbol, session): crosses, new highs and lows, breakouts, volume spikes.

Every event is a *crossing* (the condition became true on that session) except new 52-week highs and
lows, which are news every time they happen. All windows look strictly backwards (the 20-day range and
volume average exclude the session itself), so an event on session t uses bars up to t only. Sessions
where the open gaps by a split ratio and more than 8 ATR (an unadjusted split, data_quality.split_like_gap)
report nothing: a split is not a breakdown, a 52-week low or a volume record. Later sessions still see the
jump in their windows, which is why the scanner screens bars (data_quality.screen_bars back-adjusts splits)
first.
"""

from __future__ import annotations

import polars as pl

from investing_assets.lib.analytics.data_quality import split_like_gap

EVENTS = {
    "symbol": pl.String,
    "session": pl.Date,
    "event": pl.String,
    "direction": pl.String,  # bullish | bearish | neutral
    "value": pl.Float64,  # the number that triggered it (price, z-score, RSI, ...)
    "detail": pl.String,
}
# Events whose `value` is a price (the scanner uses it as the key level).
PRICE_EVENTS = (
    "golden_cross",
    "death_cross",
    "high_52w",
    "low_52w",
    "range_breakout_up",
    "range_breakout_down",
)
EVENT_NAMES = (
    *PRICE_EVENTS,
    "unusual_volume",
    "rsi_overbought",
    "rsi_oversold",
    "macd_cross_up",
    "macd_cross_down",
)
YEAR_SESSIONS = 252
RANGE_SESSIONS = 20
VOLUME_SESSIONS = 20
VOLUME_Z = 3.0
RSI_HIGH, RSI_LOW = 70.0, 30.0


def _crossed_above(a: str | float, b: str | float) -> pl.Expr:
    """a > b on this session and a <= b on the previous one; a crossing below is _crossed_above(b, a).

    a and b are column names or fixed levels. A column's previous value is its `<name>_prev` column,
    shifted per symbol before any session is filtered out."""

    def now_and_before(x: str | float) -> tuple[pl.Expr, pl.Expr]:
        return (pl.col(x), pl.col(f"{x}_prev")) if isinstance(x, str) else (pl.lit(x), pl.lit(x))

    (a_now, a_before), (b_now, b_before) = now_and_before(a), now_and_before(b)
    return (a_now > b_now) & (a_before <= b_before)


def _joined(bars: pl.DataFrame, indicators: pl.DataFrame) -> pl.DataFrame:
    """Bars with their indicators, sorted by (symbol, session)."""
    wanted = ["symbol", "session", "sma_50", "sma_200", "rsi_14", "macd", "macd_signal", "atr_14"]
    missing = [c for c in wanted if c not in indicators.columns]
    if missing:
        raise ValueError(f"indicators are missing column(s) {missing}")
    frame = bars.select(
        pl.col("symbol").cast(pl.String),
        pl.col("session").cast(pl.Date),
        *(pl.col(c).cast(pl.Float64) for c in ("open", "high", "low", "close", "volume")),
        pl.col("detectable") if "detectable" in bars.columns else pl.lit(True).alias("detectable"),
    )
    return frame.join(indicators.select(wanted), on=["symbol", "session"], how="left").sort(
        "symbol", "session"
    )


def _event(name: str, condition: pl.Expr, direction: pl.Expr | str, value: pl.Expr, detail: pl.Expr) -> dict:
    return {"name": name, "condition": condition, "direction": direction, "value": value, "detail": detail}


def _fmt(expr: pl.Expr, decimals: int = 2) -> pl.Expr:
    rounded = expr.round(decimals)
    return (rounded.cast(pl.Int64) if decimals == 0 else rounded).cast(pl.String)


def _with_windows(frame: pl.DataFrame, range_sessions: int) -> pl.DataFrame:
    """The joined bars plus each crossing's previous values, the strictly backward windows (52-week and
    range extremes, volume mean and sd) and the split-like flag; computed before any session is filtered
    out, so shifts and windows see every bar of the symbol."""
    frame = frame.with_columns(
        (pl.col(c).shift(1).over("symbol")).alias(f"{c}_prev")
        for c in ("sma_50", "sma_200", "rsi_14", "macd", "macd_signal")
    )
    frame = (
        frame.with_columns(
            (pl.col(c).shift(1).rolling_max(n).over("symbol")).alias(name)
            for c, n, name in (("high", YEAR_SESSIONS, "year_high"), ("high", range_sessions, "range_high"))
        )
        .with_columns(
            pl.col("low").shift(1).rolling_min(YEAR_SESSIONS).over("symbol").alias("year_low"),
            pl.col("low").shift(1).rolling_min(range_sessions).over("symbol").alias("range_low"),
            pl.col("volume").shift(1).rolling_mean(VOLUME_SESSIONS).over("symbol").alias("volume_mean"),
            pl.col("volume").shift(1).rolling_std(VOLUME_SESSIONS).over("symbol").alias("volume_sd"),
            pl.col("close").shift(1).over("symbol").alias("previous_close"),
        )
        .with_columns(
            pl.col("range_high", "range_low", "previous_close").shift(1).over("symbol").name.suffix("_prev"),
        )
    )
    previous_atr = pl.col("atr_14").shift(1).over("symbol")
    return frame.with_columns(
        split_like=split_like_gap(pl.col("open"), pl.col("previous_close"), previous_atr)
    )


def _event_specs(range_sessions: int) -> list[dict]:
    """Every event's condition, direction, value and detail text, as expressions over _with_windows."""
    z = (pl.col("volume") - pl.col("volume_mean")) / pl.col("volume_sd")
    move = pl.col("close") - pl.col("previous_close")
    day_direction = pl.when(move > 0).then(pl.lit("bullish")).when(move < 0).then(pl.lit("bearish"))
    sma50, sma200 = pl.col("sma_50"), pl.col("sma_200")
    rsi, macd, signal = pl.col("rsi_14"), pl.col("macd"), pl.col("macd_signal")
    n = str(range_sessions)
    return [
        _event("golden_cross", _crossed_above("sma_50", "sma_200"), "bullish", sma50,
               pl.format("SMA 50 {} crossed above SMA 200 {}", _fmt(sma50), _fmt(sma200))),
        _event("death_cross", _crossed_above("sma_200", "sma_50"), "bearish", sma50,
               pl.format("SMA 50 {} crossed below SMA 200 {}", _fmt(sma50), _fmt(sma200))),
        _event("high_52w", pl.col("high") > pl.col("year_high"), "bullish", pl.col("high"),
               pl.format("high {} above the 52-week high {}", _fmt(pl.col("high")), _fmt(pl.col("year_high")))),
        _event("low_52w", pl.col("low") < pl.col("year_low"), "bearish", pl.col("low"),
               pl.format("low {} below the 52-week low {}", _fmt(pl.col("low")), _fmt(pl.col("year_low")))),
        _event("range_breakout_up",
               (pl.col("close") > pl.col("range_high"))
               & (pl.col("previous_close") <= pl.col("range_high_prev")),
               "bullish", pl.col("close"),
               pl.format("close {} above the " + n + "-day high {}", _fmt(pl.col("close")),
                         _fmt(pl.col("range_high")))),
        _event("range_breakout_down",
               (pl.col("close") < pl.col("range_low"))
               & (pl.col("previous_close") >= pl.col("range_low_prev")),
               "bearish", pl.col("close"),
               pl.format("close {} below the " + n + "-day low {}", _fmt(pl.col("close")),
                         _fmt(pl.col("range_low")))),
        _event("unusual_volume", (pl.col("volume_sd") > 0) & (z >= VOLUME_Z),
               day_direction.otherwise(pl.lit("neutral")), z,
               pl.format("volume {} is {} sd above its 20-day average {}", _fmt(pl.col("volume"), 0), _fmt(z, 1),
                         _fmt(pl.col("volume_mean"), 0))),
        _event("rsi_overbought", _crossed_above("rsi_14", RSI_HIGH), "bearish", rsi,
               pl.format("RSI 14 rose above 70 to {}", _fmt(rsi, 1))),
        _event("rsi_oversold", _crossed_above(RSI_LOW, "rsi_14"), "bullish", rsi,
               pl.format("RSI 14 fell below 30 to {}", _fmt(rsi, 1))),
        _event("macd_cross_up", _crossed_above("macd", "macd_signal"), "bullish", macd,
               pl.format("MACD {} crossed above its signal {}", _fmt(macd, 3), _fmt(signal, 3))),
        _event("macd_cross_down", _crossed_above("macd_signal", "macd"), "bearish", macd,
               pl.format("MACD {} crossed below its signal {}", _fmt(macd, 3), _fmt(signal, 3))),
    ]  # fmt: skip


def _fired(frame: pl.DataFrame, events: list[dict]) -> pl.DataFrame:
    """One row per (bar, event) whose condition holds."""
    # Conditions first (cheap booleans over every bar), text only for the few bars that fire.
    flags = frame.select(
        "symbol", "session", *(e["condition"].fill_null(False).alias(e["name"]) for e in events)
    )
    parts = []
    for spec in events:
        rows = frame.filter(flags[spec["name"]])
        direction = spec["direction"]
        parts.append(
            rows.select(
                "symbol",
                "session",
                event=pl.lit(spec["name"]),
                direction=pl.lit(direction) if isinstance(direction, str) else direction,
                value=spec["value"],
                detail=spec["detail"],
            )
        )
    return pl.concat(parts)


def technical_events(
    bars: pl.DataFrame, indicators: pl.DataFrame, *, range_sessions: int = RANGE_SESSIONS
) -> pl.DataFrame:
    """EVENTS for every bar, sorted by (symbol, session, event). `indicators` is an INDICATORS frame for
    the same bars (compute_indicators); the 52-week events need 252 earlier sessions in `bars`."""
    if bars.height == 0:
        return pl.DataFrame(schema=EVENTS)
    frame = _with_windows(_joined(bars, indicators), range_sessions)
    frame = frame.filter(pl.col("detectable") & ~pl.col("split_like"))
    found = _fired(frame, _event_specs(range_sessions))
    return found.select([pl.col(c).cast(t) for c, t in EVENTS.items()]).sort("symbol", "session", "event")
