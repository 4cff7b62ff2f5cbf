import datetime as dt

import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.services.reads import Refused
from investing_assets.lib.services.reads.sessions import check_session

NOW = dt.datetime(2026, 11, 20, 17, 0, tzinfo=calendar.NEW_YORK)  # after Friday's close


def test_a_closed_session_is_accepted():
    assert check_session(dt.date(2026, 11, 20), NOW) == dt.date(2026, 11, 20)


@pytest.mark.parametrize("day, message", [
    (dt.date(2026, 11, 21), "2026-11-21 is not an NYSE session (a Saturday); the nearest sessions are "
                            "2026-11-20 (Fri) and 2026-11-23 (Mon)"),
    (dt.date(2026, 11, 26), "2026-11-26 is not an NYSE session (an NYSE holiday (Thursday))"),
    (dt.date(2026, 11, 23), "session 2026-11-23 has not closed yet"),
    (dt.date(1800, 1, 2), "1800-01-02 is outside the NYSE calendar"),
])
def test_other_days_are_refused_in_one_line_naming_them(day, message):
    with pytest.raises(Refused, match=message.replace("(", r"\(").replace(")", r"\)")) as refused:
        check_session(day, NOW)
    assert "\n" not in str(refused.value)


def test_a_session_still_trading_is_refused():
    during = dt.datetime(2026, 11, 20, 15, 0, tzinfo=calendar.NEW_YORK)
    with pytest.raises(Refused, match="session 2026-11-20 has not closed yet .* the last closed session is 2026-11-19"):
        check_session(dt.date(2026, 11, 20), during)
