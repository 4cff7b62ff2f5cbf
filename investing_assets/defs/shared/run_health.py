"""Is a run's process still alive? Without an answer a run whose process died (killed, out of memory, or unable to
record its failure while PostgreSQL was down) stays STARTED forever: a zombie that holds a run slot, shows its
partitions as in progress and keeps the muni sweep from reading its document again.

Dagster's default launcher cannot tell (run monitoring needs `check_run_worker_health`), so this module reads the
run's own first engine event that names a process id (the code server's "Started process for run", or the
executor's "Executing steps in process" when the CLI or `dagster asset materialize` runs it in process) and asks
the operating system whether that process still runs. Runs are launched on this machine (the local launcher):
a process id names the same process only here, and only if it started before the event was written.
"""

from __future__ import annotations

import dagster as dg
import psutil
from dagster._core.launcher import CheckRunHealthResult, DefaultRunLauncher, WorkerStatus

# A process that started this much after its run's event names another process that reused the id.
PID_REUSE_SLACK_SECONDS = 2.0
IN_FLIGHT = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
             dg.DagsterRunStatus.STARTED]


def run_process(instance: dg.DagsterInstance, run_id: str) -> tuple[int, float] | None:
    """The run's main process id and when it was named, or None before the run has one."""
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT):
        data = record.dagster_event.engine_event_data if record.dagster_event else None
        pid = data.metadata.get("pid") if data and data.metadata else None
        if pid is not None:
            return int(pid.value), record.timestamp
    return None


def worker_status(instance: dg.DagsterInstance, run: dg.DagsterRun) -> CheckRunHealthResult:
    named = run_process(instance, run.run_id)
    if named is None:  # not started far enough to say; the start timeout covers runs that never get there
        return CheckRunHealthResult(WorkerStatus.UNKNOWN, "the run has not named its process yet")
    pid, named_at = named
    try:
        process = psutil.Process(pid)
        alive = process.status() != psutil.STATUS_ZOMBIE and process.create_time() <= named_at + \
            PID_REUSE_SLACK_SECONDS
    except psutil.NoSuchProcess:
        alive = False
    if alive:
        return CheckRunHealthResult(WorkerStatus.RUNNING, f"process {pid} is running")
    return CheckRunHealthResult(WorkerStatus.FAILED, f"the run's process {pid} is gone (killed, or it could not "
                                                     "record its end)", run_worker_id=str(pid))


def is_zombie(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool:
    """A run that says STARTED while its process is gone."""
    return run.status == dg.DagsterRunStatus.STARTED and \
        worker_status(instance, run).status == WorkerStatus.FAILED


def live_runs(instance: dg.DagsterInstance) -> list[dg.DagsterRun]:
    """Queued, starting or running runs, zombies left out (they will never finish)."""
    runs = instance.get_runs(filters=dg.RunsFilter(statuses=IN_FLIGHT))
    return [run for run in runs if not is_zombie(instance, run)]


def fail_zombies(instance: dg.DagsterInstance) -> list[str]:
    """Mark every zombie run failed, as run monitoring does, so its partitions show as failed: for processes
    that act without a daemon (the CLI). Returns their ids."""
    failed = []
    for run in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])):
        health = worker_status(instance, run)
        if health.status == WorkerStatus.FAILED:
            instance.report_run_failed(run, f"Marked failed: {health.msg}.")
            failed.append(run.run_id)
    return failed


class LocalRunLauncher(DefaultRunLauncher):
    """Dagster's default launcher (each run a process started by its code server) that can answer run
    monitoring: the daemon then marks a run whose process died as failed instead of leaving it STARTED."""

    @property
    def supports_check_run_worker_health(self) -> bool:
        return True

    def check_run_worker_health(self, run: dg.DagsterRun) -> CheckRunHealthResult:
        health = worker_status(self._instance, run)
        # monitoring fails a run on any status but RUNNING or SUCCESS: "not yet known" must not be one of them
        return CheckRunHealthResult(WorkerStatus.RUNNING, health.msg) if health.status == WorkerStatus.UNKNOWN \
            else health
