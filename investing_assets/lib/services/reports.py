"""One symbol's technical report: its chart with every detected pattern, as of a session."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.analytics.chart_patterns import detect_chart_patterns
from investing_assets.lib.analytics.data_quality import screen_bars
from investing_assets.lib.analytics.events import technical_events
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.analytics.scanner import ScanConfig
from investing_assets.lib.charts import technical_chart
from investing_assets.lib.storage.queries.market import read_bars_window
from investing_assets.lib.storage.queries.technicals import read_indicators_window
from investing_assets.lib.storage.warehouse import Warehouse

SHOWN_SESSIONS = 250


@dataclass
class Report:
    symbol: str
    as_of: dt.date
    png: bytes
    patterns: pl.DataFrame
    events: pl.DataFrame
    issues: pl.DataFrame
    last: dict


def technical_report(symbol: str, bars: pl.DataFrame, as_of: dt.date, indicators: pl.DataFrame | None = None
                     ) -> Report:
    """Chart of the last SHOWN_SESSIONS bars up to `as_of` with the patterns and events detected in them.

    Detections come from bars up to `as_of` only (the detectors are causal), so a report for a past date shows
    what the scanner could have known then.
    """
    bars = bars.filter((pl.col("symbol") == symbol) & (pl.col("session") <= as_of)).sort("session")
    if bars.height == 0:
        raise ValueError(f"no bars for {symbol} up to {as_of}")
    clean, issues = screen_bars(bars)
    if indicators is None or indicators.height == 0:
        indicators = compute_indicators(clean.drop("detectable"))
    shown_from = clean.get_column("session").tail(SHOWN_SESSIONS)[0] if clean.height else as_of
    patterns = detect_chart_patterns(clean).filter(pl.col("end_session") >= shown_from)
    events = technical_events(clean, indicators).filter(pl.col("session") >= shown_from)
    png = technical_chart(bars, indicators, patterns, events, title=f"{symbol} to {as_of}", sessions=SHOWN_SESSIONS)
    last = clean.tail(1).join(indicators, on=["symbol", "session"], how="left").to_dicts()[0] if clean.height else {}
    return Report(symbol, as_of, png, patterns, events, issues, last)


def symbol_report_inputs(warehouse: Warehouse, symbol: str, as_of: dt.date, sessions: int = SHOWN_SESSIONS
                         ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Bars and indicators of one symbol for its chart: `sessions` shown plus the detectors' lookback."""
    bars, _ = read_bars_window(warehouse, as_of, as_of, sessions + ScanConfig().history_sessions, [symbol])
    first = bars.get_column("session").min() if bars.height else as_of
    return bars, read_indicators_window(warehouse, first, as_of, [symbol])
