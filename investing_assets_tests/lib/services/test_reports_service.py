import datetime as dt

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.services.history import write_symbol_history
from investing_assets.lib.services.reports import (
    REPORT_SESSIONS,
    SHOWN_SESSIONS,
    report_window,
    stored_report,
    technical_report,
)
from investing_assets.lib.synthetic.source import DemoSource

LAST = dt.date(2026, 11, 20)
SYMBOL = "JBL"  # the demo plants a double top completing on LAST


@pytest.fixture(scope="module")
def window_bars() -> pl.DataFrame:
    return DemoSource().daily_bars(report_window(LAST), [SYMBOL])


@pytest.fixture(scope="module")
def report(window_bars):
    return technical_report(SYMBOL, window_bars, LAST)


def test_every_line_covers_the_shown_window(report) -> None:
    assert len(report.chart.sessions) == SHOWN_SESSIONS and report.chart.sessions[-1] == LAST
    assert report.window.complete and report.window.read == REPORT_SESSIONS
    for line in ("candles", "volume", "SMA 50", "SMA 200", "Bollinger upper", "Bollinger lower", "RSI 14"):
        assert report.chart.series[line] == SHOWN_SESSIONS, line
    # what is drawn is what the report counts: every detection in the window gets its marker
    assert report.patterns.height >= 1 and report.events.height >= 1
    assert sum(n for k, n in report.chart.markers.items() if k.endswith("pattern")) == report.patterns.height
    assert sum(n for k, n in report.chart.markers.items() if k.endswith("event")) == report.events.height


def test_the_legend_names_every_line_and_marker(report) -> None:
    legend = " | ".join(report.chart.legend)
    for label in ("SMA 50", "SMA 200", "Bollinger 20/2 band", "bullish pattern: key points", "breakout level",
                  "bearish event, above the bar", "bullish event, below the bar", "neutral event", "RSI 14",
                  "overbought 70", "oversold 30", "volume, up session"):
        assert label in legend, label


def test_only_the_window_counts_so_any_longer_read_gives_the_same_bytes(window_bars, report) -> None:
    longer = DemoSource().daily_bars(calendar.sessions_ending(LAST + dt.timedelta(days=10), REPORT_SESSIONS + 80),
                                     [SYMBOL, "AAPL"])
    again = technical_report(SYMBOL, longer, LAST)
    assert again.png == report.png and again.chart == report.chart
    assert again.patterns.equals(report.patterns) and again.events.equals(report.events)


def test_a_short_history_says_so(window_bars) -> None:
    short = technical_report(SYMBOL, window_bars.tail(300), LAST)
    assert not short.window.complete and short.window.read == 300
    assert "short: 232 earlier sessions missing" in short.window.describe()


def test_the_warehouse_face_reads_the_window_of_the_last_stored_session(warehouse, report) -> None:
    write_symbol_history(DemoSource(), warehouse, SYMBOL, start=report_window(LAST)[0] - dt.timedelta(days=90),
                         end=LAST)
    # asked for a later session than is stored, it reports the last stored one, on that session's window
    later = stored_report(warehouse, SYMBOL, LAST + dt.timedelta(days=7))
    assert later.as_of == LAST and later.png == report.png
    with pytest.raises(ValueError, match="no bars for MSFT up to 2026-11-20"):
        stored_report(warehouse, "MSFT", LAST)
