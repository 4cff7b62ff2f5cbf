"""Documents in, figures or quarantine out, against real PostgreSQL."""

from __future__ import annotations

import hashlib
import json
import time

import pymupdf
import pytest

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.drop_folder import document_key
from investing_assets.lib.muni.extract import Extraction
from investing_assets.lib.services import muni
from investing_assets_tests.lib.services.muni._helpers import drop, snapshot


def encrypted(data: bytes) -> bytes:
    with pymupdf.open(stream=data, filetype="pdf") as doc:
        return doc.tobytes(encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")


def image_only(_: bytes) -> bytes:
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page()
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 260), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
    return doc.tobytes()


def hang(path: str, **kw) -> Extraction:
    """A parser stuck in a loop on a malicious PDF (runs in the guard's child process)."""
    time.sleep(600)
    raise AssertionError("not reached")


# reason -> (bytes from the good sample, keyword arguments for the run)
BAD_INPUT = {
    "empty": (lambda data: b"", {}),
    "truncated": (lambda data: data[: len(data) // 2], {}),
    "encrypted": (encrypted, {}),
    "not_pdf": (lambda data: b"<html><body>Access denied</body></html>", {}),
    "no_text_layer": (image_only, {}),
    "too_large": (lambda data: data, {"max_bytes": 10_000}),
    "too_many_pages": (lambda data: data, {"max_pages": 3}),
    "timeout": (lambda data: data, {"timeout_s": 2, "extract_target": hang}),
}


def test_a_report_is_read_archived_and_stored_in_one_shape(warehouse, folder, sample):
    data, truth = sample
    path = drop(folder, "Springfield ACFR 2016.pdf", data)
    outcome = muni.process_document(path, warehouse, folder=folder)
    key = document_key(path.name, hashlib.sha256(data).hexdigest())
    assert outcome.extracted and outcome.key == key
    assert not path.exists() and outcome.stored_path == folder.archive / f"{key}.pdf"
    assert outcome.stored_path.read_bytes() == data

    [doc] = warehouse.read_frame("SELECT * FROM muni.documents").to_dicts()
    assert (doc["status"], doc["file_name"], doc["scale"], doc["pages"]) == (
        "extracted", path.name, outcome.extraction.scale, outcome.extraction.pages)
    assert doc["issuer"] and doc["fiscal_year_end"] and doc["sha256"] == hashlib.sha256(data).hexdigest()

    metrics = muni.document_metrics(warehouse, key)
    assert metrics["metric"].to_list() == list(METRICS)
    for row in metrics.iter_rows(named=True):
        assert row["value"] == truth[row["metric"]], row["metric"]  # unstated -> NULL, never guessed
        if row["value"] is not None:
            assert row["page"] >= 1 and row["line"] and 0 < row["confidence"] <= 1
    [wide] = warehouse.read_frame("SELECT * FROM muni.issuer_financials").to_dicts()
    assert {m: wide[m] for m in METRICS} == truth
    assert wide["funded_ratio"] == pytest.approx(
        truth["plan_fiduciary_net_position"] / truth["total_pension_liability"])


def test_rerunning_a_document_leaves_the_same_rows(warehouse, folder, sample):
    path = drop(folder, "report.pdf", sample[0])
    first = muni.process_document(path, warehouse, folder=folder)
    before = snapshot(warehouse)
    again = muni.process_partition(first.key, warehouse, folder, path_hint="report.pdf")  # reads the archive
    assert again.extracted and again.stored_path == first.stored_path
    assert snapshot(warehouse) == before  # extracted_at included: nothing changed, nothing rewritten


@pytest.mark.parametrize("reason", sorted(BAD_INPUT))
def test_bad_input_is_quarantined_unchanged_with_its_reason(warehouse, folder, sample, reason):
    make, kwargs = BAD_INPUT[reason]
    data = make(sample[0])
    path = drop(folder, f"bad {reason}.pdf", data)
    outcome = muni.process_document(path, warehouse, folder=folder, **kwargs)
    assert (outcome.status, outcome.reason) == ("quarantined", reason)
    assert outcome.message
    held = folder.quarantine / path.name
    assert not path.exists() and held.read_bytes() == data
    note = json.loads((folder.quarantine / f"{path.name}.reason.json").read_text())
    assert note["reason"] == reason and note["sha256"] == hashlib.sha256(data).hexdigest()
    assert note["size"] == len(data) and note["original_path"] == str(path)
    [doc] = warehouse.read_frame("SELECT status, reason, message FROM muni.documents").to_dicts()
    assert doc == {"status": "quarantined", "reason": reason, "message": outcome.message}
    assert warehouse.count("muni.quarantine", {"reason": [reason]}) == 1
    assert warehouse.count("muni.document_metrics") == 0


def test_a_file_that_vanished_before_its_run_is_recorded_as_missing(warehouse, folder):
    key = "gone-0123456789"
    outcome = muni.process_partition(key, warehouse, folder, path_hint="gone.pdf")
    assert (outcome.status, outcome.reason) == ("quarantined", "missing")
    note = json.loads((folder.quarantine / "gone.pdf.reason.json").read_text())
    assert note["reason"] == "missing" and note["document_key"] == key
    assert not (folder.quarantine / "gone.pdf").exists()
    assert warehouse.count("muni.quarantine", {"document_key": [key]}) == 1


def test_a_file_replaced_after_the_tick_is_not_read_as_the_old_document(warehouse, folder, sample):
    old_key = document_key("report.pdf", "a" * 64)
    path = drop(folder, "report.pdf", sample[0])
    outcome = muni.process_partition(old_key, warehouse, folder, path_hint="report.pdf")
    assert (outcome.status, outcome.reason) == ("quarantined", "changed")
    assert path.read_bytes() == sample[0]  # the new content stays for its own document


def test_links_and_foreign_paths_are_refused(warehouse, folder, sample, tmp_path):
    target = tmp_path / "elsewhere.pdf"
    target.write_bytes(sample[0])
    link = folder.root / "link.pdf"
    link.symlink_to(target)
    for path in (link, target):
        with pytest.raises(muni.RefusedPath):
            muni.process_document(path, warehouse, folder=folder)
    assert target.read_bytes() == sample[0] and link.is_symlink()
    assert warehouse.count("muni.documents") == 0


def test_a_quarantined_file_is_released_when_a_rerun_can_read_it(warehouse, folder, sample):
    path = drop(folder, "big.pdf", sample[0])
    refused = muni.process_document(path, warehouse, folder=folder, max_bytes=10_000)
    assert refused.reason == "too_large"
    released = muni.process_partition(refused.key, warehouse, folder)  # limit raised: default 200 MB
    assert released.extracted and released.stored_path.read_bytes() == sample[0]
    assert not (folder.quarantine / "big.pdf").exists()
    assert not (folder.quarantine / "big.pdf.reason.json").exists()
    assert warehouse.count("muni.document_metrics") == len(METRICS)


def test_rerun_without_any_copy_keeps_the_stored_result(warehouse, folder, sample):
    first = muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    before = snapshot(warehouse)
    first.stored_path.unlink()
    again = muni.process_partition(first.key, warehouse, folder)
    assert again.extracted and again.notes
    assert snapshot(warehouse) == before


def test_a_vanished_copy_never_overwrites_a_document_already_read(warehouse, folder, sample):
    first = muni.process_document(drop(folder, "report.pdf", sample[0]), warehouse, folder=folder)
    before = snapshot(warehouse)
    late = muni.process_document(folder.root / "report.pdf", warehouse, folder=folder, key=first.key)
    assert late.extracted  # the inbox copy is gone because the archive holds it: read from there
    first.stored_path.unlink()
    gone = muni.process_partition(first.key, warehouse, folder, path_hint="report.pdf")
    assert gone.extracted and snapshot(warehouse) == before
