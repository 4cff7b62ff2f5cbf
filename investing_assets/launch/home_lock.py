"""One Dagster daemon per INVESTING_HOME: a lock file holding the owner's pid, taken with flock.

The kernel drops an flock when its process dies, so a lock file left by a dead pid is simply taken over; the
descriptor is not inherited by children (Python's default), so the lock lives exactly as long as its owner.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class LockHeld(RuntimeError):
    """Another live process owns the lock; `pid` and `what` say which one."""

    def __init__(self, path: Path, pid: int | None, what: str) -> None:
        self.path, self.pid, self.what = path, pid, what
        super().__init__(f"{path} is held by pid {pid} ({what})")


class HomeLock:
    def __init__(self, home: Path, name: str) -> None:
        self.path = home / f"{name}.lock"

    @contextlib.contextmanager
    def held(self, what: str) -> Iterator[None]:
        """Hold the lock for the block, recording this pid and `what` holds it; `LockHeld` if taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid, owner = self.owner()
                raise LockHeld(self.path, pid, owner) from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {what}\n".encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing drops the flock

    def owner(self) -> tuple[int | None, str]:
        """The pid and role written by the holder (None while it is still writing them)."""
        try:
            pid, _, what = self.path.read_text().strip().partition(" ")
            return int(pid), what or "unknown"
        except (OSError, ValueError):
            return None, "unknown"
