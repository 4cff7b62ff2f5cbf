"""How complete a stored lookback window is, before indicators are computed on it."""

import datetime as dt

import polars as pl

from investing_assets.lib.core import calendar
from investing_assets.lib.services.indicators import WindowGaps, window_gaps

WINDOW = calendar.sessions_ending(dt.date(2026, 11, 20), 4)


def bars(rows: dict[str, list[dt.date]]) -> pl.DataFrame:
    return pl.DataFrame([{"symbol": s, "session": d} for s, days in rows.items() for d in days])


def test_a_full_window_is_complete():
    gaps = window_gaps(bars({"AAPL": WINDOW, "MSFT": WINDOW}), WINDOW, WINDOW[-1:])
    assert gaps == WindowGaps(4, WINDOW[0].isoformat(), 0, 4, 0, [], True, [])


def test_short_symbols_and_missing_sessions_are_counted():
    gaps = window_gaps(bars({"AAPL": WINDOW[2:], "MSFT": WINDOW[1:]}), WINDOW, WINDOW[-2:])
    assert not gaps.complete
    assert (gaps.symbols_with_short_window, gaps.shortest_window, gaps.missing_sessions) == (2, 2, 1)
    assert gaps.missing_session_sample == [WINDOW[0].isoformat()] and gaps.target_sessions_without_bars == []


def test_requested_sessions_without_bars_are_named():
    gaps = window_gaps(bars({"AAPL": WINDOW[:-1]}), WINDOW, WINDOW[-1:])
    assert gaps.target_sessions_without_bars == [WINDOW[-1].isoformat()]
