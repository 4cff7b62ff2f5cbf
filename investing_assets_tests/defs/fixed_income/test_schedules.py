"""Fixed-income cadences in New York time, and the 4-hourly sweep that catches what the sensor missed."""

import datetime as dt
import hashlib
import uuid
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from investing_assets.defs.fixed_income.assets import PATH_TAG, muni_documents
from investing_assets.defs.fixed_income.schedules import muni_local_agent
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.lib.muni.drop_folder import document_key, sha256_file
from investing_assets_tests.defs.fixed_income.conftest import area_definitions
from investing_assets_tests.lib.services.muni._helpers import sample_report

NY = ZoneInfo("America/New_York")
PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory) -> bytes:
    return sample_report(tmp_path_factory.mktemp("muni_sample"))[0]


@pytest.fixture
def defs(muni_resources) -> dg.Definitions:
    return area_definitions(muni_resources)


def evaluate(defs: dg.Definitions, name: str, when: dt.datetime, instance=None):
    schedule = defs.get_schedule_def(name)
    with dg.build_schedule_context(scheduled_execution_time=when, repository_def=defs.get_repository_def(),
                                   instance=instance) as context:
        return list(schedule.evaluate_tick(context).run_requests or [])


@pytest.mark.parametrize("name, cron, job", [
    ("monthly_muni_risk_refresh", "0 0 10 * *", "monthly_muni_risk_refresh"),
    ("daily_bond_risk", "0 12 * * *", "daily_bond_risk"),
    ("muni_local_agent", "0 */4 * * *", "muni_document_extraction"),
])
def test_cadence_is_the_seeds_in_new_york(defs, name, cron, job):
    schedule = defs.get_schedule_def(name)
    assert (schedule.cron_schedule, schedule.execution_timezone, schedule.job_name) == (cron, "America/New_York", job)


def test_the_drop_folder_sensor_ticks_every_30_seconds_and_starts_running(defs):
    sensor = defs.get_sensor_def("muni_drop_folder")
    assert sensor.minimum_interval_seconds == 30
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_monthly_refresh_trains_the_month_it_runs_in(defs):
    # 00:00 New York on the 10th is 05:00 UTC: the UTC date must not decide the month
    for when in (dt.datetime(2026, 12, 10, 0, 0, tzinfo=NY), dt.datetime(2026, 12, 10, 5, 0, tzinfo=dt.UTC)):
        [request] = evaluate(defs, "monthly_muni_risk_refresh", when)
        assert request.partition_key == "2026-12-01"


def test_daily_bond_risk_scores_the_last_closed_session(defs):
    [request] = evaluate(defs, "daily_bond_risk", dt.datetime(2026, 11, 20, 12, 0, tzinfo=NY))
    assert request.partition_key == "2026-11-19"  # noon: the 20th has not closed
    [request] = evaluate(defs, "daily_bond_risk", dt.datetime(2026, 11, 27, 12, 0, tzinfo=NY))
    assert request.partition_key == "2026-11-25"  # the day after Thanksgiving


def test_adhoc_training_job_trains_the_model(defs):
    job = defs.resolve_job_def("adhoc_bond_risk_training")
    assert job.asset_layer.executable_asset_keys == {dg.AssetKey("muni_risk_model")}


def sweep(instance, drop):
    with dg.build_schedule_context(instance=instance, resources={"muni_drop": drop},
                                   scheduled_execution_time=dt.datetime(2026, 11, 20, 8, 0, tzinfo=NY)) as context:
        result = muni_local_agent(context)
    return result if isinstance(result, list) else []


def test_the_sweep_registers_settled_files_the_sensor_missed(instance, instant_drop):
    folder = instant_drop.get()
    (folder.root / "missed.pdf").write_bytes(PDF)
    [request] = sweep(instance, instant_drop)
    key = document_key("missed.pdf", sha256_file(folder.root / "missed.pdf"))
    assert request.partition_key == key and request.tags[PATH_TAG] == "missed.pdf"
    assert instance.get_dynamic_partitions(muni_document.name) == [key]


def test_the_sweep_leaves_files_still_being_written(instance, drop):
    (drop.get().root / "fresh.pdf").write_bytes(PDF)  # settle window of an hour, and no earlier look
    assert sweep(instance, drop) == []
    assert instance.get_dynamic_partitions(muni_document.name) == []


