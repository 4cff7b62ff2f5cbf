"""The drop-folder sensor, tick by tick, on a persistent instance, as the daemon would run it."""

import hashlib
import json
import os

import dagster as dg
import pytest

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.assets import PATH_TAG, SHA_TAG, muni_documents
from investing_assets.defs.fixed_income.sensors import muni_drop_folder
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.lib.muni.drop_folder import document_key
from investing_assets_tests.defs.fixed_income.conftest import area_definitions
from investing_assets_tests.lib.services.muni._helpers import sample_report

PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"


class Daemon:
    """Ticks the sensor like the daemon: carries the cursor and applies the partition requests."""

    def __init__(self, instance, drop):
        self.instance, self.drop, self.cursor = instance, drop, None

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=self.instance, instance_ref=self.instance.get_ref(),
                                          cursor=self.cursor, resources={"muni_drop": self.drop})
        result = muni_drop_folder(context)
        self.cursor = result.cursor
        for request in result.dynamic_partitions_requests:
            self.instance.add_dynamic_partitions(request.partitions_def_name, list(request.partition_keys))
        return result

    def keys(self, result: dg.SensorResult) -> list[str]:
        return [r.partition_key for r in result.run_requests]


def put(drop, name: str, data: bytes = PDF):
    path = drop.get().root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_new_file_becomes_a_partition_and_a_run_keyed_by_it(instance, drop):
    daemon = Daemon(instance, drop)
    put(drop, "Springfield ACFR.pdf")
    first = daemon.tick()
    assert first.run_requests == [] and "1 still being written" in first.skip_reason.skip_message
    result = daemon.tick()
    key = document_key("Springfield ACFR.pdf", _sha(PDF))
    [request] = result.run_requests
    assert request.partition_key == key and request.run_key == key
    assert request.tags[PATH_TAG] == "Springfield ACFR.pdf" and key.endswith(request.tags[SHA_TAG][:10])
    assert instance.get_dynamic_partitions(muni_document.name) == [key]
    json.loads(result.cursor)  # the observation state is plain JSON
    assert daemon.tick().run_requests == []  # the run is pending: nothing new


def test_evaluate_tick_resolves_the_new_partitions(instance, instant_drop, muni_resources):
    put(instant_drop, "a.pdf")
    resources = {**muni_resources, "muni_drop": instant_drop}
    context = dg.build_sensor_context(instance=instance, instance_ref=instance.get_ref(), resources=resources,
                                      definitions=area_definitions(resources))
    data = muni_drop_folder.evaluate_tick(context)
    assert [r.partition_key for r in data.run_requests] == [document_key("a.pdf", _sha(PDF))]
    assert data.run_requests[0].tags["dagster/partition"] == data.run_requests[0].partition_key
    assert muni_drop_folder.job_name == jobs.muni_document_extraction.name


def test_an_unsettled_file_is_not_picked_up(instance, drop):
    daemon = Daemon(instance, drop)
    path = put(drop, "growing.pdf", PDF[:500])
    for chunk in (PDF[500:1000], PDF[1000:]):
        assert daemon.tick().run_requests == []
        with path.open("ab") as fh:
            fh.write(chunk)
    assert daemon.tick().run_requests == []  # changed since the last look
    assert daemon.keys(daemon.tick()) == [document_key("growing.pdf", _sha(PDF))]


def test_a_part_file_renamed_to_pdf_works(instance, drop):
    daemon = Daemon(instance, drop)
    part = put(drop, "upload.pdf.part")
    for _ in range(3):
        assert daemon.tick().run_requests == []
    part.rename(part.with_name("upload.pdf"))
    daemon.tick()
    assert daemon.keys(daemon.tick()) == [document_key("upload.pdf", _sha(PDF))]


def test_same_content_again_starts_nothing_and_changed_content_starts_a_run(instance, instant_drop,
                                                                           muni_resources):
    drop = instant_drop
    daemon = Daemon(instance, drop)
    put(drop, "report.pdf")
    [request] = daemon.tick().run_requests
    # the run reads the file (here: a zero-page fake, so it is quarantined) and takes it out of the inbox
    run = dg.materialize([muni_documents], partition_key=request.partition_key, tags=request.tags,
                         instance=instance, resources={**muni_resources, "muni_drop": drop}, raise_on_error=False)
    assert not run.success  # quarantined: its partition's run fails
    assert not (drop.get().root / "report.pdf").exists()

    put(drop, "report.pdf")  # dropped again, same bytes
    put(drop, "sub/renamed copy.pdf")  # and under another name
    assert daemon.tick().run_requests == []
    assert instance.get_dynamic_partitions(muni_document.name) == [request.partition_key]

    changed = PDF + b"% corrected\n"
    put(drop, "report.pdf", changed)
    [again] = daemon.tick().run_requests
    assert again.partition_key == document_key("report.pdf", _sha(changed)) != request.partition_key


