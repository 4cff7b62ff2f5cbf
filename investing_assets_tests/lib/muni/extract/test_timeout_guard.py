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


def _nothing(path: str, **kw) -> bool:
    return True


def test_a_child_does_not_run_the_main_script_again(tmp_path) -> None:
    """The `investing` console script is a main given as a path: each child ran it again (the whole CLI's
    imports, ~0.7 s a document) until the path was kept from the child. The script counts its own runs."""
    import subprocess
    import sys

    runs = tmp_path / "runs.txt"
    script = tmp_path / "console_script"  # no .py, as a console script
    script.write_text("import sys\n"
                      f"open({str(runs)!r}, 'a').write('ran\\n')\n"
                      "from investing_assets.lib.muni.extract import extract_with_timeout\n"
                      "from investing_assets_tests.lib.muni.extract.test_timeout_guard import _nothing\n"
                      "if __name__ == '__main__':\n"
                      "    for _ in range(2):\n"
                      "        extract_with_timeout(sys.argv[1], timeout_s=60, _target=_nothing)\n"
                      "    print(__file__ == sys.argv[0])\n")
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "any.pdf")], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[4])
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True"]  # the parent's own main is left as it was
    assert runs.read_text().splitlines() == ["ran"]  # in the parent only, not again in the two children
