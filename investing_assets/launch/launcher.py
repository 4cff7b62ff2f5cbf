"""Launching work as a user does from the UI: a range of partitions is a backfill, one partition (or an
unpartitioned asset) is a run, each run created from the workspace `make dev` serves, so it carries the job's
origin (re-executable from the UI, on the timeline) and the backfill shows under Overview -> Backfills.

The CLI plays the daemon's part for its own backfills and queued runs only: it steps the backfill with Dagster's
own iteration (the same code the daemon runs every 30 s, here without the wait) and launches each queued run in
this process (Dagster's synchronous in-memory launcher), so the code is loaded once for all of them, not once per
run. It holds the home's daemon lock meanwhile: a `make dev` daemon would otherwise pick up the same runs.

The runs execute the code as this process imported it, with the settings of that moment (the CLI sets its
environment first); a long-lived process whose settings change must start a new one rather than reuse it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.definitions.partitions.context import partition_loading_context
from dagster._core.definitions.run_request import RunRequest
from dagster._core.definitions.selector import (
    JobSubsetSelector,
    PartitionRangeSelector,
    PartitionsByAssetSelector,
    PartitionsSelector,
)
from dagster._core.execution.backfill import BulkActionStatus, PartitionBackfill
from dagster._core.execution.submit_asset_runs import submit_asset_run
from dagster._core.instance.ref import InstanceRef
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.storage.tags import BACKFILL_ID_TAG, PARTITION_NAME_TAG
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.utils import make_new_backfill_id
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.backfill import execute_backfill_iteration

from investing_assets import settings
from investing_assets.launch.home_lock import HomeLock, LockHeld

# Nothing of a run reaches the terminal (the CLI names failed runs); every run's full log is in the UI.
QUIET_RUN = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
IN_PROCESS_LAUNCHER = {"module": "dagster._core.launcher.sync_in_memory_run_launcher",
                       "class": "SyncInMemoryRunLauncher"}
DONE = (BulkActionStatus.COMPLETED, BulkActionStatus.COMPLETED_SUCCESS, BulkActionStatus.COMPLETED_FAILED,
        BulkActionStatus.FAILED, BulkActionStatus.CANCELED)
POLL_SECONDS = 0.2
STALL_SECONDS = 60
# The CLI reports a failed run instead of retrying it (no daemon of its own would pick the retry up).
NO_RETRY = {"dagster/max_retries": "0"}
# The code location `workspace.yaml` declares for `make dev` (same module, same location name), so the UI finds
# each run's job and can re-execute it; loaded in this process, which runs the code anyway (no code server to
# start and wait for).
LOCATION_NAME = "investing_assets.definitions"
CODE_LOCATION = InProcessWorkspaceLoadTarget(InProcessCodeLocationOrigin(
    LoadableTargetOrigin(executable_path=sys.executable, module_name=LOCATION_NAME,
                         working_directory=str(settings.PROJECT_ROOT)),
    location_name=LOCATION_NAME))


def key_ranges(partitions_def: dg.PartitionsDefinition, partitions: list[str]) -> list[tuple[str, str]]:
    """One range when the partitions are consecutive in the asset's partitioning, else one per key."""
    span = dg.PartitionKeyRange(partitions[0], partitions[-1])
    if list(partitions_def.get_partition_keys_in_range(span)) == partitions:
        return [(span.start, span.end)]
    return [(p, p) for p in partitions]


class DaemonBusy(RuntimeError):
    """Another process acts as this home's daemon (`make dev`, another demo)."""


class LaunchFailed(RuntimeError):
    """Dagster could not plan or finish a backfill."""


@dataclass
class Launched:
    """What a backfill or a run did: run ids by final status, and the backfill's id if there was one."""

    backfill_id: str | None = None
    runs: dict[str, dg.DagsterRunStatus] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return bool(self.runs) and all(s == dg.DagsterRunStatus.SUCCESS for s in self.runs.values())

    @property
    def failed_runs(self) -> list[str]:
        return [run_id for run_id, status in self.runs.items() if status != dg.DagsterRunStatus.SUCCESS]