def test_links_are_refused_and_the_sensor_keeps_going(instance, instant_drop, tmp_path):
    drop = instant_drop
    daemon = Daemon(instance, drop)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(PDF)
    root = drop.get().root
    os.symlink(outside / "secret.pdf", root / "link.pdf")
    os.symlink(outside, root / "linked")
    put(drop, "good.pdf", PDF + b"% good\n")
    put(drop, "empty.pdf", b"")  # bad bytes are the run's to quarantine, with its reason in run metadata
    result = daemon.tick()
    assert sorted(r.tags[PATH_TAG] for r in result.run_requests) == ["empty.pdf", "good.pdf"]
    quarantine = drop.get().quarantine
    for name in ("link.pdf", "linked"):
        assert (quarantine / name).is_symlink() and not os.path.lexists(root / name)
        assert json.loads((quarantine / f"{name}.reason.json").read_text())["reason"] == "symlink"
    assert (outside / "secret.pdf").read_bytes() == PDF
    assert daemon.tick().run_requests == []  # refused once, not again every tick


def test_a_damaged_cursor_only_costs_a_rehash(instance, instant_drop):
    drop = instant_drop
    daemon = Daemon(instance, drop)
    put(drop, "a.pdf")
    assert len(daemon.tick().run_requests) == 1
    daemon.cursor = "{not json"
    assert daemon.tick().run_requests == []


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- every file ends in one place --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory) -> bytes:
    return sample_report(tmp_path_factory.mktemp("muni_sample"))[0]


def test_every_dropped_file_is_read_quarantined_or_set_aside_as_a_copy(instance, instant_drop, muni_resources,
                                                                       report_pdf):
    drop, resources = instant_drop, {**muni_resources, "muni_drop": instant_drop}
    folder = drop.get()
    daemon = Daemon(instance, drop)
    padded = report_pdf + b"\0" * 8192  # more than 4 KB after %%EOF: accepted, because it reads
    deep = "/".join(f"level{n}" for n in range(9)) + "/deep.pdf"
    for rel, data in {"report.pdf": report_pdf, "padded.pdf": padded, "empty.pdf": b"", ".hidden.pdf": PDF,
                      deep: PDF + b"% deep\n"}.items():
        put(drop, rel, data)
    requests = daemon.tick().run_requests
    assert sorted(r.tags[PATH_TAG] for r in requests) == ["empty.pdf", "padded.pdf", "report.pdf"]
    outcomes = {r.tags[PATH_TAG]: dg.materialize([muni_documents], partition_key=r.partition_key, tags=r.tags,
                                                 instance=instance, resources=resources,
                                                 raise_on_error=False).success for r in requests}
    assert outcomes == {"report.pdf": True, "padded.pdf": True, "empty.pdf": False}
    keys = {r.tags[PATH_TAG]: r.partition_key for r in requests}
    assert folder.archived(keys["padded.pdf"]).read_bytes() == padded
    # copies of what was read and of what was quarantined, dropped later
    put(drop, "sub/report copy.pdf", report_pdf)
    put(drop, "report.pdf", report_pdf)
    put(drop, "blank.pdf", b"")
    assert daemon.tick().run_requests == []
    duplicates = {p.name: json.loads((folder.duplicates / f"{p.name}.reason.json").read_text())
                  for p in folder.duplicates.glob("*.pdf")}
    assert {name: note["duplicate_of"] for name, note in duplicates.items()} == {
        "report copy.pdf": keys["report.pdf"], "report.pdf": keys["report.pdf"], "blank.pdf": keys["empty.pdf"]}
    assert (folder.duplicates / "report copy.pdf").read_bytes() == report_pdf  # nothing lost
    assert (folder.duplicates / "blank.pdf").read_bytes() == b""
    notes = {p.name: json.loads(p.read_text())["reason"] for p in folder.quarantine.glob("*.reason.json")}
    assert notes == {"empty.pdf.reason.json": "empty", ".hidden.pdf.reason.json": "hidden",
                     "deep.pdf.reason.json": "too_deep"}
    assert [p for p in folder.root.rglob("*.pdf")] == []  # nothing left unaccounted for in the inbox
    assert daemon.tick().run_requests == [] and list(folder.root.rglob("*.pdf")) == []


