import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from investing_assets.definitions import defs

NY = ZoneInfo("America/New_York")


def tick(name: str, when: dt.datetime, instance=None):
    schedule = defs.get_schedule_def(name)
    with dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def(),
                                   instance=instance) as context:
        return schedule.evaluate_tick(context)


def test_daily_scan_at_one_scans_the_last_session():
    schedule = defs.get_schedule_def("daily_market_scan_0100")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 1 * * *", "America/New_York")
    saturday = tick("daily_market_scan_0100", dt.datetime(2026, 11, 21, 1, 0, tzinfo=NY))
    monday = tick("daily_market_scan_0100", dt.datetime(2026, 11, 23, 1, 0, tzinfo=NY))
    assert [r.partition_key for r in saturday.run_requests] == ["2026-11-20"]
    assert [r.partition_key for r in monday.run_requests] == ["2026-11-20"]
    assert saturday.run_requests[0].run_key == monday.run_requests[0].run_key  # the weekend scans it once


def test_watchlist_grid_is_one_run_per_day_over_the_whole_watchlist():
    with dg.instance_for_test() as instance:
        empty = tick("watchlist_reports_close", dt.datetime(2026, 11, 20, 16, 45, tzinfo=NY), instance)
        assert not empty.run_requests and "empty" in empty.skip_message
        instance.add_dynamic_partitions("watchlist", ["NVDA", "AAPL", "MSFT"])
        result = tick("watchlist_reports_close", dt.datetime(2026, 11, 20, 16, 45, tzinfo=NY), instance)
        (request,) = result.run_requests
        assert request.tags["dagster/asset_partition_range_start"] == "2026-11-20|AAPL"
        assert request.tags["dagster/asset_partition_range_end"] == "2026-11-20|NVDA"
        holiday = tick("watchlist_reports_close", dt.datetime(2026, 11, 26, 16, 45, tzinfo=NY), instance)
        assert not holiday.run_requests
