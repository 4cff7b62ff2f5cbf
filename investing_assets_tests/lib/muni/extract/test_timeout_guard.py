"""The hang guard: extraction in a child process that is killed after its time, or reported when it dies."""

from __future__ import annotations

import multiprocessing
import os
import time
from pathlib import Path

import pytest

from investing_assets.lib.muni.extract import DocumentRejected, Extraction, extract_with_timeout


def _hang(path: str, **kw) -> Extraction:
    """Stands in for a parser stuck in a loop on a malicious PDF (runs in the child process)."""
    time.sleep(600)
    raise AssertionError("not reached")


def test_timeout_kills_the_child(sample_pdf) -> None:
    start = time.monotonic()
    with pytest.raises(DocumentRejected) as err:
        extract_with_timeout(sample_pdf[0], timeout_s=3, _target=_hang)
    assert err.value.reason == "timeout"
    assert time.monotonic() - start < 15
    assert multiprocessing.active_children() == []  # killed and reaped, not left sleeping


def _crash(path: str, **kw) -> Extraction:
    """Stands in for a parser that takes its process down (a segfault in a C library, the OOM killer)."""
    os._exit(139)


def test_a_dead_worker_is_its_own_retryable_reason(sample_pdf) -> None:
    with pytest.raises(DocumentRejected) as err:
        extract_with_timeout(sample_pdf[0], timeout_s=60, _target=_crash)
    assert err.value.reason == "worker_died" and "exit code 139" in err.value.message


def test_extract_with_timeout_returns_the_extraction(sample_pdf) -> None:
    path, truth = sample_pdf
    got = extract_with_timeout(path, timeout_s=60)
    assert isinstance(got, Extraction)
    assert got.values["total_assets"].value == truth["total_assets"]


def test_extract_with_timeout_passes_rejections_through(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(DocumentRejected) as err:
        extract_with_timeout(path, timeout_s=60)
    assert err.value.reason == "empty"
