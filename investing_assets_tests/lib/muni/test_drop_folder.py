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
def test_scan_takes_regular_pdfs_at_any_depth_and_marks_hidden_and_too_deep_ones(folder):
    put(folder, "a.pdf")
    put(folder, "sub/deeper/B.PDF")
    put(folder, "c.pdf.part")  # work in progress by convention: not a PDF yet
    put(folder, ".hidden.pdf")
    put(folder, ".tmp/inside.pdf")
    put(folder, "notes.txt")
    eight = "/".join(f"d{n}" for n in range(df.MAX_DEPTH))
    put(folder, f"{eight}/deep.pdf")
    put(folder, f"{eight}/d8/too deep.pdf")
    entries, refused = folder.scan()
    assert {e.rel: e.refusal for e in entries} == {
        "a.pdf": None, "sub/deeper/B.PDF": None, f"{eight}/deep.pdf": None,
        ".hidden.pdf": df.HIDDEN, ".tmp/inside.pdf": df.HIDDEN, f"{eight}/d8/too deep.pdf": df.TOO_DEEP}
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
    first = folder.plan({}, now=time.time(), known_keys=set(), settle_seconds=3600)
    assert first.new == [] and [e.rel for e in first.unsettled] == ["report.pdf"]
    second = folder.plan(json.loads(json.dumps(first.state)), now=time.time(), known_keys=set(),
                         settle_seconds=3600)
    assert [c.entry.rel for c in second.new] == ["report.pdf"]
    assert second.new[0].key == document_key("report.pdf", sha(PDF))


def test_a_file_still_growing_is_not_picked_up(folder):
    path = put(folder, "growing.pdf", PDF[:100])
    state = folder.plan({}, now=time.time(), known_keys=set(), settle_seconds=3600).state
    with path.open("ab") as fh:
        fh.write(PDF[100:])
    plan = folder.plan(state, now=time.time(), known_keys=set(), settle_seconds=3600)
    assert plan.new == [] and [e.rel for e in plan.unsettled] == ["growing.pdf"]


def test_an_old_enough_file_is_settled_at_first_sight(folder):
    put(folder, "old.pdf")
    plan = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=10)
    assert [c.entry.rel for c in plan.new] == ["old.pdf"]


def test_part_file_renamed_to_pdf_is_picked_up(folder):
    part = put(folder, "upload.pdf.part")
    state = {}
    for _ in range(2):
        plan = folder.plan(state, now=time.time(), known_keys=set(), settle_seconds=3600)
        assert plan.new == [] and plan.unsettled == []
        state = plan.state
    part.rename(folder.root / "upload.pdf")
    plan = folder.plan(state, now=time.time(), known_keys=set(), settle_seconds=3600)
    assert plan.new == []  # just renamed: one more look
    plan = folder.plan(plan.state, now=time.time(), known_keys=set(), settle_seconds=3600)
    assert [c.entry.rel for c in plan.new] == ["upload.pdf"]


def test_hashes_are_cached_by_signature(folder, monkeypatch):
    put(folder, "a.pdf")
    plan = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=0)
    calls = []
    monkeypatch.setattr(df, "sha256_file", lambda p: calls.append(p) or "0" * 64)
    folder.plan(plan.state, now=LATER, known_keys=set(), settle_seconds=0)
    assert calls == []


# -- hidden and too deep ---------------------------------------------------------------------------------------
def test_a_hidden_file_is_left_alone_while_written_then_quarantined_with_its_reason(folder):
    path = put(folder, ".samples-x1/report.pdf", PDF[:100])  # a program's scratch file, being written
    first = folder.plan({}, now=time.time(), known_keys=set(), settle_seconds=3600)
    assert first.refused == [] and [e.rel for e in first.unsettled] == [".samples-x1/report.pdf"]
    with path.open("ab") as fh:
        fh.write(PDF[100:])
    assert folder.plan(first.state, now=time.time(), known_keys=set(), settle_seconds=3600).refused == []
    left = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=10)  # left behind: settled
    assert left.new == [] and [(r.rel, r.reason) for r in left.refused] == [(".samples-x1/report.pdf", "hidden")]
    record = folder.refuse(left.refused[0])
    assert not path.exists() and record.file == folder.quarantine / "report.pdf" and record.file.read_bytes() == PDF
    note = json.loads(record.reason_file.read_text())
    assert note["reason"] == "hidden" and "leading dot" in note["message"]
    assert note["original_path"] == str(path)


def test_a_file_more_than_eight_folders_deep_is_quarantined_as_too_deep(folder):
    rel = "/".join(f"level{n}" for n in range(df.MAX_DEPTH + 1)) + "/report.pdf"
    path = put(folder, rel)
    plan = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=10)
    assert plan.new == [] and [(r.rel, r.reason) for r in plan.refused] == [(rel, "too_deep")]
    assert "9 folders deep" in plan.refused[0].message
    record = folder.refuse(plan.refused[0])
    assert not path.exists() and record.file.read_bytes() == PDF
    assert json.loads(record.reason_file.read_text())["reason"] == "too_deep"
    assert folder.plan({}, now=LATER, known_keys=set(), settle_seconds=10).refused == []  # reported once


def test_a_hidden_link_is_refused_as_a_link(folder, tmp_path):
    (tmp_path / "elsewhere.pdf").write_bytes(PDF)
    os.symlink(tmp_path / "elsewhere.pdf", folder.root / ".link.pdf")
    assert [(r.rel, r.reason) for r in folder.scan()[1]] == [(".link.pdf", "symlink")]


