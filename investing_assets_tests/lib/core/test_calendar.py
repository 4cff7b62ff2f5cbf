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


def test_the_calendar_reaches_back_past_the_indexed_history():
    """Sessions before CALENDAR_START are sessions (INVESTING_START may be any of them), only not indexed."""
    assert calendar.first_session() <= dt.date(1885, 1, 2)
    assert calendar.is_session(dt.date(2001, 9, 10))
    assert not calendar.is_session(dt.date(2001, 9, 11))  # closed after the attacks, through 2001-09-14
    assert calendar.sessions_between(dt.date(2001, 9, 10), dt.date(2001, 9, 18)) == [
        dt.date(2001, 9, 10), dt.date(2001, 9, 17), dt.date(2001, 9, 18)]
    # a window across CALENDAR_START counts the sessions on both sides
    assert calendar.sessions_ending(dt.date(2010, 1, 5), 3) == [
        dt.date(2009, 12, 31), dt.date(2010, 1, 4), dt.date(2010, 1, 5)]
    assert calendar.holidays_between(dt.date(2004, 6, 10), dt.date(2004, 6, 11)) == [dt.date(2004, 6, 11)]  # Reagan
    with pytest.raises(ValueError, match="2001-09-10 is before 2010-01-04, where session rows start"):
        calendar.session_index(dt.date(2001, 9, 10))


def test_ordinals_count_sessions_on_either_side_of_the_indexed_history():
    days = [dt.date(2009, 12, 30), dt.date(2010, 1, 4), dt.date(2010, 1, 6)]
    first, second, third = calendar.ordinals(days)
    assert (second - first, third - second) == (2, 2)  # 2009-12-31 and 2010-01-05 lie between
    with pytest.raises(ValueError, match="2026-11-26 is not an NYSE session"):
        calendar.ordinals([THANKSGIVING])


def test_a_refusal_names_the_nearest_sessions():
    assert calendar.nearest_sessions(THANKSGIVING) == \
        "the nearest sessions are 2026-11-25 (Wed) and 2026-11-27 (Fri)"
    assert calendar.describe_day(THANKSGIVING) == "an NYSE holiday (Thursday)"
    assert calendar.describe_day(dt.date(2026, 11, 22)) == "a Sunday"
    assert calendar.first_session_on_or_after(dt.date(2000, 1, 1)) == dt.date(2000, 1, 3)
