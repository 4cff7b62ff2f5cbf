import datetime as dt
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from investing_assets.definitions import defs

NY = ZoneInfo("America/New_York")


def evaluate(name: str, when: dt.datetime):
    schedule = defs.get_schedule_def(name)
    repository = defs.get_repository_def()
    with dg.build_schedule_context(scheduled_execution_time=when, repository_def=repository) as context:
        return list(schedule.evaluate_tick(context).run_requests or []), schedule


@pytest.mark.parametrize(
    "name, cron",
    [
        ("pricing_updates_morning", "0 10 * * *"),
        ("pricing_updates_close", "30 16 * * *"),
        ("commodities_crypto_midday", "0 11 * * 1-5"),
        ("commodities_crypto_close", "15 16 * * 1-5"),
        ("etf_index_quotes_close", "30 16 * * *"),
    ],
)
def test_cadence_is_the_seeds_in_new_york(name, cron):
    schedule = defs.get_schedule_def(name)
    assert schedule.cron_schedule == cron
    assert schedule.execution_timezone == "America/New_York"


def test_close_run_targets_that_session():
    requests, _ = evaluate("pricing_updates_close", dt.datetime(2026, 11, 20, 16, 30, tzinfo=NY))
    assert [r.partition_key for r in requests] == ["2026-11-20"]


def test_close_run_skips_holidays_and_weekends():
    for day in (dt.datetime(2026, 11, 26, 16, 30, tzinfo=NY), dt.datetime(2026, 11, 21, 16, 30, tzinfo=NY)):
        requests, _ = evaluate("pricing_updates_close", day)
        assert requests == []


def test_morning_run_redoes_the_previous_session_across_a_holiday():
    # Friday after Thanksgiving: the previous session is Wednesday 2026-11-25
    requests, _ = evaluate("pricing_updates_morning", dt.datetime(2026, 11, 27, 10, 0, tzinfo=NY))
    assert [r.partition_key for r in requests] == ["2026-11-25"]


def test_evening_utc_tick_uses_new_york_date():
    # 16:15 New York on 2026-11-20 is 21:15 UTC the same day; 2026-11-23 (Monday) in UTC must not leak in
    requests, _ = evaluate("commodities_crypto_close", dt.datetime(2026, 11, 20, 21, 15, tzinfo=dt.UTC))
    assert [r.partition_key for r in requests] == ["2026-11-20"]


def test_run_requests_target_existing_partitions():
    from investing_assets.defs.shared.partitions import trading_day

    requests, _ = evaluate("etf_index_quotes_close", dt.datetime(2026, 11, 20, 16, 30, tzinfo=NY))
    assert requests and all(trading_day.has_partition_key(r.partition_key) for r in requests)


def test_no_schedule_asks_for_a_session_before_its_close():
    """Every session schedule, ticked every half hour of a week: each request names a session already closed."""
    from investing_assets.lib.core import calendar as cal

    for schedule in defs.schedules:
        if schedule.name in {"muni_local_agent", "monthly_muni_risk_refresh", "watchlist_reports_close"}:
            continue  # document and month partitions; the watchlist runs at 16:45
        tick = dt.datetime(2026, 11, 23, 0, 0, tzinfo=NY)
        while tick < dt.datetime(2026, 11, 30, tzinfo=NY):
            with dg.build_schedule_context(scheduled_execution_time=tick,
                                           repository_def=defs.get_repository_def()) as context:
                for request in schedule.evaluate_tick(context).run_requests or []:
                    if request.partition_key is None:
                        continue  # unpartitioned (model memory, IBKR fundamentals): no session to be early for
                    session = dt.date.fromisoformat(request.partition_key)
                    assert session <= cal.last_closed_session(tick), (schedule.name, tick, session)
            tick += dt.timedelta(minutes=30)
