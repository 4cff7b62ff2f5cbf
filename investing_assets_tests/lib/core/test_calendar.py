"""The NYSE calendar is the backbone of every partition: sessions, holidays, and "the last close"."""

import datetime as dt

import pytest

from investing_assets.lib.core import calendar

NY = calendar.NEW_YORK
THANKSGIVING = dt.date(2026, 11, 26)


def test_holidays_and_weekends_are_not_sessions():
    assert not calendar.is_session(THANKSGIVING)
    assert not calendar.is_session(dt.date(2026, 7, 3))  # Independence Day observed on the Friday
    assert not calendar.is_session(dt.date(2026, 11, 21))  # a Saturday
    assert calendar.is_session(dt.date(2026, 11, 27))  # the half day after Thanksgiving is a session


def test_session_index_refuses_a_non_session_by_name():
    with pytest.raises(ValueError, match="2026-11-26 is not an NYSE session"):
        calendar.session_index(THANKSGIVING)
    monday, tuesday = dt.date(2026, 11, 23), dt.date(2026, 11, 24)
    assert calendar.session_index(tuesday) == calendar.session_index(monday) + 1


def test_windows_count_sessions_not_days():
    week = calendar.sessions_between(dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert week == [dt.date(2026, 11, d) for d in (23, 24, 25, 27)]
    assert calendar.sessions_ending(THANKSGIVING, 2) == [dt.date(2026, 11, 24), dt.date(2026, 11, 25)]
    assert calendar.last_session_on_or_before(dt.date(2026, 11, 29)) == dt.date(2026, 11, 27)


def test_holidays_between_are_the_weekdays_the_partitions_exclude():
    assert calendar.holidays_between(dt.date(2026, 11, 1), dt.date(2026, 12, 31)) == [
        THANKSGIVING, dt.date(2026, 12, 25)]


@pytest.mark.parametrize(("now", "expected"), [
    (dt.datetime(2026, 11, 20, 15, 59, tzinfo=NY), dt.date(2026, 11, 19)),  # before Friday's close
    (dt.datetime(2026, 11, 20, 16, 0, tzinfo=NY), dt.date(2026, 11, 20)),  # at the close
    (dt.datetime(2026, 11, 22, 12, 0, tzinfo=NY), dt.date(2026, 11, 20)),  # Sunday
    (dt.datetime(2026, 11, 26, 18, 0, tzinfo=NY), dt.date(2026, 11, 25)),  # Thanksgiving evening
    (dt.datetime(2026, 11, 21, 2, 0, tzinfo=dt.UTC), dt.date(2026, 11, 20)),  # 21:00 Friday in New York
])
def test_last_closed_session_uses_new_york_time(now, expected):
    assert calendar.last_closed_session(now) == expected


def test_in_new_york_converts_and_defaults_to_now():
    utc = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.UTC)
    assert calendar.in_new_york(utc).hour == 8  # EDT
    assert calendar.in_new_york().tzinfo == NY


def test_require_closed_refuses_a_session_before_its_close():
    friday = dt.date(2026, 11, 20)
    assert calendar.require_closed([friday], dt.datetime(2026, 11, 20, 16, 0, tzinfo=NY)) == [friday]
    with pytest.raises(calendar.SessionNotClosed, match="session 2026-11-20 has not closed yet"):
        calendar.require_closed([dt.date(2026, 11, 19), friday], dt.datetime(2026, 11, 20, 2, 47, tzinfo=NY))
