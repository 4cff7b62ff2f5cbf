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


def _stored_bars(warehouse, sessions: list[dt.date]) -> pl.DataFrame:
    from investing_assets.bench.indicators import make_bars
    from investing_assets.lib.storage import names

    frame = make_bars(3, len(sessions), seed=11).with_columns(
        session=pl.Series(sessions * 3, dtype=pl.Date), source=pl.lit("test"), currency=pl.lit("USD"))
    warehouse.replace_rows(names.DAILY_BARS, frame, {"session": sessions})
    return frame


def test_a_range_written_in_chunks_stores_what_one_pass_computes(warehouse, monkeypatch):
    from investing_assets.lib.analytics.indicators import indicators_on_windows, window_start
    from investing_assets.lib.core.schemas import INDICATORS
    from investing_assets.lib.services import indicators as service
    from investing_assets.lib.storage import names

    days = calendar.sessions_ending(dt.date(2026, 11, 20), 30)  # October into November
    bars = _stored_bars(warehouse, calendar.sessions_between(window_start(days[0]), days[-1]))
    monkeypatch.setattr(service, "ROWS_PER_CHUNK", 7)  # no universe stored: 7 sessions a pass
    written, gaps = service.write_indicators(warehouse, days)
    stored = warehouse.read_table(names.INDICATORS, schema=INDICATORS, order_by=("symbol", "session"))
    assert stored.equals(indicators_on_windows(bars, days))
    assert written.rows == 90 and sorted(written.previews) == days
    assert gaps.complete and gaps.window_start == window_start(days[0]).isoformat()


def test_each_preview_is_its_sessions_first_symbols(warehouse, monkeypatch):
    from investing_assets.lib.analytics.indicators import window_start
    from investing_assets.lib.core.schemas import INDICATORS
    from investing_assets.lib.services import indicators as service
    from investing_assets.lib.storage import names

    days = calendar.sessions_ending(dt.date(2026, 11, 20), 12)
    _stored_bars(warehouse, calendar.sessions_between(window_start(days[0]), days[-1]))
    monkeypatch.setattr(service, "ROWS_PER_CHUNK", 7)
    monkeypatch.setattr(service, "PREVIEW_ROWS", 2)  # fewer than the three symbols: the pick matters
    written, _ = service.write_indicators(warehouse, days)
    stored = warehouse.read_table(names.INDICATORS, schema=INDICATORS)
    for day in days:
        expected = stored.filter(pl.col("session") == day).sort("symbol").head(2)
        assert written.previews[day].equals(expected), day


def test_a_session_without_bars_in_a_later_chunk_writes_nothing(warehouse, monkeypatch):
    import pytest

    from investing_assets.lib.analytics.indicators import window_start
    from investing_assets.lib.core.errors import BadMarketData
    from investing_assets.lib.services import indicators as service
    from investing_assets.lib.storage import names

    days = calendar.sessions_ending(dt.date(2026, 11, 20), 12)
    _stored_bars(warehouse, calendar.sessions_between(window_start(days[0]), days[-2]))  # the last day has none
    monkeypatch.setattr(service, "ROWS_PER_CHUNK", 5)
    with pytest.raises(BadMarketData, match=days[-1].isoformat()):
        service.write_indicators(warehouse, days)
    assert warehouse.count(names.INDICATORS) == 0
