"""The drop-folder sensor, tick by tick, on a persistent instance, as the daemon would run it."""

import hashlib
import json
import os

import dagster as dg

from investing_assets.defs.fixed_income import jobs
from investing_assets.defs.fixed_income.assets import PATH_TAG, SHA_TAG, muni_documents
from investing_assets.defs.fixed_income.sensors import muni_drop_folder
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.lib.muni.drop_folder import document_key
from investing_assets_tests.defs.fixed_income.conftest import area_definitions

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
