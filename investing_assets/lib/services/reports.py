"""One symbol's technical report as of a session: the one builder behind the `technical_report` asset, the
`watchlist_report` grid and `investing chart`.

Every face gives it the bars of the same calendar window (REPORT_SESSIONS sessions ending at the report's
session, from the warehouse or the source) and it computes everything from those bars alone: indicators,
patterns and events are never read from tables, whose coverage depends on what was materialized. The first
WARMUP_SESSIONS of the window are the indicators' own lookback (lib.analytics.indicators.lookback_sessions), so
every line covers the whole shown window and, on each shown session, equals what the indicator asset computes
for that session; the 52-week events have their year of history too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from investing_assets.lib.analytics.adjustment import ADJUSTED, adjust_bars
from investing_assets.lib.analytics.chart_patterns import detect_chart_patterns
from investing_assets.lib.analytics.data_quality import screen_bars
from investing_assets.lib.analytics.events import EVENTS, technical_events
from investing_assets.lib.analytics.indicators import compute_indicators, lookback_sessions
from investing_assets.lib.charts import DrawnChart, technical_chart
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import actions_for_bars, last_bar_session, read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse

SHOWN_SESSIONS = 250
WARMUP_SESSIONS = lookback_sessions()
REPORT_SESSIONS = SHOWN_SESSIONS + WARMUP_SESSIONS
_BAR_COLUMNS = {"symbol": pl.String, "session": pl.Date, "open": pl.Float64, "high": pl.Float64,
                "low": pl.Float64, "close": pl.Float64, "volume": pl.Float64}


@dataclass(frozen=True)
class ReportWindow:
    """The bars a report was computed from: `read` of the `wanted` sessions, starting at `first`."""

    first: dt.date
    read: int
    wanted: int
    shown: int

    @property
    def complete(self) -> bool:
        return self.read >= self.wanted

    def describe(self) -> str:
        short = "" if self.complete else f" (short: {self.wanted - self.read} earlier sessions missing)"
        return (f"{self.shown} sessions shown, indicators and detections over {self.read} of {self.wanted} "
                f"sessions from {self.first}{short}")


@dataclass(frozen=True)
class Report:
    symbol: str
    as_of: dt.date
    chart: DrawnChart
    window: ReportWindow
    patterns: pl.DataFrame
    events: pl.DataFrame
    issues: pl.DataFrame
    last: dict
    basis: str = ADJUSTED

    @property
    def png(self) -> bytes:
        return self.chart.png


def report_window(as_of: dt.date) -> list[dt.date]:
    """The calendar sessions a report as of `as_of` reads: REPORT_SESSIONS ending at it."""
    return calendar.sessions_ending(as_of, REPORT_SESSIONS)


def technical_report(symbol: str, bars: pl.DataFrame, as_of: dt.date, actions: pl.DataFrame | None = None,
                     basis: str = ADJUSTED, *, data_note: str | None = None) -> Report:
    """The report on the last session with a bar up to `as_of`, from the bars of report_window(that session).

    `bars` (raw, as stored) may hold more (other symbols, earlier or later sessions): only that window is used,
    adjusted back from the report's session (`basis`, with the stored splits and dividends in `actions`), so the
    same bars give the same report whichever face asks. Detections are causal, so a past date shows what the
    scanner could have known then. `data_note` is drawn on the chart (sources.synthetic_note: the demo says
    "synthetic").
    """
    mine = bars.filter((pl.col("symbol") == symbol) & (pl.col("session") <= as_of))
    if mine.height == 0:
        raise ValueError(f"no bars for {symbol} up to {as_of}")
    as_of = mine.get_column("session").max()
    window = report_window(as_of)
    mine = adjust_bars(mine.filter(pl.col("session") >= window[0]), actions, as_of=as_of, basis=basis)
    mine = mine.select([pl.col(c).cast(t) for c, t in _BAR_COLUMNS.items()]).sort("session")
    clean, issues = screen_bars(mine)
    drawn = clean.drop("detectable") if clean.height else mine  # a symbol the screen excludes is drawn raw
    indicators = compute_indicators(drawn)
    shown_from = drawn.get_column("session").tail(SHOWN_SESSIONS)[0]
    if clean.height:
        patterns = detect_chart_patterns(clean).filter(pl.col("end_session") >= shown_from)
        events = technical_events(clean, indicators).filter(pl.col("session") >= shown_from)
    else:
        patterns, events = detect_chart_patterns(clean), pl.DataFrame(schema=EVENTS)
    chart = technical_chart(drawn, indicators, patterns, events, title=f"{symbol} to {as_of}, {basis} prices",
                            sessions=SHOWN_SESSIONS, basis=basis, data_note=data_note)
    last = drawn.tail(1).join(indicators, on=["symbol", "session"], how="left").to_dicts()[0]
    span = ReportWindow(drawn.get_column("session").min(), drawn.height, REPORT_SESSIONS, len(chart.sessions))
    return Report(symbol, as_of, chart, span, patterns, events, issues, last, basis)


def read_report_bars(warehouse: Warehouse, symbol: str, as_of: dt.date) -> pl.DataFrame:
    """The warehouse's bars for technical_report: the window ending at the symbol's last stored session up to
    `as_of` (a report asked for a session not loaded yet is the report of the last loaded one)."""
    latest = last_bar_session(warehouse, symbol, as_of)
    if latest is None:
        raise ValueError(f"{names.DAILY_BARS} holds no bars for {symbol} up to {as_of}")
    bars, _ = read_bars_window(warehouse, latest, latest, REPORT_SESSIONS - 1, [symbol])
    return bars


def stored_report(warehouse: Warehouse, symbol: str, as_of: dt.date, basis: str = ADJUSTED, *,
                  data_note: str | None = None) -> Report:
    """technical_report from the warehouse's bars and corporate actions (the assets' face)."""
    bars = read_report_bars(warehouse, symbol, as_of)
    return technical_report(symbol, bars, as_of, actions_for_bars(warehouse, bars), basis, data_note=data_note)
