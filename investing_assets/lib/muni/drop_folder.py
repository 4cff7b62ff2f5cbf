"""The muni drop folder: an inbox of PDFs, with an archive for what was read and a quarantine for what was not.

Why this shape:
- A file is identified by its content: the partition key is a slug of the name plus the first 10 hex digits of
  its sha256, so the same bytes dropped again map to a key that already exists (and start nothing), while
  changed bytes under the same name get a new key.
- A half-written file must not be read. Writers that can should drop `name.pdf.part` and rename it; for the
  others a file counts as settled once its (size, mtime, ctime) is unchanged across two observations, or once it
  has not changed for a settle window. ctime is in the signature because `cp -p` and unzip give a file being
  written an old mtime, but cannot fake its ctime. The observations live in a JSON-serialisable dict the sensor
  keeps in its cursor.
- Files are moved, never rewritten: read ones to `<archive>/<key>.pdf` (a content-addressed copy a re-run
  reads from), unusable ones to the quarantine folder with `NAME.reason.json` beside them. Moves never overwrite
  (hard link + unlink, or across file systems a copy linked into place once complete); a name clash gets a
  `-1`, `-2` ... suffix.
- Symlinks (to files or folders) and paths that resolve outside the folder are refused: the link itself is moved
  to quarantine, its target is never opened.
- Every settled *.pdf ends in one place, with a note wherever it was not read: read (archive), quarantined
  (`NAME.reason.json` beside it), or a copy of a document already registered or read, moved to
  `<archive>/duplicates/` with a note of the same shape naming that document (`duplicate_of`). A hidden name
  (its own or a folder's, `.samples-*` scratch included) or a file more than MAX_DEPTH folders deep is
  quarantined as `hidden` / `too_deep` once settled, so a program's scratch file is left alone while it is
  written (the same settle rules), and set aside only if it is left behind.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HASH_CHARS = 10
SLUG_CHARS = 40
KEY_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
REASON_SUFFIX = ".reason.json"
MAX_DEPTH = 8
_CHUNK = 1 << 20

# Reasons the folder itself gives, beside the extractor's DocumentRejected reasons.
SYMLINK = "symlink"
OUTSIDE = "outside_drop_folder"
HIDDEN = "hidden"
TOO_DEEP = "too_deep"
DUPLICATE = "duplicate"
MISSING = "missing"
CHANGED = "changed"
UNREADABLE = "unreadable"
# A busy machine or a killed worker, not the file: the 4-hourly sweep reads these again, MAX_ATTEMPTS in all.
TRANSIENT_REASONS = frozenset({"timeout", "worker_died"})
MAX_ATTEMPTS = 3


# --------------------------------------------------------------------------------------------------------------
# Keys and hashes
# --------------------------------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by '-': safe in Dagster partition keys and in file names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def document_key(file_name: str, sha256: str) -> str:
    """`slug(stem)[:40]-sha256[:10]`; only [a-z0-9-], so never one of Dagster's reserved `|,[]`."""
    stem = Path(file_name).name
    if stem.lower().endswith(".pdf"):
        stem = stem[:-4]
    slug = slugify(stem)[:SLUG_CHARS].strip("-") or "document"
    return f"{slug}-{sha256[:HASH_CHARS].lower()}"


def digest_of(key: str) -> str:
    """The content-hash prefix a key ends with."""
    return key.rsplit("-", 1)[-1]


