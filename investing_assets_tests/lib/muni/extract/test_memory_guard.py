"""The memory guard: the extraction child runs under a limit, and a document that needs more is rejected as
`too_much_memory` instead of taking the machine's memory."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from investing_assets.lib.muni.extract import DocumentRejected, Extraction, extract, extract_with_timeout
from investing_assets_tests.lib.muni._bombs import TITLE, image_bomb, text_bomb


def _resident_peak_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


def _extract_and_measure(path: str, **kw) -> tuple[Extraction, float]:
    """`extract` in the guard's child, with how far the child's resident memory grew above its start (MB)."""
    before = _resident_peak_mb()
    extraction = extract(path, **kw)
    return extraction, _resident_peak_mb() - before


def _allocate(path: str, **kw) -> Extraction:
    """A reader that wants half a gigabyte at once (runs in the guard's child)."""
    bytearray(512 << 20)
    raise AssertionError("the memory limit let half a gigabyte through")


def test_a_document_over_the_limit_is_rejected_as_too_much_memory(tmp_path: Path) -> None:
    bomb = text_bomb(tmp_path / "glyphs.pdf")  # ~20 KB on disk, ~0.5 GB of glyphs in MuPDF
    assert bomb.stat().st_size < 100_000
    with pytest.raises(DocumentRejected) as err:
        extract_with_timeout(bomb, timeout_s=120, max_memory_mb=64)
    assert err.value.reason == "too_much_memory" and "glyphs.pdf" in err.value.message


def test_the_limit_is_set_in_the_child_only(tmp_path: Path, sample_pdf) -> None:
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(DocumentRejected) as err:
        extract_with_timeout(sample_pdf[0], timeout_s=60, max_memory_mb=64, _target=_allocate)
    assert err.value.reason == "too_much_memory" and "64 MB" in err.value.message
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert extract_with_timeout(sample_pdf[0], timeout_s=60, max_memory_mb=64).pages > 3  # a real report fits


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the child's memory from /proc")
def test_an_image_decompression_bomb_is_read_without_decoding_its_image(tmp_path: Path) -> None:
    """The report's text is all the extractor reads: its 144 MB image is never decoded (the cover lines asked
    MuPDF for images too, which took ~2 GB on a 946 KB file)."""
    bomb = image_bomb(tmp_path / "image.pdf")
    assert bomb.stat().st_size < 1_000_000
    extraction, grown_mb = extract_with_timeout(bomb, timeout_s=120, _target=_extract_and_measure)
    assert extraction.issuer and extraction.issuer in TITLE
    assert grown_mb < 48, f"the child grew by {grown_mb:.0f} MB: the image was decoded"