def test_a_scratch_file_being_written_is_left_alone_and_one_left_behind_is_quarantined(instance, drop):
    daemon = Daemon(instance, drop)
    root = drop.get().root
    put(drop, ".samples-ab12/sample_000_classic.pdf", PDF[:300])  # `investing muni samples` writing
    assert "1 still being written" in daemon.tick().skip_reason.skip_message
    put(drop, ".samples-ab12/sample_000_classic.pdf", PDF)
    assert daemon.tick().run_requests == []  # changed since the last look: still being written
    drop.get().drop(root / ".samples-ab12/sample_000_classic.pdf")  # finished: moved into the inbox
    put(drop, ".samples-ab12/sample_001_modern.pdf", PDF + b"% 1\n")  # and one the writer left behind
    daemon.tick()
    result = daemon.tick()
    assert daemon.keys(result) == [document_key("sample_000_classic.pdf", _sha(PDF))]
    quarantine = drop.get().quarantine
    assert json.loads((quarantine / "sample_001_modern.pdf.reason.json").read_text())["reason"] == "hidden"
    assert (quarantine / "sample_001_modern.pdf").read_bytes() == PDF + b"% 1\n"


def test_a_lost_document_dropped_again_is_read_again(instance, instant_drop, muni_resources, report_pdf):
    """"drop it again to read it", as the missing note says: the same bytes run the registered document again."""
    drop, resources = instant_drop, {**muni_resources, "muni_drop": instant_drop}
    daemon = Daemon(instance, drop)
    path = put(drop, "report.pdf", report_pdf)
    [request] = daemon.tick().run_requests
    path.unlink()  # gone before its run
    assert not dg.materialize([muni_documents], partition_key=request.partition_key, tags=request.tags,
                              instance=instance, resources=resources, raise_on_error=False).success
    put(drop, "found it.pdf", report_pdf)
    [again] = daemon.tick().run_requests
    assert again.partition_key == request.partition_key and again.run_key != request.run_key
    assert again.tags[PATH_TAG] == "found it.pdf"
    assert dg.materialize([muni_documents], partition_key=again.partition_key, tags=again.tags, instance=instance,
                          resources=resources).success
    folder = drop.get()
    assert folder.archived(request.partition_key).read_bytes() == report_pdf
    assert list(folder.quarantine.glob("*.reason.json")) == []  # the missing note is released


# -- many at once: batched runs, each document its own partition -------------------------------------------------
def test_many_documents_at_once_share_runs_and_each_partition_keeps_its_own_truth(instance, instant_drop,
                                                                                 muni_resources, report_pdf):
    from investing_assets.defs.fixed_income.assets import BATCH_DOCUMENTS, PATHS_TAG
    from investing_assets.defs.fixed_income.sensors import SINGLE_RUNS_UP_TO, in_flight, run_documents
    from investing_assets_tests.defs._helpers import latest_metadata

    drop, resources = instant_drop, {**muni_resources, "muni_drop": instant_drop}
    names = [f"report {n:02d}.pdf" for n in range(SINGLE_RUNS_UP_TO + 2)]
    for n, name in enumerate(names):
        put(drop, name, report_pdf + f"% copy {n}\n".encode())
    put(drop, "zz broken.pdf", report_pdf[:400])
    [request] = daemon_requests = Daemon(instance, drop).tick().run_requests
    assert len(names) + 1 <= BATCH_DOCUMENTS and request.partition_key is None
    paths = json.loads(request.tags[PATHS_TAG])
    assert sorted(paths.values()) == [*names, "zz broken.pdf"]
    keys = list(paths)
    run = instance.add_run(dg.DagsterRun(job_name="muni_document_extraction", run_id="batch-in-flight",
                                         status=dg.DagsterRunStatus.STARTED, tags=request.tags))
    assert run_documents(run) == set(keys) and in_flight(instance) == set(keys)  # the sweep leaves them
    instance.delete_run(run.run_id)

    result = dg.materialize([muni_documents], tags=daemon_requests[0].tags, instance=instance,
                            resources=resources, raise_on_error=False)
    assert not result.success  # one document could not be read: the run says so
    broken = next(key for key, path in paths.items() if path == "zz broken.pdf")
    assert set(instance.get_materialized_partitions(muni_documents.key)) == set(keys) - {broken}
    for key, path in paths.items():
        evaluations = [e.dagster_event.asset_check_evaluation_data for e in
                       instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
                       if e.dagster_event.asset_check_evaluation_data.partition == key]
        assert [e.passed for e in evaluations] == [key != broken], path
        if key != broken:
            assert latest_metadata(instance, "muni_documents", key)["file"] == path  # its own, not the run's
