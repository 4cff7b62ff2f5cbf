"""trading_day partitions follow INVESTING_START; a range outside them is refused naming the first session."""

import datetime as dt

import pytest

from investing_assets.defs.shared import partitions


def test_partitions_start_at_the_first_session_of_the_setting():
    assert partitions.first_partition(dt.date(2000, 1, 1)) == dt.date(2000, 1, 3)  # a Saturday: the Monday after
    assert partitions.trading_day.get_first_partition_window().start.date() == partitions.FIRST_SESSION
    with pytest.raises(ValueError, match="INVESTING_START=1884-12-31 is outside the NYSE calendar"):
        partitions.first_partition(dt.date(1884, 12, 31))


def test_a_range_before_the_first_session_is_refused_naming_it():
    with pytest.raises(partitions.OutsideCalendar, match=r"^2001-01-02 is before the calendar's first session "
                                                         r"2016-01-04 \(set INVESTING_START earlier"):
        partitions.require_in_calendar(dt.date(2001, 1, 2), dt.date(2013, 12, 31), first=dt.date(2016, 1, 4))
    with pytest.raises(partitions.OutsideCalendar, match="no NYSE session from 2026-11-26 to 2026-11-26"):
        partitions.require_in_calendar(dt.date(2026, 11, 26), dt.date(2026, 11, 26), first=dt.date(2016, 1, 4))
    assert partitions.require_in_calendar(dt.date(2026, 11, 25), dt.date(2026, 11, 27)) == [
        dt.date(2026, 11, 25), dt.date(2026, 11, 27)]
