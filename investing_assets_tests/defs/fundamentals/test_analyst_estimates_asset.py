"""The analyst_estimates asset through Dagster, and its 02:00 schedule."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from investing_assets.defs.fundamentals.assets import analyst_estimates
from investing_assets.defs.market.assets import universe
from investing_assets.lib.core import calendar
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

DAYS = calendar.sessions_ending(dt.date(2026, 11, 20), 3)
NY = ZoneInfo("America/New_York")


def test_a_range_is_one_run_with_revisions_in_the_metadata(resources, instance, warehouse):
    assert materialize_range([universe], DAYS[0], DAYS[-1], resources, instance).success
    result = materialize_range([analyst_estimates], DAYS[0], DAYS[-1], resources, instance)
    assert result.success
    assert len(instance.get_runs()) == 2  # one for the universe, one for the estimates
    for day in DAYS:  # every partition shows its own rows and revisions, not the range's
        meta = latest_metadata(instance, "analyst_estimates", day.isoformat())
        assert meta["dagster/row_count"] == warehouse.count("fundamentals.analyst_estimates",
                                                            {"session": [day]}) > 0
        assert meta["run_range"].startswith(f"{DAYS[0].isoformat()} .. {DAYS[-1].isoformat()}")
    assert "revision_pct" in latest_metadata(instance, "analyst_estimates", DAYS[-1].isoformat())["preview"]


@pytest.mark.parametrize("when, expected", [
    (dt.datetime(2026, 11, 24, 2, 0, tzinfo=NY), "2026-11-23"),  # Tuesday 02:00: Monday's consensus
    (dt.datetime(2026, 11, 28, 2, 0, tzinfo=NY), "2026-11-27"),  # Saturday 02:00: Friday's (after Thanksgiving)
])
def test_the_schedule_asks_at_two_for_the_session_closed_the_evening_before(when, expected):
    from investing_assets.definitions import defs
    from investing_assets.lib.core.calendar import last_closed_session

    schedule = defs.get_schedule_def("analyst_estimates_daily")
    assert schedule.cron_schedule == "0 2 * * 2-6" and schedule.execution_timezone == "America/New_York"
    with dg.build_schedule_context(scheduled_execution_time=when,
                                   repository_def=defs.get_repository_def()) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == expected == last_closed_session(when).isoformat()  # what fmp may serve
