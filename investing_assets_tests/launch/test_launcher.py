"""What the CLI launches is what a user launches from the UI: a range is a backfill the UI lists, each run has the
job's origin, and the UI (through the webserver's GraphQL, on a workspace loaded as `make dev` loads it) can
re-execute it."""

import datetime as dt

import dagster as dg
import pytest
from dagster._core.execution.backfill import BulkActionStatus
from dagster._core.storage.tags import BACKFILL_ID_TAG
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import WorkspaceFileTarget
from dagster_graphql.test.utils import execute_dagster_graphql

from investing_assets import settings
from investing_assets.cli.common import environment, prepare_environment
from investing_assets.launch.home_lock import HomeLock
from investing_assets.launch.launcher import LOCATION_NAME, DaemonBusy, Launcher
from investing_assets.lib.core import calendar
from investing_assets.lib.storage.queries.sessions import rows_per_session
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.defs._helpers import latest_metadata

SESSIONS = calendar.sessions_ending(dt.date(2026, 11, 20), 3)

REEXECUTE = """
mutation($reexecutionParams: ReexecutionParams) {
  launchPipelineReexecution(reexecutionParams: $reexecutionParams) {
    __typename
    ... on LaunchRunSuccess { run { runId status parentRunId } }
    ... on PythonError { message }
  }
}"""
BACKFILLS = """
{ partitionBackfillsOrError { ... on PartitionBackfills { results { id status title numPartitions } } } }"""
RUN = """
query($runId: ID!) { runOrError(runId: $runId) { ... on Run {
  jobName status repositoryOrigin { repositoryLocationName repositoryName } } } }"""


@pytest.fixture
def launcher(env):
    with environment(prepare_environment()), Launcher.open("test") as opened:
        yield opened


def test_a_range_is_one_backfill_the_ui_lists_with_its_own_truth_per_partition(launcher, env):
    keys = [day.isoformat() for day in SESSIONS]
    launched = launcher.materialize(["universe", "daily_bars"], keys, title="three sessions")
    assert launched.succeeded and launched.backfill_id and len(launched.runs) == 1  # a single-run backfill
    instance = launcher.instance
    assert instance.get_backfill(launched.backfill_id).status == BulkActionStatus.COMPLETED_SUCCESS
    (run,) = [instance.get_run_by_id(run_id) for run_id in launched.runs]
    assert run.tags[BACKFILL_ID_TAG] == launched.backfill_id
    assert run.remote_job_origin.location_name == LOCATION_NAME
    stored = rows_per_session(Warehouse(env), "market.daily_bars", SESSIONS)
    for day in SESSIONS:
        assert latest_metadata(instance, "daily_bars", day.isoformat())["dagster/row_count"] == stored[day] > 500


def test_the_ui_lists_the_backfill_and_re_executes_its_run(launcher):
    launched = launcher.materialize(["universe"], [day.isoformat() for day in SESSIONS], title="universe")
    (run_id,) = launched.runs
    as_make_dev = WorkspaceFileTarget(paths=[str(settings.PROJECT_ROOT / "workspace.yaml")])
    with WorkspaceProcessContext(launcher.instance, as_make_dev) as workspace:
        ui = workspace.create_request_context()
        backfills = execute_dagster_graphql(ui, BACKFILLS).data["partitionBackfillsOrError"]["results"]
        assert [(b["id"], b["status"], b["title"], b["numPartitions"]) for b in backfills] == [
            (launched.backfill_id, "COMPLETED_SUCCESS", "universe", 3)]
        origin = execute_dagster_graphql(ui, RUN, {"runId": run_id}).data["runOrError"]
        assert origin["repositoryOrigin"]["repositoryLocationName"] == LOCATION_NAME
        again = execute_dagster_graphql(ui, REEXECUTE, {"reexecutionParams": {"parentRunId": run_id,
                                                                              "strategy": "ALL_STEPS"}})
        result = again.data["launchPipelineReexecution"]
        assert result["__typename"] == "LaunchRunSuccess", result
        assert result["run"]["parentRunId"] == run_id and result["run"]["status"] == "QUEUED"
    child = launcher.instance.get_run_by_id(result["run"]["runId"])
    launcher._launch_queued([child])  # what the daemon then does with the queued re-execution
    assert launcher.instance.get_run_by_id(child.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_a_single_partition_is_a_run_with_the_partition_tags(launcher):
    launched = launcher.materialize(["universe"], [SESSIONS[-1].isoformat()], title="one session")
    assert launched.backfill_id is None and launched.succeeded
    (run_id,) = launched.runs
    assert launcher.instance.get_run_by_id(run_id).tags["dagster/partition"] == SESSIONS[-1].isoformat()


def test_a_failed_run_is_reported_not_retried(launcher):
    future = calendar.sessions_between(dt.date.today() + dt.timedelta(days=3), dt.date.today() + dt.timedelta(days=9))
    launched = launcher.materialize(["universe"], [future[0].isoformat()], title="a session not closed")
    assert not launched.succeeded
    assert "has not closed yet" in launcher.failure_summary(launched)
    (run_id,) = launched.runs
    assert launcher.instance.get_run_by_id(run_id).tags["dagster/max_retries"] == "0"


def test_a_second_daemon_on_the_home_is_refused_in_one_line(env):
    with environment(prepare_environment()), HomeLock(settings.home(), "daemon").held("investing dev"):
        with pytest.raises(DaemonBusy, match=r"a Dagster daemon already runs for .* \(pid \d+: investing dev\)"):
            with Launcher.open("test"):
                pass