# -- known content ----------------------------------------------------------------------------------------------
def read_as(folder: DropFolder, rel: str) -> str:
    """What a run that reads the file does to the folder: archive it under its key."""
    key = document_key(Path(rel).name, sha(PDF))
    folder.archive_file(folder.root / rel, key)
    return key


def test_same_content_is_known_under_any_name_and_changed_content_is_new(folder):
    put(folder, "report.pdf")
    first = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=0)
    key = first.new[0].key
    put(folder, "copy of report.pdf")
    pending = folder.plan(first.state, now=LATER, known_keys={key}, settle_seconds=0)
    # the registered document's own file waits for its run; a copy under another name is set aside at once
    assert pending.new == [] and pending.waiting == 1
    assert [(c.entry.rel, c.same_as) for c in pending.duplicates] == [("copy of report.pdf", key)]
    read_as(folder, "report.pdf")
    put(folder, "report.pdf")  # dropped again after it was read
    again = folder.plan({}, now=LATER, known_keys={key}, settle_seconds=0)
    assert again.new == [] and again.waiting == 0
    assert sorted(c.entry.rel for c in again.duplicates) == ["copy of report.pdf", "report.pdf"]
    assert {c.same_as for c in again.duplicates} == {key}
    put(folder, "report.pdf", PDF + b"% revised\n")
    changed = folder.plan(again.state, now=LATER, known_keys={key}, settle_seconds=0)
    assert len(changed.new) == 1 and changed.new[0].key != key


def test_a_copy_is_moved_aside_with_a_note_naming_the_earlier_document(folder):
    put(folder, "report.pdf")
    key = read_as(folder, "report.pdf")
    copy = put(folder, "sub/Report (1).pdf")
    [candidate] = folder.plan({}, now=LATER, known_keys=folder.known_keys(), settle_seconds=0).duplicates
    record = folder.keep_duplicate(candidate)
    assert not copy.exists() and record.file == folder.duplicates / "Report (1).pdf"
    assert record.file.read_bytes() == PDF and folder.archived(key).read_bytes() == PDF  # nothing lost
    assert record.reason_file == folder.duplicates / "Report (1).pdf.reason.json"
    note = json.loads(record.reason_file.read_text())
    assert {k: note[k] for k in ("reason", "duplicate_of", "sha256", "size", "original_path")} == {
        "reason": "duplicate", "duplicate_of": key, "sha256": sha(PDF), "size": len(PDF),
        "original_path": str(copy)}
    assert key in note["message"]
    assert folder.known_keys() == {key}  # the duplicates folder is not the archive's ledger
    assert folder.where(record.file) == "duplicates"
    again = folder.plan({}, now=LATER, known_keys={key}, settle_seconds=0)
    assert again.duplicates == [] and again.new == []


def test_a_copy_changed_since_it_was_hashed_is_not_moved(folder):
    put(folder, "report.pdf")
    read_as(folder, "report.pdf")
    copy = put(folder, "copy.pdf")
    [candidate] = folder.plan({}, now=LATER, known_keys=folder.known_keys(), settle_seconds=0).duplicates
    copy.write_bytes(PDF + b"% edited\n")
    assert folder.keep_duplicate(candidate) is None
    assert copy.read_bytes() == PDF + b"% edited\n"


def test_an_empty_file_whose_content_is_known_is_a_duplicate_of_the_quarantined_one(folder):
    first = put(folder, "empty.pdf", b"")
    key = document_key("empty.pdf", sha(b""))
    folder.quarantine_file(first, "empty", "zero bytes", sha256=sha(b""), size=0, document_key=key)
    second = put(folder, "blank.pdf", b"")
    [candidate] = folder.plan({}, now=LATER, known_keys={key}, settle_seconds=0).duplicates
    assert candidate.same_as == key
    record = folder.keep_duplicate(candidate)
    assert not second.exists() and record.file.read_bytes() == b""
    assert json.loads(record.reason_file.read_text())["duplicate_of"] == key


def test_the_bytes_of_a_document_whose_file_was_lost_run_it_again(folder):
    key = document_key("report.pdf", sha(PDF))
    folder.record_absent("report.pdf", "missing", "gone before its run", document_key=key)
    put(folder, "found again.pdf")
    plan = folder.plan({}, now=LATER, known_keys={key}, settle_seconds=0)
    assert plan.duplicates == [] and [(c.key, c.again, c.entry.rel) for c in plan.new] == [
        (key, True, "found again.pdf")]


def test_a_copy_set_aside_is_where_a_run_finds_its_bytes_when_the_original_is_gone(folder):
    original = put(folder, "report.pdf")
    key = document_key("report.pdf", sha(PDF))
    put(folder, "copy.pdf")
    [candidate] = folder.plan({}, now=LATER, known_keys={key}, settle_seconds=0).duplicates
    record = folder.keep_duplicate(candidate)
    original.unlink()
    assert folder.locate(key, "report.pdf") == record.file
    folder.archive_file(record.file, key)  # the run reads it: archived, and its note goes
    assert folder.archived(key).read_bytes() == PDF and not record.reason_file.exists()


def test_two_identical_files_in_one_tick_start_one_document(folder):
    put(folder, "a.pdf")
    put(folder, "b.pdf")
    plan = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=0)
    assert len(plan.new) == 1 and len(plan.duplicates) == 1


def test_the_archive_is_a_content_ledger(folder):
    path = put(folder, "report.pdf")
    key = document_key(path.name, sha(PDF))
    archived = folder.archive_file(path, key)
    assert archived == folder.archive / f"{key}.pdf" and archived.read_bytes() == PDF
    assert folder.known_keys() == {key}
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
    plan = folder.plan({}, now=LATER, known_keys=set(), settle_seconds=0)
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
