"""Indicators follow a successful `pricing_updates` run, for the same session or range."""

import datetime as dt

import dagster as dg

from investing_assets.definitions import defs
from investing_assets.defs.technicals.sensors import indicators_after_pricing
from investing_assets.lib.core import calendar

DAY = dt.date(2026, 11, 20)


def _context(instance, result):
    event = next(e for e in result.all_events if e.event_type_value in ("PIPELINE_SUCCESS", "RUN_SUCCESS"))
    return dg.build_run_status_sensor_context(sensor_name=indicators_after_pricing.name, dagster_event=event,
                                              dagster_instance=instance, dagster_run=result.dagster_run)


def test_success_of_pricing_updates_requests_the_sessions_indicators(instance, resources):
    job = defs.resolve_job_def("pricing_updates")
    previous = calendar.sessions_ending(DAY, 2)[0]
    for day in (previous, DAY):
        result = job.execute_in_process(instance=instance, partition_key=day.isoformat(), resources=resources)
        assert result.success
    request = indicators_after_pricing(_context(instance, result))
    assert isinstance(request, dg.RunRequest)
    assert request.partition_key == DAY.isoformat()
    assert request.run_key == f"indicators_after:{result.run_id}"  # one follow-up per bars run
    # the requested run computes the session's indicators from the bars just written
    run = defs.resolve_job_def("indicator_updates").execute_in_process(
        instance=instance, partition_key=request.partition_key, resources=resources)
    assert run.success
    materialized = instance.get_latest_materialization_event(dg.AssetKey("indicators"))
    assert materialized.dagster_event.partition == DAY.isoformat()


def test_a_range_run_passes_its_range_on(instance, resources):
    job = defs.resolve_job_def("pricing_updates")
    first = calendar.sessions_ending(DAY, 2)[0]
    result = job.execute_in_process(instance=instance, resources=resources, tags={
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": DAY.isoformat()})
    assert result.success
    request = indicators_after_pricing(_context(instance, result))
    assert request.tags["dagster/asset_partition_range_start"] == first.isoformat()
    assert request.tags["dagster/asset_partition_range_end"] == DAY.isoformat()
