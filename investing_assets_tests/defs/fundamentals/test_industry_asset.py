"""industry_aggregates and index_valuations through Dagster, and their 04:00 schedule."""

import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg

from investing_assets.defs.fundamentals.assets import analyst_estimates, industry_aggregation
from investing_assets.defs.market import assets as market_assets
from investing_assets.lib.core import calendar
from investing_assets_tests.defs._helpers import materialize_range

DAY = dt.date(2026, 11, 20)
NY = ZoneInfo("America/New_York")


def test_one_run_writes_both_with_a_sector_chart(resources, instance, warehouse):
    history = calendar.sessions_ending(DAY, 23)
    assert materialize_range([market_assets.universe, market_assets.daily_bars], history[0], DAY, resources,
                             instance).success
    assert materialize_range([market_assets.index_constituents, analyst_estimates], DAY, DAY, resources,
                             instance).success
    result = materialize_range([industry_aggregation], DAY, DAY, resources, instance)
    assert result.success
    by_key = {m.asset_key.path[-1]: m.metadata for m in result.asset_materializations_for_node("industry_aggregation")}
    assert by_key["industry_aggregates"]["dagster/row_count"].value == warehouse.count(
        "fundamentals.industry_aggregates") > 0
    assert by_key["industry_aggregates"]["chart"].value.startswith("![chart](data:image/png;base64,")
    assert by_key["industry_aggregates"]["price_basis"].value == "adjusted"  # what the returns are computed on
    assert "forward_pe" in by_key["index_valuations"]["valuations"].value
    assert warehouse.count("fundamentals.index_valuations") == 3


def test_the_schedule_runs_at_four_for_the_session_closed_the_evening_before():
    from investing_assets.definitions import defs

    schedule = defs.get_schedule_def("industry_aggregation_daily")
    assert schedule.cron_schedule == "0 4 * * 2-6" and schedule.execution_timezone == "America/New_York"
    with dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 21, 4, 0, tzinfo=NY),
                                   repository_def=defs.get_repository_def()) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-20"
