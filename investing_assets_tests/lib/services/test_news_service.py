"""News per session against the real PostgreSQL: the session window, validation, idempotent writes."""

import datetime as dt
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.services import market, news
from investing_assets.lib.storage import names
from investing_assets.lib.synthetic.source import DemoSource

NY = ZoneInfo("America/New_York")
MONDAY, FRIDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 20)


def test_weekend_and_holiday_news_belongs_to_the_next_session():
    assert news.session_window(MONDAY) == (dt.datetime(2026, 11, 21, tzinfo=NY), dt.datetime(2026, 11, 24, tzinfo=NY))
    friday_after_thanksgiving = dt.date(2026, 11, 27)
    start, end = news.session_window(friday_after_thanksgiving)
    assert (start.date(), end.date()) == (dt.date(2026, 11, 26), dt.date(2026, 11, 28))  # Thanksgiving included
    windows = [news.session_window(d) for d in calendar.sessions_between(dt.date(2026, 11, 2), dt.date(2026, 11, 30))]
    assert all(a[1] == b[0] for a, b in zip(windows, windows[1:], strict=False))  # no gap, no overlap


def test_the_first_session_of_the_calendar_has_a_window_of_its_own_day():
    first = calendar.first_session()
    start, end = news.session_window(first)
    assert (start.date(), end.date()) == (first, first + dt.timedelta(days=1))
    # the demo history's first session is not the calendar's: its window opens after 2009-12-31
    assert news.session_window(dt.date(2010, 1, 4))[0].date() == dt.date(2010, 1, 1)


class Untitled(DemoSource):
    def news(self, start, end, symbols=None):
        frame = super().news(start, end, symbols)
        return frame.with_columns(title=pl.when(pl.int_range(pl.len()) == 0).then(None).otherwise("title"))


def test_an_article_without_a_title_is_left_out_with_a_note(universe):
    complete = news.write_news(DemoSource(), universe, [MONDAY]).rows
    written = news.write_news(Untitled(), universe, [MONDAY])
    assert written.rows == complete - 1 and universe.count(names.NEWS_ARTICLES) == complete - 1
    assert written.notes and "1 article(s) without a title left out" in written.notes[0]


class Late(DemoSource):
    def news(self, start, end, symbols=None):
        frame = super().news(start, end, symbols)
        return frame.with_columns(published_at=pl.col("published_at") + dt.timedelta(days=3))


@pytest.fixture
def universe(warehouse):
    market.write_universe(DemoSource(), warehouse, [FRIDAY, MONDAY])
    return warehouse


def test_news_is_written_per_session_and_reruns_change_nothing(universe):
    written = news.write_news(DemoSource(), universe, [FRIDAY, MONDAY])
    with universe.connect() as conn:
        rows = conn.execute("SELECT session, symbol, url, published_at, title FROM news.articles "
                            "ORDER BY 1, 2, 3").fetchall()
    assert written.rows == len(rows) > 0
    for session, *_, published_at, _ in rows:
        start, end = news.session_window(session)
        assert start <= published_at < end
    news.write_news(DemoSource(), universe, [FRIDAY, MONDAY])
    with universe.connect() as conn:
        assert conn.execute("SELECT session, symbol, url, published_at, title FROM news.articles "
                            "ORDER BY 1, 2, 3").fetchall() == rows
    assert written.preview.columns == ["published_at", "symbol", "title"]


def test_an_article_outside_the_window_fails_the_partition_and_writes_nothing(universe):
    with pytest.raises(BadMarketData, match=r"published outside the session's window"):
        news.write_news(Late(), universe, [MONDAY])
    assert universe.count(names.NEWS_ARTICLES) == 0
