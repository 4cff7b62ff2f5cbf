"""Bad input: every unusable file is refused with its reason, by the inspection and the extraction alike."""

from __future__ import annotations

import os
import pickle
import random
from pathlib import Path

import pymupdf
import pytest

from investing_assets.lib.muni.extract import REJECT_REASONS, DocumentRejected, extract, inspect_pdf


def _reason(path: Path, **kw) -> str:
    with pytest.raises(DocumentRejected) as inspected:
        inspect_pdf(path, **kw)
    with pytest.raises(DocumentRejected) as extracted:
        extract(path, **kw)
    assert inspected.value.reason == extracted.value.reason
    assert inspected.value.message and path.name in inspected.value.message
    return inspected.value.reason


def test_zero_bytes(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert _reason(path) == "empty"


def test_random_bytes_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "random.pdf"
    path.write_bytes(os.urandom(50_000))
    assert _reason(path) == "not_pdf"


def test_html_named_pdf(tmp_path: Path) -> None:
    path = tmp_path / "download.pdf"
    path.write_text("<html><body>Access denied</body></html>")
    assert _reason(path) == "not_pdf"


def test_truncated(tmp_path: Path, sample_pdf) -> None:
    data = sample_pdf[0].read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert _reason(path) == "truncated"


TRAILERS = {  # what download and mail tools leave after a document's last %%EOF, each more than 4 KB
    "zero padding": b"\0" * 8192,
    "random bytes": random.Random(0).randbytes(50_000),
    "an html page": b"<html><body><p>Thank you for downloading.</p></body></html>\n" * 200,
}


@pytest.mark.parametrize("trailer", TRAILERS.values(), ids=TRAILERS.keys())
def test_bytes_after_the_last_eof_are_accepted_when_the_document_reads(tmp_path: Path, sample_pdf,
                                                                      trailer: bytes) -> None:
    source, truth = sample_pdf
    path = tmp_path / "padded.pdf"
    path.write_bytes(source.read_bytes() + trailer)
    assert b"%%EOF" not in path.read_bytes()[-4096:]
    inspect_pdf(path)
    got = extract(path)
    assert {m: (v.value if v else None) for m, v in got.values.items()} == truth


def test_a_cut_incremental_update_is_still_truncated(tmp_path: Path, sample_pdf) -> None:
    """An earlier revision's %%EOF stays in the file: what follows it, cut short, is PDF objects, not padding."""
    original = sample_pdf[0].read_bytes()
    path = tmp_path / "revised.pdf"
    path.write_bytes(original)
    with pymupdf.open(path) as doc:  # an attachment that does not compress: an update of ~20 KB
        doc.embfile_add("restatement.bin", random.Random(1).randbytes(20_000))
        doc.saveIncr()
    updated = path.read_bytes()
    assert updated.startswith(original) and len(updated) - len(original) > 3 * 4096
    cut = tmp_path / "cut-revision.pdf"
    cut.write_bytes(updated[: len(original) + (len(updated) - len(original)) // 2])
    assert b"%%EOF" not in cut.read_bytes()[-4096:]  # only the earlier revision's, far back
    assert _reason(cut) == "truncated"


def test_garbage_between_header_and_eof_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + os.urandom(20_000) + b"\n%%EOF\n")
    assert _reason(path) == "unreadable"


def test_encrypted(tmp_path: Path, sample_pdf) -> None:
    path = tmp_path / "locked.pdf"
    with pymupdf.open(sample_pdf[0]) as doc:
        doc.save(path, encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner")
    assert _reason(path) == "encrypted"


def test_image_only(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    doc = pymupdf.open()
    for _ in range(3):
        page = doc.new_page()
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 200, 260), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
    doc.save(path)
    assert _reason(path) == "no_text_layer"


def test_over_size_limit(sample_pdf) -> None:
    assert _reason(sample_pdf[0], max_bytes=10_000) == "too_large"


def test_over_page_limit(sample_pdf) -> None:
    assert _reason(sample_pdf[0], max_pages=3) == "too_many_pages"


def test_missing_file(tmp_path: Path) -> None:
    assert _reason(tmp_path / "nowhere.pdf") == "missing"


def test_rejection_survives_pickling() -> None:
    err = pickle.loads(pickle.dumps(DocumentRejected("timeout", "took too long")))
    assert (err.reason, err.message) == ("timeout", "took too long")


def test_a_rejection_names_one_of_the_known_reasons() -> None:
    assert "timeout" in REJECT_REASONS
    with pytest.raises(ValueError, match="unknown rejection reason"):
        DocumentRejected("misspelt", "no such reason")
