"""The ibkr_fundamentals asset through Dagster (demo reports; no gateway; a gateway that is not there) and its
13:00 schedule."""

import datetime as dt
import socket
from zoneinfo import ZoneInfo

import dagster as dg

from investing_assets.defs.fundamentals.ibkr import ibkr_fundamentals
from investing_assets.defs.market.assets import universe
from investing_assets.defs.shared.resources import MarketDataResource
from investing_assets.lib.core import calendar
from investing_assets.lib.storage import names

SESSION = min(calendar.last_closed_session(), calendar.all_sessions()[-1])
NY = ZoneInfo("America/New_York")


def metadata_of(result) -> dict:
    [event] = result.asset_materializations_for_node("ibkr_fundamentals")
    return {key: value.value for key, value in event.metadata.items()}


def with_universe(resources, instance) -> None:
    assert dg.materialize([universe], resources=resources, instance=instance, partition_key=SESSION.isoformat()
                          ).success


def test_the_demo_run_fetches_the_first_symbols_within_the_budget(resources, instance, warehouse, monkeypatch):
    monkeypatch.setenv("INVESTING_IBKR_FUNDAMENTALS_BUDGET", "12")
    with_universe(resources, instance)
    result = dg.materialize([ibkr_fundamentals], resources=resources, instance=instance)
    assert result.success
    meta = metadata_of(result)
    assert meta["fetched"] == 4 and meta["refused"] == 0 and meta["requests"] == 12 and meta["budget"] == 12
    assert meta["status"].startswith("fetched 4 of 4 symbols (") and "with 12 of 12 requests" in meta["status"]
    assert meta["rows_ibkr_statements"] == warehouse.count(names.IBKR_STATEMENTS) > 0
    assert meta["rows_ibkr_profile"] == 4 and meta["synthetic"] is True
    assert meta["preview"].count("\n") == 4 + 1  # header, rule and one line a symbol
    first = meta["fetched_symbols"].split(", ")
    again = metadata_of(dg.materialize([ibkr_fundamentals], resources=resources, instance=instance))
    assert set(again["fetched_symbols"].split(", ")).isdisjoint(first)  # the rotation moved on


def test_without_a_fundamentals_source_the_asset_says_so_in_one_line(resources, instance):
    resources = {**resources, "market_data": MarketDataResource(source="yahoo")}
    result = dg.materialize([ibkr_fundamentals], resources=resources, instance=instance)
    assert result.success
    meta = metadata_of(result)
    assert meta["fetched"] == 0 and "\n" not in meta["status"]
    assert meta["status"].startswith("no IBKR gateway configured: fundamentals comes from the default source yahoo")


def test_a_gateway_that_is_not_there_is_a_reason_per_symbol_and_the_run_succeeds(resources, instance, monkeypatch):
    monkeypatch.setenv("INVESTING_IBKR_FUNDAMENTALS_BUDGET", "6")
    with_universe(resources, instance)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    market = MarketDataResource(source="demo", sources="fundamentals=ibkr", ibkr_port=port)
    result = dg.materialize([ibkr_fundamentals], resources={**resources, "market_data": market}, instance=instance)
    assert result.success
    meta = metadata_of(result)
    assert meta["fetched"] == 0 and meta["refused"] == 2 and meta["requests"] == 0
    assert f"stopped asking: ibkr 127.0.0.1:{port}: no TWS or IB Gateway answered" in meta["status"]
    assert meta["refusals"].count("no TWS or IB Gateway answered") == 6  # each symbol's three reports


def test_the_schedule_runs_at_one_in_new_york_every_day():
    from investing_assets.definitions import defs

    schedule = defs.get_schedule_def("ibkr_fundamentals_daily")
    assert schedule.cron_schedule == "0 13 * * *" and schedule.execution_timezone == "America/New_York"
    when = dt.datetime(2026, 11, 28, 13, 0, tzinfo=NY)  # a Saturday: reports change without a session
    with dg.build_schedule_context(scheduled_execution_time=when,
                                   repository_def=defs.get_repository_def()) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.run_key == "ibkr_fundamentals_daily:2026-11-28"
    assert defs.get_assets_def("ibkr_fundamentals").op.pool == "ibkr"
