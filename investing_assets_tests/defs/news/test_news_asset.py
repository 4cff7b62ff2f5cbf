"""The news_articles asset through Dagster, and its two-hourly schedule."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from investing_assets.defs.market.assets import universe
from investing_assets.defs.news.assets import news_articles
from investing_assets_tests.defs._helpers import materialize_range

MONDAY = dt.date(2026, 11, 23)
NY = ZoneInfo("America/New_York")


def test_a_session_holds_the_weekend_and_reruns_identically(resources, instance, warehouse):
    assert materialize_range([universe], MONDAY, MONDAY, resources, instance).success
    result = materialize_range([news_articles], MONDAY, MONDAY, resources, instance)
    assert result.success
    meta = result.asset_materializations_for_node("news_articles")[0].metadata
    stored = warehouse.read_frame("SELECT session, symbol, url, published_at FROM news.articles ORDER BY 2, 3")
    assert meta["dagster/row_count"].value == stored.height > 0
    assert materialize_range([news_articles], MONDAY, MONDAY, resources, instance).success
    assert warehouse.read_frame("SELECT session, symbol, url, published_at FROM news.articles ORDER BY 2, 3"
                                ).equals(stored)


@pytest.mark.parametrize("when, expected", [
    (dt.datetime(2026, 11, 23, 17, 0, tzinfo=NY), "2026-11-23"),
    (dt.datetime(2026, 11, 23, 23, 0, tzinfo=NY), "2026-11-23"),
    (dt.datetime(2026, 11, 26, 19, 0, tzinfo=NY), None),  # Thanksgiving: skipped, Friday's run takes it
])
def test_the_schedule_runs_today_every_two_hours_after_the_close(when, expected):
    from investing_assets.definitions import defs

    schedule = defs.get_schedule_def("news_ingestion_2h")
    assert schedule.cron_schedule == "0 17-23/2 * * 1-5"
    with dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def()) as context:
        requests = schedule.evaluate_tick(context).run_requests or []
    assert [r.partition_key for r in requests] == ([expected] if expected else [])


def test_the_overnight_run_collects_the_last_hour_of_the_previous_session():
    from investing_assets.definitions import defs

    schedule = defs.get_schedule_def("news_ingestion_overnight")
    assert schedule.cron_schedule == "30 0 * * 2-6"
    with dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 24, 0, 30, tzinfo=NY),
                                   repository_def=defs.get_repository_def()) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-23"
