"""Small PDFs that expand to a lot in memory, made on the spot (never committed as binaries)."""

from __future__ import annotations

import zlib
from pathlib import Path

import pymupdf

TITLE = "City of Bombville Annual Comprehensive Financial Report"


def text_bomb(path: Path, runs: int = 100_000) -> Path:
    """One page whose flate-compressed content stream (a few tens of KB) draws `runs` lines of 53 tiny glyphs:
    MuPDF holds every glyph of the page while it reads its text (about 0.5 GB for 100,000 lines)."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), TITLE, fontname="helv")
    body = (b"BT /helv 0.01 Tf 0.012 TL 10 800 Td "
            + b"(ABCDEFGHIJKLMNOPQRSTUVWXYZ ABCDEFGHIJKLMNOPQRSTUVWXYZ) Tj T* " * runs + b"ET")
    stream = doc.get_new_xref()
    doc.update_object(stream, "<<>>")
    doc.update_stream(stream, zlib.compress(body, 9), compress=False)
    doc.xref_set_key(stream, "Filter", "/FlateDecode")  # after: update_stream drops what the stream had
    contents = " ".join(f"{xref} 0 R" for xref in [*page.get_contents(), stream])
    doc.xref_set_key(page.xref, "Contents", f"[{contents}]")
    doc.save(path)
    return path


def image_bomb(path: Path, side: int = 12_000) -> Path:
    """A page of text over a `side` x `side` grey image of zeros, flate-compressed to about 1/1000 (12,000 a
    side: 144 MB decoded from a 0.15 MB file); a PNG predictor, so MuPDF cannot pass the stream through without
    decoding it."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), TITLE, fontname="helv")
    xref = page.insert_image(page.rect, pixmap=pymupdf.Pixmap(pymupdf.csGRAY, pymupdf.IRect(0, 0, 1, 1)))
    doc.update_stream(xref, zlib.compress(b"\0" * ((side + 1) * side), 9), compress=False)
    for key, value in (("Filter", "/FlateDecode"), ("Width", str(side)), ("Height", str(side)),
                       ("ColorSpace", "/DeviceGray"), ("DecodeParms", f"<< /Predictor 15 /Columns {side} >>"),
                       ("SMask", "null")):
        doc.xref_set_key(xref, key, value)
    doc.save(path)
    return path