def sha256_file(path: Path) -> str:
    """Streamed, so a 200 MB report never sits in memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


# --------------------------------------------------------------------------------------------------------------
# What a scan finds
# --------------------------------------------------------------------------------------------------------------


DEFAULT_SETTLE_SECONDS = 10.0  # unchanged this long (or across two sensor ticks) = completely written


@dataclass(frozen=True)
class Entry:
    """A regular *.pdf file inside the folder, as stat saw it."""

    rel: str  # POSIX path relative to the drop folder
    path: Path
    size: int
    mtime_ns: int
    ctime_ns: int
    refusal: str | None = None  # HIDDEN or TOO_DEEP: set aside unread once settled

    @property
    def signature(self) -> list[int]:
        return [self.size, self.mtime_ns, self.ctime_ns]

    @property
    def changed_ns(self) -> int:
        return max(self.mtime_ns, self.ctime_ns)


@dataclass(frozen=True)
class Refusal:
    rel: str
    path: Path
    reason: str
    message: str


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    sha256: str
    key: str  # the document this file is read as (for a copy: its own key, had it been new)
    same_as: str | None = None  # a copy: the document registered or read earlier with these bytes
    again: bool = False  # the bytes of a registered document whose file was lost: run `key` again from here


@dataclass
class TickPlan:
    """What one look at the folder decided; `state` goes back into the sensor cursor."""

    new: list[Candidate] = field(default_factory=list)  # settled, content never seen (or lost): start a run
    duplicates: list[Candidate] = field(default_factory=list)  # settled copies of known content: set aside
    unsettled: list[Entry] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)
    waiting: int = 0  # settled, the file a registered document's pending run reads
    deferred: int = 0  # settled but left for the next tick (hashing budget)
    state: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        parts = [f"{len(self.new)} new", f"{len(self.unsettled)} still being written",
                 f"{len(self.duplicates)} copies of known documents", f"{len(self.refused)} refused"]
        if self.waiting:
            parts.append(f"{self.waiting} waiting for their run")
        if self.deferred:
            parts.append(f"{self.deferred} deferred to the next tick")
        return ", ".join(parts)


@dataclass(frozen=True)
class QuarantineRecord:
    reason: str
    message: str
    file: Path | None  # None when there were no bytes to keep
    reason_file: Path


# --------------------------------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------------------------------


class DropFolder:
    def __init__(self, root: str | Path, *, quarantine: str | Path | None = None,
                 archive: str | Path | None = None) -> None:
        self.root = Path(root).expanduser().resolve()
        self.quarantine = Path(quarantine).expanduser().resolve() if quarantine else \
            self.root.parent / "muni_quarantine"
        self.archive = Path(archive).expanduser().resolve() if archive else self.root.parent / "muni_processed"
        self.duplicates = self.archive / "duplicates"  # copies of documents already registered or read

    def ensure(self) -> DropFolder:
        for folder in (self.root, self.quarantine, self.archive):
            folder.mkdir(parents=True, exist_ok=True)
        return self

    # -- scanning ---------------------------------------------------------------------------------------------
    def scan(self) -> tuple[list[Entry], list[Refusal]]:
        """Regular *.pdf files at any depth (`*.part` is someone's work in progress); a hidden or too deep one
        carries its refusal, to be set aside once settled. Links are refused at once."""
        entries: list[Entry] = []
        refused: list[Refusal] = []
        if self.root.is_dir():
            self._walk(entries, refused)
        entries.sort(key=lambda e: e.rel)
        return entries, refused

    def _walk(self, entries: list[Entry], refused: list[Refusal]) -> None:
        """Iterative, so no depth is silent; each folder once, so a bind mount looping back ends the walk."""
        own = {self.quarantine, self.archive, self.duplicates}
        seen: set[tuple[int, int]] = set()
        stack: list[tuple[Path, int, bool]] = [(self.root, 0, False)]
        while stack:
            folder, depth, hidden = stack.pop()
            try:
                stat = os.stat(folder, follow_symlinks=False)
                if (stat.st_dev, stat.st_ino) in seen:
                    continue
                seen.add((stat.st_dev, stat.st_ino))
                listing = list(os.scandir(folder))
            except OSError:
                continue  # vanished or unreadable sub-folder: the next tick looks again
            for item in listing:
                found = self._look_at(item, depth, hidden or item.name.startswith("."), own, refused)
                if isinstance(found, Entry):
                    entries.append(found)
                elif found is not None:
                    stack.append(found)

    def _look_at(self, item: os.DirEntry, depth: int, hidden: bool, own: set[Path],
                 refused: list[Refusal]) -> Entry | tuple[Path, int, bool] | None:
        """One directory entry: a PDF found, a folder to walk, or nothing (refusals are appended)."""
        path = Path(item.path)
        rel = path.relative_to(self.root).as_posix()
        try:
            if item.is_symlink():  # inside a hidden folder, only a link named *.pdf is anyone's business
                if item.name.lower().endswith(".pdf") or (not hidden and item.is_dir(follow_symlinks=True)):
                    refused.append(Refusal(rel, path, SYMLINK,
                                           f"{rel} is a symbolic link (to {os.readlink(path)}); links are "
                                           "not followed: copy the file itself into the drop folder"))
                return None
            if item.is_dir(follow_symlinks=False):
                return None if path in own else (path, depth + 1, hidden)
            if not (item.is_file(follow_symlinks=False) and item.name.lower().endswith(".pdf")):
                return None
            if not path.resolve().is_relative_to(self.root):
                refused.append(Refusal(rel, path, OUTSIDE, f"{rel} resolves outside the drop folder"))
                return None
            stat = item.stat(follow_symlinks=False)
        except FileNotFoundError:
            return None  # renamed or removed while we looked
        refusal = HIDDEN if hidden else TOO_DEEP if depth > MAX_DEPTH else None
        return Entry(rel, path, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, refusal)

    def plan(self, state: Mapping[str, Any] | None, *, now: float, known_keys: Iterable[str],
             settle_seconds: float, max_new_bytes: int = 4 << 30) -> TickPlan:
        """Decide every settled file's way: new content starts a run, a copy of a known document is set aside
        (`duplicates`), the bytes of a document whose file was lost run it again, and the file a registered
        document's pending run will read waits for it.

        `known_keys` are the documents registered or read so far. `state` is the previous plan's (or {} for a
        sweep, which then relies on the settle window alone); hashes are cached by signature in it, so an
        unchanged file is hashed once.
        """
        previous: dict[str, list] = dict((state or {}).get("files", {}))
        entries, refused = self.scan()
        plan = TickPlan(refused=refused)
        files: dict[str, list] = {}
        known = {digest_of(key): key for key in sorted(known_keys, reverse=True)}  # one per digest, stable
        standing = _Standing(self)
        budget = max_new_bytes
        for entry in entries:
            before = previous.get(entry.rel)
            same = before is not None and before[:3] == entry.signature
            files[entry.rel] = [*entry.signature, before[3] if same else None]
            age = now - entry.changed_ns / 1e9
            if not (same or age >= settle_seconds):
                plan.unsettled.append(entry)
                continue
            if entry.refusal is not None:
                plan.refused.append(_refusal(entry))
                continue
            sha = files[entry.rel][3]
            if sha is None:
                if entry.size > budget and budget < max_new_bytes:
                    plan.deferred += 1
                    continue
                try:
                    sha = sha256_file(entry.path)
                except FileNotFoundError:
                    del files[entry.rel]
                    continue
                except OSError as exc:  # e.g. no read permission: set it aside rather than fail every tick
                    del files[entry.rel]
                    plan.refused.append(Refusal(entry.rel, entry.path, UNREADABLE, f"cannot read {entry.rel}: {exc}"))
                    continue
                budget -= entry.size
                files[entry.rel][3] = sha
            key = document_key(entry.path.name, sha)
            earlier = known.get(digest_of(key))
            if earlier is None:
                plan.new.append(Candidate(entry, sha, key))
                known[digest_of(key)] = key
                continue
            where = standing.of(earlier, sha)
            if where == LOST:  # "drop it again to read it": these bytes are that document's
                plan.new.append(Candidate(entry, sha, earlier, same_as=earlier, again=True))
                standing.mark(earlier, PENDING)
            elif where == PENDING and key == earlier:  # perhaps the very file its run will read
                plan.waiting += 1
            else:
                plan.duplicates.append(Candidate(entry, sha, key, same_as=earlier))
        plan.state = {"files": files}
        return plan

    # -- finding a partition's bytes ------------------------------------------------------------------------
    def archived(self, key: str) -> Path:
        return self.archive / f"{key}.pdf"

    def known_keys(self) -> set[str]:
        """Documents already read: the archive is named by key (and keys end with the content hash)."""
        if not self.archive.is_dir():
            return set()
        return {p.name[:-4] for p in self.archive.glob("*.pdf") if KEY_PATTERN.match(p.name[:-4])}

    def resolve_hint(self, rel: str | None) -> Path | None:
        """A path relative to the drop folder (from a run's tags), or None when it is unsafe or absent."""
        if not rel:
            return None
        candidate = self.root / rel
        try:
            resolved = candidate.resolve()
        except OSError:
            return None
        # equal to its lexical form = no symlink anywhere on the way, and still below the root
        lexical = Path(os.path.normpath(candidate))
        if resolved != lexical or not resolved.is_relative_to(self.root) or candidate.is_symlink():
            return None
        return resolved if resolved.is_file() else None

    def locate(self, key: str, hint: str | None = None) -> Path | None:
        """Where a partition's bytes are now: archive, the path the sensor saw, quarantine, a copy set aside as
        its duplicate, or by content in the inbox."""
        archived = self.archived(key)
        if archived.is_file() and not archived.is_symlink():
            return archived
        hinted = self.resolve_hint(hint)
        if hinted is not None:
            return hinted
        for _, record in self._reason_records():
            if record.get("document_key") == key and record.get("file"):
                held = Path(record["file"])
                if held.is_file() and not held.is_symlink() and held.parent == self.quarantine:
                    return held
        for _, record in self._reason_records(self.duplicates):
            if record.get("duplicate_of") == key and str(record.get("sha256")).startswith(digest_of(key)):
                held = Path(record.get("file") or "")
                if held.is_file() and not held.is_symlink() and held.parent == self.duplicates:
                    return held
        slug = key[: -HASH_CHARS - 1]
        entries, _ = self.scan()
        for entry in entries:
            if document_key(entry.path.name, "0" * 64)[: -HASH_CHARS - 1] == slug:
                try:
                    if sha256_file(entry.path).startswith(digest_of(key)):
                        return entry.path
                except FileNotFoundError:
                    continue
        return None

    def where(self, path: Path) -> str | None:
        """'inbox', 'archive', 'duplicates' or 'quarantine' for a path this folder manages; None otherwise."""
        if path.is_symlink():
            return None
        resolved = path.resolve()
        for name, folder in (("quarantine", self.quarantine), ("duplicates", self.duplicates),
                             ("archive", self.archive), ("inbox", self.root)):
            if resolved.is_relative_to(folder):
                return name
        return None

    # -- moving ---------------------------------------------------------------------------------------------
    def archive_file(self, path: Path, key: str) -> Path:
        """Move read bytes to `<archive>/<key>.pdf`; an identical copy already there makes the source redundant."""
        self.archive.mkdir(parents=True, exist_ok=True)
        target = self.archived(key)
        if path.resolve() == target:
            return target
        try:
            _move_no_clobber(path, target)
        except FileExistsError:
            if sha256_file(target) != sha256_file(path):
                target = _free_name(self.archive, target.name)[0]
                _move_no_clobber(path, target)
            else:
                os.unlink(path)
        except FileNotFoundError:
            if not target.is_file():
                raise
            return target  # a concurrent run of the same document archived it first
        self._forget_note(path)  # released from quarantine or duplicates: its note no longer holds
        return target

    def quarantine_file(self, path: Path, reason: str, message: str, *, sha256: str | None = None,
                        size: int | None = None, document_key: str | None = None,
                        original: str | None = None) -> QuarantineRecord:
        """Move the file (or link) aside unchanged and write `NAME.reason.json` beside it."""
        self.quarantine.mkdir(parents=True, exist_ok=True)
        original = original or str(path)
        attempts = 1
        if not path.is_symlink() and path.resolve().parent == self.quarantine:  # already held: refresh the note
            target, note = path, Path(str(path) + REASON_SUFFIX)
            before = _read_reason(note)
            original = before.get("original_path") or original
            attempts = int(before.get("attempts") or 1) + 1
        else:
            while True:
                target, note = _free_name(self.quarantine, Path(original).name)
                try:
                    _move_no_clobber(path, target)
                    break
                except FileExistsError:
                    continue
            self._forget_note(path)  # a copy read from duplicates/ that could not be read
        _write_reason(note, reason=reason, message=message, sha256=sha256, size=size,
                      original_path=original, file=str(target), document_key=document_key, attempts=attempts)
        return QuarantineRecord(reason, message, target, note)

    def retryable(self, max_attempts: int = MAX_ATTEMPTS) -> list[str]:
        """Document keys held for a transient reason (timeout, dead worker), tried fewer than max_attempts and
        not read since from another copy."""
        keys = set()
        for _, record in self._reason_records():
            held = Path(record["file"]) if record.get("file") else None
            key = record.get("document_key")
            if (record.get("reason") in TRANSIENT_REASONS and key and held is not None and held.is_file()
                    and int(record.get("attempts") or 1) < max_attempts and not self.archived(key).is_file()):
                keys.add(key)
        return sorted(keys)

    def set_aside(self) -> list[str]:
        """Document keys with a reason note (any reason) and not read since: their runs failed on purpose, so
        running them again reads the same bytes to the same end unless the reason is transient (`retryable`)."""
        keys = {record.get("document_key") for _, record in self._reason_records()}
        return sorted(key for key in keys if key and not self.archived(key).is_file())

    def release(self, key: str) -> list[Path]:
        """The document was read: its quarantined copies and their notes go (the archive holds the bytes)."""
        released = []
        for note, record in self._reason_records():
            if record.get("document_key") != key:
                continue
            held = Path(record["file"]) if record.get("file") else None
            if held is not None and held.parent == self.quarantine and held.is_file() and not held.is_symlink():
                if sha256_file(held)[:HASH_CHARS] != digest_of(key):
                    continue  # other bytes under that name: not this document's copy
                held.unlink()
            note.unlink(missing_ok=True)
            released.append(note)
        return released

    def record_absent(self, name: str, reason: str, message: str, *, document_key: str | None = None,
                      original: str | None = None) -> QuarantineRecord:
        """A reason with no bytes behind it (the file vanished before its run): only `NAME.reason.json`."""
        self.quarantine.mkdir(parents=True, exist_ok=True)
        _, note = _free_name(self.quarantine, Path(name).name)
        _write_reason(note, reason=reason, message=message, sha256=None, size=None,
                      original_path=original or name, file=None, document_key=document_key)
        return QuarantineRecord(reason, message, None, note)

    def refuse(self, refusal: Refusal) -> QuarantineRecord | None:
        """Move a refused link aside (never its target) so it is reported once; None if it is already gone."""
        try:
            return self.quarantine_file(refusal.path, refusal.reason, refusal.message, original=str(refusal.path))
        except FileNotFoundError:
            return None

    def keep_duplicate(self, candidate: Candidate) -> QuarantineRecord | None:
        """Move a copy of a known document to `<archive>/duplicates/` unchanged, with `NAME.reason.json` naming
        that document (`duplicate_of`); None when the file changed or went since it was hashed (the next look
        decides again)."""
        entry = candidate.entry
        try:
            stat = os.stat(entry.path, follow_symlinks=False)
        except FileNotFoundError:
            return None
        if [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns] != entry.signature:
            return None
        self.duplicates.mkdir(parents=True, exist_ok=True)
        while True:
            target, note = _free_name(self.duplicates, entry.path.name)
            try:
                _move_no_clobber(entry.path, target)
                break
            except FileExistsError:
                continue
            except FileNotFoundError:
                return None
        message = (f"{entry.rel} has the same content (sha256 {candidate.sha256[:HASH_CHARS]}...) as document "
                   f"{candidate.same_as}, registered or read before it: this copy is not read again and is kept "
                   "here unchanged")
        _write_reason(note, reason=DUPLICATE, message=message, sha256=candidate.sha256, size=entry.size,
                      original_path=str(entry.path), file=str(target), duplicate_of=candidate.same_as)
        return QuarantineRecord(DUPLICATE, message, target, note)

    def drop(self, source: Path) -> Path:
        """Place a finished file into the inbox in one step under a free name (how `samples` delivers)."""
        while True:
            target, _ = _free_name(self.root, source.name)
            try:
                _move_no_clobber(source, target)
                return target
            except FileExistsError:
                continue

    def _reason_records(self, folder: Path | None = None) -> Iterable[tuple[Path, dict[str, Any]]]:
        """(note, its record) for every `NAME.reason.json` in the quarantine (or `folder`), in name order."""
        folder = folder or self.quarantine
        if not folder.is_dir():
            return
        for note in sorted(folder.glob("*" + REASON_SUFFIX)):
            yield note, _read_reason(note)

    def _forget_note(self, moved: Path) -> None:
        """The note a file left behind in the quarantine or duplicates folder when it moved on."""
        if moved.parent.resolve() in (self.quarantine, self.duplicates):
            Path(str(moved) + REASON_SUFFIX).unlink(missing_ok=True)


# Where an earlier document with the same bytes stands, as `plan` sees it.
READ, HELD, LOST, PENDING = "read", "held", "lost", "pending"


class _Standing:
    """READ (archived), HELD (quarantined with these bytes), LOST (set aside with no bytes: missing, or the
    held copy is gone) or PENDING (registered, not run yet); the quarantine notes are read once a plan, and
    only when a known document is not in the archive."""

    def __init__(self, folder: DropFolder) -> None:
        self.folder = folder
        self.marks: dict[str, str] = {}
        self.notes: dict[str, list[dict[str, Any]]] | None = None

    def mark(self, key: str, standing: str) -> None:
        self.marks[key] = standing

    def of(self, key: str, sha256: str) -> str:
        if key in self.marks:
            return self.marks[key]
        if self.folder.archived(key).is_file():
            return READ
        if self.notes is None:
            self.notes = {}
            for _, record in self.folder._reason_records():
                if record.get("document_key"):
                    self.notes.setdefault(record["document_key"], []).append(record)
        records = self.notes.get(key, [])
        if not records:
            return PENDING
        return HELD if any(_holds(record, sha256) for record in records) else LOST


def _holds(record: Mapping[str, Any], sha256: str) -> bool:
    held = Path(record.get("file") or "")
    if not record.get("file") or not held.is_file() or held.is_symlink():
        return False
    try:
        return (record.get("sha256") or sha256_file(held)) == sha256
    except OSError:
        return False


def _refusal(entry: Entry) -> Refusal:
    if entry.refusal == HIDDEN:
        message = (f"{entry.rel} has a hidden name (its own or a folder's starts with '.'), which marks a "
                   "program's work in progress, and was left there: it is not read; drop it under a name without "
                   "the leading dot to read it")
    else:
        depth = entry.rel.count("/")
        message = (f"{entry.rel} is {depth} folders deep, more than the {MAX_DEPTH} the drop folder reads: "
                   "drop it higher up to read it")
    return Refusal(entry.rel, entry.path, entry.refusal or UNREADABLE, message)


# --------------------------------------------------------------------------------------------------------------
# File operations that never overwrite
# --------------------------------------------------------------------------------------------------------------


def _free_name(folder: Path, name: str) -> tuple[Path, Path]:
    """`name`, else `stem-1.ext`, `stem-2.ext` ...: the first whose file and reason note are both free."""
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    for n in range(10_000):
        candidate = name if n == 0 else (f"{stem}-{n}{dot}{ext}" if dot else f"{name}-{n}")
        file = folder / candidate
        note = folder / (candidate + REASON_SUFFIX)
        if not os.path.lexists(file) and not os.path.lexists(note):
            return file, note
    raise FileExistsError(f"no free name for {name} in {folder}")


def _move_no_clobber(source: Path, target: Path) -> None:
    """Rename without ever replacing `target`: hard link then unlink (atomic), or across file systems a complete
    copy put in place the same way. A symlink is moved as a link; its target is not touched."""
    try:
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        if source.is_symlink():
            os.symlink(os.readlink(source), target)
        else:  # copy beside the target, then link it into place: the target is whole or absent
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
            partial = Path(name)
            try:
                with open(source, "rb") as reader, os.fdopen(handle, "wb") as writer:
                    shutil.copyfileobj(reader, writer, _CHUNK)
                    writer.flush()
                    os.fsync(writer.fileno())
                shutil.copystat(source, partial)
                _place(partial, target)
            finally:
                partial.unlink(missing_ok=True)
    os.unlink(source)


def _place(partial: Path, target: Path) -> None:
    """`partial` becomes `target` unless `target` exists (FileExistsError); without hard links, an exclusive
    placeholder claims the name first."""
    try:
        os.link(partial, target)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        os.close(os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        try:
            os.replace(partial, target)
        except OSError:
            if target.stat().st_size == 0:  # still our placeholder: give the name back
                target.unlink()
            raise


def _read_reason(note: Path) -> dict[str, Any]:
    try:
        record = json.loads(note.read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_reason(note: Path, **record: Any) -> None:
    record["at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    temporary = note.with_name(f".{note.name}.tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n")
    os.replace(temporary, note)