class Launcher:
    def __init__(self, instance: dg.DagsterInstance, workspace: WorkspaceProcessContext, by: str, *,
                 to_daemon: bool = False) -> None:
        self.instance, self.workspace, self.by = instance, workspace, by
        self.to_daemon = to_daemon  # submit only: the home's running daemon dequeues runs and steps backfills
        self.fallback: str | None = None  # why the webserver's GraphQL was not used, when one was configured
        self.log = logging.getLogger("investing.launcher")  # Dagster's per-iteration backfill reports: UI only
        self.log.setLevel(logging.WARNING)

    @property
    def path(self) -> str:
        """How the launch went, for the launch record and the answer."""
        return "daemon-queue" if self.to_daemon else "in-process"

    @classmethod
    @contextlib.contextmanager
    def open(cls, by: str) -> Iterator[Launcher]:
        """The instance of $DAGSTER_HOME (its storage, queue and limits; runs launched in this process) and the
        workspace of `workspace.yaml`, under the daemon lock. `by` names the launcher in tags and the lock."""
        try:
            with HomeLock(settings.home(), "daemon").held(by):
                ref = InstanceRef.from_dir(str(settings.dagster_home()), overrides={"run_launcher": IN_PROCESS_LAUNCHER})
                with dg.DagsterInstance.from_ref(ref) as instance, \
                        WorkspaceProcessContext(instance, CODE_LOCATION) as workspace:
                    yield cls(instance, workspace, by)
        except LockHeld as held:
            raise DaemonBusy(f"a Dagster daemon already runs for {settings.home()} (pid {held.pid}: {held.what}); "
                             "stop it first, or launch from its UI") from None

    @classmethod
    @contextlib.contextmanager
    def open_for_daemon(cls, by: str) -> Iterator[Launcher]:
        """The instance as `make dev` runs it (its own run launcher and queue): runs and backfills are only
        submitted, and the home's daemon, which holds the lock, launches them. For a face that must not wait
        (the API, MCP) or finds the daemon busy."""
        with dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(settings.dagster_home()))) as instance, \
                WorkspaceProcessContext(instance, CODE_LOCATION) as workspace:
            yield cls(instance, workspace, by, to_daemon=True)

    def materialize(self, selection: Sequence[str], partitions: Sequence[str] | None = None, *,
                    title: str, tags: Mapping[str, str] | None = None,
                    run_config: Mapping | None = None) -> Launched:
        """A backfill over `partitions` (more than one), else a single run; waits until it is done (submitted
        only, for the daemon, with `to_daemon`). `run_config` adds ops config to the quiet logging."""
        keys = [dg.AssetKey.from_user_string(name) for name in selection]
        tags = {"investing/launched_by": self.by, **NO_RETRY, **(tags or {})}
        config = {**QUIET_RUN, **(run_config or {})}
        if partitions is not None and len(partitions) > 1:
            return self._backfill(keys, list(partitions), title, tags, config)
        workspace = self.workspace.create_request_context()
        partition = partitions[0] if partitions else None
        if partition is not None:  # the tags a sensor's or the UI's run request resolves to
            tags = {**tags, **workspace.asset_graph.get(keys[0]).partitions_def.get_tags_for_partition_key(partition)}
        request = RunRequest(asset_selection=keys, partition_key=partition, tags=tags, run_config=config)
        run = asyncio.run(submit_asset_run(None, request, 0, self.instance, self.workspace, workspace, {}, {},
                                           self.log))
        self._launch_queued([run])
        return self._launched(None, [run.run_id])

    def run_job(self, job_name: str, partition: str | None = None, *,
                tags: Mapping[str, str] | None = None, run_config: Mapping | None = None) -> Launched:
        """One run of a named job, created as `dagster job launch` creates it (the job's own tags, the
        partition's), then launched; waits until it is done."""
        workspace = self.workspace.create_request_context()
        location = workspace.get_code_location(LOCATION_NAME)
        (repository,) = location.get_repositories().values()
        remote_job = location.get_job(JobSubsetSelector(location_name=LOCATION_NAME, repository_name=repository.name,
                                                        job_name=job_name, op_selection=None))
        config = {**QUIET_RUN, **(run_config or {})}
        plan = location.get_execution_plan(remote_job, config, step_keys_to_execute=None, known_state=None,
                                           instance=self.instance)
        partition_tags = {} if partition is None else {PARTITION_NAME_TAG: partition}  # one-dimensional jobs
        run = self.instance.create_run(
            job_name=job_name, run_id=None, run_config=config, resolved_op_selection=None,
            step_keys_to_execute=None, op_selection=None, status=None, root_run_id=None, parent_run_id=None,
            tags={**remote_job.tags, **partition_tags, "investing/launched_by": self.by, **NO_RETRY, **(tags or {})},
            job_snapshot=remote_job.job_snapshot, execution_plan_snapshot=plan.execution_plan_snapshot,
            parent_job_snapshot=remote_job.parent_job_snapshot, remote_job_origin=remote_job.get_remote_origin(),
            job_code_origin=remote_job.get_python_origin(), asset_selection=None, asset_check_selection=None,
            asset_graph=repository.asset_graph)
        self.instance.submit_run(run.run_id, workspace)
        self._launch_queued([run])
        return self._launched(None, [run.run_id])

    def _backfill(self, keys: list[dg.AssetKey], partitions: list[str], title: str,
                  tags: Mapping[str, str], run_config: Mapping = QUIET_RUN) -> Launched:
        backfill_id = make_new_backfill_id()
        # The same partitions of every selected asset, named explicitly: a backfill anchored on partitions would
        # also take in every partition downstream through the indicators' lookback, up to today.
        graph = self.workspace.create_request_context().asset_graph
        with partition_loading_context(dynamic_partitions_store=self.instance):
            backfill = PartitionBackfill.from_partitions_by_assets(
                backfill_id=backfill_id, asset_graph=graph, backfill_timestamp=time.time(), tags=dict(tags),
                dynamic_partitions_store=self.instance, title=title, description=None, run_config=dict(run_config),
                partitions_by_assets=[PartitionsByAssetSelector(asset_key=key,
                                                                partitions=self._selector(graph, key, partitions))
                                      for key in keys])
        self.instance.add_backfill(backfill)
        if self.to_daemon:
            return Launched(backfill_id)
        idle_since = time.monotonic()
        while (status := self.instance.get_backfill(backfill_id).status) not in DONE:
            for error in execute_backfill_iteration(self.workspace, self.log):
                if error is not None:
                    raise LaunchFailed(f"backfill {backfill_id} ({title}): {error.message.strip()}")
            queued = self._runs(backfill_id, [dg.DagsterRunStatus.QUEUED])
            self._launch_queued(queued)
            if queued:
                idle_since = time.monotonic()
            elif time.monotonic() - idle_since > STALL_SECONDS:
                raise LaunchFailed(f"backfill {backfill_id} ({title}) is still {status.value} after "
                                   f"{STALL_SECONDS} s without a run to launch; see Overview -> Backfills")
            else:
                time.sleep(POLL_SECONDS)
        return self._launched(backfill_id, [run.run_id for run in self._runs(backfill_id)])

    def _selector(self, graph, key: dg.AssetKey, partitions: list[str]) -> PartitionsSelector:
        return PartitionsSelector(ranges=[PartitionRangeSelector(start=start, end=end)
                                          for start, end in key_ranges(graph.get(key).partitions_def, partitions)])

    def _runs(self, backfill_id: str, statuses: list[dg.DagsterRunStatus] | None = None) -> list[dg.DagsterRun]:
        """The backfill's runs in the order they were created (one query: this runs on every poll)."""
        records = self.instance.get_run_records(filters=dg.RunsFilter(tags={BACKFILL_ID_TAG: backfill_id},
                                                                      statuses=statuses or []),
                                                order_by="create_timestamp", ascending=True)
        return [record.dagster_run for record in records]

    def _launch_queued(self, runs: Sequence[dg.DagsterRun]) -> None:
        """Dequeue as the daemon does (STARTING, then the launcher), one run at a time."""
        if self.to_daemon:
            return
        context = self.workspace.create_request_context()
        for run in runs:
            if self.instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.QUEUED:
                self.instance.launch_run(run.run_id, context)

    def _launched(self, backfill_id: str | None, run_ids: list[str]) -> Launched:
        launched = Launched(backfill_id)
        for run_id in run_ids:
            run = self.instance.get_run_by_id(run_id)
            launched.runs[run_id] = run.status
        return launched

    def failure_summary(self, launched: Launched, limit: int = 3) -> str:
        """Each failed run's first step error, for a one-paragraph message."""
        return "; ".join(f"run {run_id[:8]}: {self._first_error(run_id)}" for run_id in launched.failed_runs[:limit])

    def _first_error(self, run_id: str) -> str:
        for entry in self.instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_FAILURE):
            data = entry.dagster_event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:  # a `dg.Failure` of ours
                return data.user_failure_data.description.splitlines()[0]
            if data.error:
                return data.error.to_string().strip().splitlines()[-1]
        return "the run failed before any step (see its log in the UI)"

    def check_outcomes(self, run_id: str, check_name: str) -> dict[str | None, bool]:
        """Whether a check passed in the run, by partition (None: the run's own result, for all its partitions);
        the latest evaluation of each wins."""
        events = self.instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
        outcomes: dict[str | None, bool] = {}
        for event in events:
            data = event.dagster_event.asset_check_evaluation_data if event.dagster_event else None
            if data is not None and data.check_name == check_name:
                outcomes[data.partition] = data.passed
        return outcomes