def test_the_sweep_restarts_registered_documents_whose_run_never_finished(instance, instant_drop, muni_resources,
                                                                         sample_pdf):
    """A run that was lost is started again; a quarantined document's failed run is not: it would fail the same
    way every 4 hours."""
    folder = instant_drop.get()
    (folder.root / "good.pdf").write_bytes(sample_pdf)
    good = document_key("good.pdf", sha256_file(folder.root / "good.pdf"))
    instance.add_dynamic_partitions(muni_document.name, ["lost-0123456789", "gone-0123456789", good])
    resources = {**muni_resources, "muni_drop": instant_drop}
    gone = dg.materialize([muni_documents], partition_key="gone-0123456789", instance=instance,
                          resources=resources, raise_on_error=False)
    assert not gone.success  # nothing found: recorded as missing, and its partition failed
    assert folder.set_aside() == ["gone-0123456789"]
    assert dg.materialize([muni_documents], partition_key=good, tags={PATH_TAG: "good.pdf"}, instance=instance,
                          resources=resources).success
    requests = sweep(instance, instant_drop)
    assert [r.partition_key for r in requests] == ["lost-0123456789"]
    assert requests[0].run_key.startswith("lost-0123456789@")


def test_the_sweep_reads_again_documents_set_aside_for_a_timeout(instance, instant_drop):
    folder = instant_drop.get()
    slow, bad = folder.root / "slow.pdf", folder.root / "bad.pdf"
    slow.write_bytes(PDF)
    bad.write_bytes(b"not a pdf")
    keys = {p.name: document_key(p.name, sha256_file(p)) for p in (slow, bad)}
    instance.add_dynamic_partitions(muni_document.name, list(keys.values()))
    folder.quarantine_file(slow, "timeout", "took too long", document_key=keys["slow.pdf"])
    folder.quarantine_file(bad, "not_pdf", "no header", document_key=keys["bad.pdf"])
    # both runs failed (quarantined, never materialized): only the transient one is read again
    [request] = sweep(instance, instant_drop)
    assert request.partition_key == keys["slow.pdf"] and request.run_key.startswith(keys["slow.pdf"] + "@")


def test_the_sweep_skips_retries_it_cannot_or_need_not_start(instance, instant_drop):
    """A note whose partition is gone (deleted in the UI) must not fail the tick; a running one is not doubled."""
    folder = instant_drop.get()
    orphan, busy = folder.root / "orphan.pdf", folder.root / "busy.pdf"
    orphan.write_bytes(PDF)
    busy.write_bytes(PDF + b"busy")
    keys = {p.name: document_key(p.name, sha256_file(p)) for p in (orphan, busy)}
    instance.add_dynamic_partitions(muni_document.name, [keys["busy.pdf"]])
    for path in (orphan, busy):
        folder.quarantine_file(path, "timeout", "took too long", document_key=keys[path.name])
    assert [r.partition_key for r in sweep(instance, instant_drop)] == [keys["busy.pdf"]]
    instance.add_run(dg.DagsterRun(job_name="__ASSET_JOB", run_id=str(uuid.uuid4()),
                                   status=dg.DagsterRunStatus.STARTED, tags={"dagster/partition": keys["busy.pdf"]}))
    assert sweep(instance, instant_drop) == []  # materialized from the UI right now: no second run


def test_the_sweep_reads_again_a_document_whose_run_lost_its_process(instance, instant_drop):
    """A run that says STARTED while its process is gone (killed mid-read) never ends: not in flight."""
    import subprocess

    from dagster._core.events import EngineEventData

    folder = instant_drop.get()
    (folder.root / "killed.pdf").write_bytes(PDF)
    key = document_key("killed.pdf", sha256_file(folder.root / "killed.pdf"))
    instance.add_dynamic_partitions(muni_document.name, [key])
    run = instance.add_run(dg.DagsterRun(job_name="muni_document_extraction", run_id=str(uuid.uuid4()),
                                         status=dg.DagsterRunStatus.STARTED, tags={"dagster/partition": key}))
    process = subprocess.Popen(["true"])  # a process id that is gone
    process.wait()
    instance.report_engine_event("Started process for run", run, EngineEventData.in_process(process.pid))
    assert [r.partition_key for r in sweep(instance, instant_drop)] == [key]

def test_the_sweep_reads_a_lost_documents_bytes_again_unless_a_run_has_them(instance, instant_drop):
    folder = instant_drop.get()
    key = document_key("report.pdf", hashlib.sha256(PDF).hexdigest())
    instance.add_dynamic_partitions(muni_document.name, [key])
    folder.record_absent("report.pdf", "missing", "gone before its run", document_key=key)
    (folder.root / "report (found).pdf").write_bytes(PDF)
    [request] = sweep(instance, instant_drop)
    assert request.partition_key == key and request.tags[PATH_TAG] == "report (found).pdf"
    assert instance.get_dynamic_partitions(muni_document.name) == [key]
    instance.add_run(dg.DagsterRun(job_name="muni_document_extraction", run_id=str(uuid.uuid4()),
                                   status=dg.DagsterRunStatus.STARTED, tags={"dagster/partition": key}))
    assert sweep(instance, instant_drop) == []  # the sensor's run for it is under way: not a second one
