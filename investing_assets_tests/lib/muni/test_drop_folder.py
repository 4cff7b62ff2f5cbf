"""The drop folder on a real file system: keys, settling, refusals, moves that never overwrite or alter bytes."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from investing_assets.lib.muni import drop_folder as df
from investing_assets.lib.muni.drop_folder import DropFolder, document_key, slugify

PDF = b"%PDF-1.7\n" + b"x" * 2000 + b"\n%%EOF\n"
LATER = time.time() + 3600  # "now" for a plan that must treat every file as old enough


@pytest.fixture
def folder(tmp_path: Path) -> DropFolder:
    return DropFolder(tmp_path / "drop").ensure()


def put(folder: DropFolder, rel: str, data: bytes = PDF) -> Path:
    path = folder.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- keys -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Report|2024,final[1].pdf", "ÉTAT de l'Île 2023.PDF", "....pdf", "a" * 300 + ".pdf",
                                  "City of Springfield CAFR FY2023.pdf"])
def test_keys_are_safe_for_dagster_and_end_with_the_content_hash(name):
    key = document_key(name, "ABCDEF0123" + "0" * 54)
    assert df.KEY_PATTERN.match(key), key
    assert not set("|,[]") & set(key)
    assert key.endswith("-abcdef0123") and len(key) <= 51
    assert df.digest_of(key) == "abcdef0123"


def test_slug_reads_like_the_file_name():
    assert slugify("City of Springfield CAFR FY2023") == "city-of-springfield-cafr-fy2023"
    assert document_key("....pdf", "1" * 64) == "document-1111111111"


def test_sha256_is_streamed_and_exact(tmp_path):
    data = os.urandom(3 * (1 << 20) + 17)
    path = tmp_path / "big.pdf"
    path.write_bytes(data)
    assert df.sha256_file(path) == sha(data)


# -- scanning ---------------------------------------------------------------------------------------------------
def test_scan_takes_regular_pdfs_at_any_depth_and_ignores_work_in_progress(folder):
    put(folder, "a.pdf")
    put(folder, "sub/deeper/B.PDF")
    put(folder, "c.pdf.part")
    put(folder, ".hidden.pdf")
    put(folder, ".tmp/inside.pdf")
    put(folder, "notes.txt")
    entries, refused = folder.scan()
    assert [e.rel for e in entries] == ["a.pdf", "sub/deeper/B.PDF"]
    assert refused == []


def test_scan_refuses_links_and_never_descends_into_linked_folders(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.pdf").write_bytes(PDF)
    os.symlink(outside / "secret.pdf", folder.root / "link.pdf")
    os.symlink(outside, folder.root / "linked_dir")
    put(folder, "ok.pdf")
    os.symlink(folder.root / "ok.pdf", folder.root / "inside-link.pdf")
    entries, refused = folder.scan()
    assert [e.rel for e in entries] == ["ok.pdf"]
    assert sorted(r.rel for r in refused) == ["inside-link.pdf", "link.pdf", "linked_dir"]
    assert {r.reason for r in refused} == {df.SYMLINK}


def test_refusing_moves_the_link_aside_and_leaves_its_target_alone(folder, tmp_path):
    target = tmp_path / "elsewhere.pdf"
    target.write_bytes(PDF)
    os.symlink(target, folder.root / "link.pdf")
    [refusal] = folder.scan()[1]
    record = folder.refuse(refusal)
    assert not os.path.lexists(folder.root / "link.pdf")
    assert record.file.is_symlink() and record.file.parent == folder.quarantine
    assert target.read_bytes() == PDF
    note = json.loads(record.reason_file.read_text())
    assert note["reason"] == "symlink" and "symbolic link" in note["message"]


def test_run_tag_paths_cannot_escape_the_folder(folder, tmp_path):
    (tmp_path / "escape.pdf").write_bytes(PDF)
    put(folder, "real.pdf")
    os.symlink(tmp_path, folder.root / "up")
    assert folder.resolve_hint("../escape.pdf") is None
    assert folder.resolve_hint("up/escape.pdf") is None
    assert folder.resolve_hint("/etc/passwd") is None
    assert folder.resolve_hint("real.pdf") == folder.root / "real.pdf"


# -- settling ---------------------------------------------------------------------------------------------------
def test_a_fresh_file_waits_for_a_second_unchanged_look(folder):
    put(folder, "report.pdf")
    first = folder.plan({}, now=time.time(), known_digests=set(), settle_seconds=3600)
    assert first.new == [] and [e.rel for e in first.unsettled] == ["report.pdf"]
    second = folder.plan(json.loads(json.dumps(first.state)), now=time.time(), known_digests=set(),
                         settle_seconds=3600)
    assert [c.entry.rel for c in second.new] == ["report.pdf"]
    assert second.new[0].key == document_key("report.pdf", sha(PDF))


def test_a_file_still_growing_is_not_picked_up(folder):
    path = put(folder, "growing.pdf", PDF[:100])
    state = folder.plan({}, now=time.time(), known_digests=set(), settle_seconds=3600).state
    with path.open("ab") as fh:
        fh.write(PDF[100:])
    plan = folder.plan(state, now=time.time(), known_digests=set(), settle_seconds=3600)
    assert plan.new == [] and [e.rel for e in plan.unsettled] == ["growing.pdf"]


def test_an_old_enough_file_is_settled_at_first_sight(folder):
    put(folder, "old.pdf")
    plan = folder.plan({}, now=LATER, known_digests=set(), settle_seconds=10)
    assert [c.entry.rel for c in plan.new] == ["old.pdf"]


def test_part_file_renamed_to_pdf_is_picked_up(folder):
    part = put(folder, "upload.pdf.part")
    state = {}
    for _ in range(2):
        plan = folder.plan(state, now=time.time(), known_digests=set(), settle_seconds=3600)
        assert plan.new == [] and plan.unsettled == []
        state = plan.state
    part.rename(folder.root / "upload.pdf")
    plan = folder.plan(state, now=time.time(), known_digests=set(), settle_seconds=3600)
    assert plan.new == []  # just renamed: one more look
    plan = folder.plan(plan.state, now=time.time(), known_digests=set(), settle_seconds=3600)
    assert [c.entry.rel for c in plan.new] == ["upload.pdf"]


def test_hashes_are_cached_by_signature(folder, monkeypatch):
    put(folder, "a.pdf")
    plan = folder.plan({}, now=LATER, known_digests=set(), settle_seconds=0)
    calls = []
    monkeypatch.setattr(df, "sha256_file", lambda p: calls.append(p) or "0" * 64)
    folder.plan(plan.state, now=LATER, known_digests=set(), settle_seconds=0)
    assert calls == []


# -- known content ----------------------------------------------------------------------------------------------
def test_same_content_is_known_under_any_name_and_changed_content_is_new(folder):
    put(folder, "report.pdf")
    first = folder.plan({}, now=LATER, known_digests=set(), settle_seconds=0)
    known = {df.digest_of(first.new[0].key)}
    (folder.root / "report.pdf").unlink()
    put(folder, "report.pdf")
    put(folder, "copy of report.pdf")
    again = folder.plan({}, now=LATER, known_digests=known, settle_seconds=0)
    assert again.new == [] and len(again.duplicates) == 2
    put(folder, "report.pdf", PDF + b"% revised\n")
    changed = folder.plan(again.state, now=LATER, known_digests=known, settle_seconds=0)
    assert len(changed.new) == 1 and changed.new[0].key != first.new[0].key
    assert changed.duplicates == []  # the copy was reported once already


def test_two_identical_files_in_one_tick_start_one_document(folder):
    put(folder, "a.pdf")
    put(folder, "b.pdf")
    plan = folder.plan({}, now=LATER, known_digests=set(), settle_seconds=0)
    assert len(plan.new) == 1 and len(plan.duplicates) == 1


def test_the_archive_is_a_content_ledger(folder):
    path = put(folder, "report.pdf")
    key = document_key(path.name, sha(PDF))
    archived = folder.archive_file(path, key)
    assert archived == folder.archive / f"{key}.pdf" and archived.read_bytes() == PDF
    assert folder.known_digests() == {df.digest_of(key)}
    again = put(folder, "report.pdf")
    assert folder.archive_file(again, key) == archived  # identical bytes already kept: the copy is redundant
    assert not again.exists() and archived.read_bytes() == PDF


# -- quarantine -------------------------------------------------------------------------------------------------
def test_quarantine_moves_bytes_unchanged_with_a_reason_beside_them(folder):
    data = b"not a pdf at all"
    path = put(folder, "sub/bad.pdf", data)
    record = folder.quarantine_file(path, "not_pdf", "no header", sha256=sha(data), size=len(data),
                                    document_key="bad-0123456789", original=str(path))
    assert not path.exists()
    assert record.file == folder.quarantine / "bad.pdf" and record.file.read_bytes() == data
    assert record.reason_file == folder.quarantine / "bad.pdf.reason.json"
    note = json.loads(record.reason_file.read_text())
    assert {k: note[k] for k in ("reason", "message", "sha256", "size", "original_path")} == {
        "reason": "not_pdf", "message": "no header", "sha256": sha(data), "size": len(data),
        "original_path": str(path)}
    assert note["at"]


def test_quarantine_name_clashes_get_a_suffix(folder):
    records = [folder.quarantine_file(put(folder, "bad.pdf", bytes([n])), "empty", "m") for n in range(3)]
    assert [r.file.name for r in records] == ["bad.pdf", "bad-1.pdf", "bad-2.pdf"]
    assert [r.file.read_bytes() for r in records] == [b"\x00", b"\x01", b"\x02"]
    assert all(r.reason_file.exists() for r in records)


def test_a_vanished_file_leaves_only_its_reason(folder):
    record = folder.record_absent("gone.pdf", "missing", "vanished", document_key="gone-0123456789")
    assert record.file is None and not (folder.quarantine / "gone.pdf").exists()
    assert json.loads(record.reason_file.read_text())["reason"] == "missing"


def test_locate_prefers_the_archive_then_the_hint_then_quarantine_then_content(folder):
    path = put(folder, "report.pdf")
    key = document_key("report.pdf", sha(PDF))
    assert folder.locate(key, "report.pdf") == path
    assert folder.locate(key) == path  # found by name slug and content
    assert folder.locate(key, "../report.pdf") == path  # an unsafe hint is ignored, the content still found
    record = folder.quarantine_file(path, "too_large", "m", document_key=key)
    assert folder.locate(key) == record.file
    archived = folder.archive_file(record.file, key)
    assert folder.locate(key, "report.pdf") == archived
    assert not record.reason_file.exists()  # released from quarantine
    assert folder.locate(document_key("other.pdf", "f" * 64)) is None


def test_drop_never_overwrites(folder, tmp_path):
    put(folder, "sample.pdf", b"first")
    new = tmp_path / "sample.pdf"
    new.write_bytes(b"second")
    placed = folder.drop(new)
    assert placed.name == "sample-1.pdf" and placed.read_bytes() == b"second"
    assert (folder.root / "sample.pdf").read_bytes() == b"first"


def test_a_rerun_in_quarantine_keeps_the_original_path(folder):
    path = put(folder, "sub/bad.pdf", b"")
    record = folder.quarantine_file(path, "empty", "zero bytes", original=str(path))
    again = folder.quarantine_file(record.file, "empty", "zero bytes", original=str(record.file))
    assert again.file == record.file and not (folder.quarantine / "bad-1.pdf").exists()
    assert json.loads(again.reason_file.read_text())["original_path"] == str(path)


def test_a_file_that_cannot_be_read_is_refused_not_fatal(folder, monkeypatch):
    put(folder, "locked.pdf")
    put(folder, "fine.pdf", PDF + b"%\n")
    real = df.sha256_file

    def sha256_file(path):
        if path.name == "locked.pdf":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(df, "sha256_file", sha256_file)
    plan = folder.plan({}, now=LATER, known_digests=set(), settle_seconds=0)
    assert [c.entry.rel for c in plan.new] == ["fine.pdf"]
    [refusal] = plan.refused
    assert (refusal.rel, refusal.reason) == ("locked.pdf", "unreadable")
    assert folder.refuse(refusal).file.read_bytes() == PDF


# -- transient failures and other file systems ------------------------------------------------------------------
def test_transient_failures_are_retryable_until_the_attempts_run_out(folder):
    path = put(folder, "slow.pdf")
    key = document_key("slow.pdf", sha(PDF))
    record = folder.quarantine_file(path, "timeout", "took too long", document_key=key)
    folder.quarantine_file(put(folder, "bad.pdf", b"x"), "not_pdf", "no header", document_key="bad-0123456789")
    assert folder.retryable() == [key]  # the file's fault (not_pdf) is never retried
    assert folder.set_aside() == sorted(["bad-0123456789", key])  # both runs failed on purpose
    for attempt in range(2, df.MAX_ATTEMPTS + 1):
        record = folder.quarantine_file(record.file, "worker_died", "killed", document_key=key)
        assert json.loads(record.reason_file.read_text())["attempts"] == attempt
    assert folder.retryable() == []  # tried MAX_ATTEMPTS times: it stays for a person to look at
    folder.archive_file(record.file, key)  # a manual re-run that succeeds releases it
    assert folder.retryable() == [] and not record.reason_file.exists()
    assert folder.set_aside() == ["bad-0123456789"]  # read: no longer set aside


@pytest.mark.skipif(not Path("/dev/shm").is_dir() or os.stat("/dev/shm").st_dev == os.stat(Path.cwd()).st_dev,
                    reason="needs a second file system (tmpfs at /dev/shm)")
def test_moves_across_file_systems_leave_whole_files_and_never_overwrite(folder, tmp_path):
    import tempfile
    with tempfile.TemporaryDirectory(dir="/dev/shm") as other:
        remote = DropFolder(folder.root, quarantine=Path(other) / "q", archive=Path(other) / "a").ensure()
        path = put(remote, "report.pdf")
        key = document_key("report.pdf", sha(PDF))
        archived = remote.archive_file(path, key)
        assert archived.read_bytes() == PDF and not path.exists()
        assert sorted(p.name for p in remote.archive.iterdir()) == [f"{key}.pdf"]  # no partial copy left
        clash = put(remote, "report.pdf", b"other bytes")
        with pytest.raises(FileExistsError):
            df._move_no_clobber(clash, archived)
        assert archived.read_bytes() == PDF and clash.read_bytes() == b"other bytes"
        assert sorted(p.name for p in remote.archive.iterdir()) == [f"{key}.pdf"]


def test_a_document_read_from_another_copy_releases_its_quarantined_copies(folder):
    path = put(folder, "slow.pdf")
    key = document_key("slow.pdf", sha(PDF))
    record = folder.quarantine_file(path, "timeout", "took too long", document_key=key)
    other = folder.quarantine_file(put(folder, "slow.pdf", b"other bytes"), "not_pdf", "m", document_key=key)
    folder.archive_file(put(folder, "again/slow.pdf"), key)  # the same bytes dropped again, and read
    assert folder.retryable() == []  # read meanwhile: nothing to retry
    assert folder.release(key) == [record.reason_file]
    assert not record.file.exists() and not record.reason_file.exists()
    assert other.file.read_bytes() == b"other bytes" and other.reason_file.exists()  # not its bytes: untouched


def test_without_hard_links_a_move_claims_the_name_first_and_never_overwrites(folder, monkeypatch):
    """Some network and FAT file systems refuse link(): an exclusive placeholder, then a rename over it."""
    import errno

    def no_links(*args, **kwargs):
        raise OSError(errno.EPERM, "hard links not supported")

    monkeypatch.setattr(df.os, "link", no_links)
    key = document_key("report.pdf", sha(PDF))
    archived = folder.archive_file(put(folder, "report.pdf"), key)
    assert archived.read_bytes() == PDF and not (folder.root / "report.pdf").exists()
    clash = put(folder, "report.pdf", b"other bytes")
    with pytest.raises(FileExistsError):
        df._move_no_clobber(clash, archived)
    assert archived.read_bytes() == PDF and clash.read_bytes() == b"other bytes"
    assert sorted(p.name for p in folder.archive.iterdir()) == [f"{key}.pdf"]
