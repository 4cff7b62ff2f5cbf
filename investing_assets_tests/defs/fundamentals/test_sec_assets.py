"""The SEC EDGAR assets through Dagster on the demo archives, the reprocess job, the Saturday schedule."""

import datetime as dt
import shutil
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from investing_assets.defs.fundamentals.sec import sec_filing_index, sec_financials, sec_raw_facts
from investing_assets.defs.shared.resources import SecEdgarResource
from investing_assets.lib.storage import names
from investing_assets_tests.defs._helpers import latest_metadata

WEEK = "2026-11-14"  # Saturday 2026-11-14 02:00 .. Saturday 2026-11-21 02:00 New York
NY = ZoneInfo("America/New_York")


@pytest.fixture
def sec_resources(resources, tmp_path):
    return {**resources, "sec_edgar": SecEdgarResource(source="demo", folder=str(tmp_path / "sec"))}


def test_a_week_ingested_from_the_demo_archives_with_truthful_metadata(sec_resources, instance, warehouse,
                                                                       tmp_path):
    result = dg.materialize([sec_filing_index, sec_raw_facts, sec_financials], partition_key=WEEK,
                            resources=sec_resources, instance=instance)
    assert result.success
    index = latest_metadata(instance, "sec_filing_index", WEEK)
    assert index["holds_filings_through"] == "2026-11-20" and index["source"] == "demo"
    assert index["tickers"] == warehouse.count(names.SEC_TICKERS, {"week": [dt.date(2026, 11, 14)]}) == 508
    assert index["dagster/row_count"] == index["filings"] == warehouse.count(names.SEC_FILINGS)
    facts = latest_metadata(instance, "sec_raw_facts", WEEK)
    assert facts["companies"] == 508 and facts["companies_without_facts"] == 0
    assert facts["dagster/row_count"] == facts["facts"] == warehouse.count(names.SEC_FACTS)
    assert "EarningsPerShareDiluted" in facts["largest_tags"]
    newest = warehouse.read_frame(f"SELECT max(filed) AS filed FROM {names.SEC_FACTS}").item()
    assert newest <= dt.date(2026, 11, 20)  # nothing filed after the week's Friday
    standardized = latest_metadata(instance, "sec_financials", WEEK)
    assert standardized["dagster/row_count"] == warehouse.count(names.SEC_FINANCIALS) > 0
    assert standardized["facts_read"] == facts["facts"] and "eps_diluted" in standardized["concepts"]
    assert "nothing downloaded" in standardized["read_from"]

    # the reprocess job: the archives gone, the standardized financials rebuilt from the stored facts alone
    shutil.rmtree(tmp_path / "sec")
    from investing_assets.definitions import defs

    job = defs.get_job_def("sec_financials_reprocess")
    assert {k.to_user_string() for k in job.asset_layer.selected_asset_keys} == {"sec_financials"}
    rerun = dg.materialize([sec_financials], partition_key=WEEK, resources=sec_resources, instance=instance)
    assert rerun.success and not (tmp_path / "sec").exists()
    assert latest_metadata(instance, "sec_financials", WEEK)["rows"] == standardized["rows"]


def test_edgar_without_a_contact_fails_in_one_line_before_any_request(resources, instance, tmp_path):
    edgar = {**resources, "sec_edgar": SecEdgarResource(source="edgar", folder=str(tmp_path), user_agent=None)}
    result = dg.materialize([sec_filing_index], partition_key=WEEK, resources=edgar, instance=instance,
                            raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE]
    message = failure.step_failure_data.user_failure_data.description
    assert "INVESTING_SEC_USER_AGENT" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def test_the_saturday_schedule_ingests_the_week_that_just_ended_in_the_sec_pool():
    from investing_assets.definitions import defs

    schedule = defs.get_schedule_def("sec_weekly")
    assert schedule.cron_schedule == "0 2 * * 6" and schedule.execution_timezone == "America/New_York"
    with dg.build_schedule_context(scheduled_execution_time=dt.datetime(2026, 11, 28, 2, 0, tzinfo=NY),
                                   repository_def=defs.get_repository_def()) as context:
        [request] = schedule.evaluate_tick(context).run_requests
    assert request.partition_key == "2026-11-21"
    graph = defs.resolve_asset_graph()
    assert graph.get(dg.AssetKey("sec_raw_facts")).pools == {"sec"}
    assert graph.get(dg.AssetKey("sec_filing_index")).pools == {"sec"}
