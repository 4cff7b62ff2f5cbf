"""One report scored for the CLI: below the inputs' minimum no probability is published, and no model is needed."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from investing_assets.lib.services import muni


def _thin_report(path: Path) -> Path:
    """A statement of net position and nothing else: no fund balance, no pension, no statistics."""
    doc = pymupdf.open()
    page = doc.new_page()
    for y, text in ((60, "City of Thinfield"), (80, "Statement of Net Position"), (96, "June 30, 2021"),
                    (150, "Total assets"), (170, "Total liabilities"), (190, "Total net position")):
        page.insert_text((72, y), text, fontsize=10)
    for y, amount in ((150, "1,200,000"), (170, "700,000"), (190, "500,000")):
        page.insert_text((400, y), amount, fontsize=10)
    doc.save(path)
    return path


def test_too_few_inputs_publish_no_probability_and_list_what_is_missing(tmp_path) -> None:
    result = muni.score_document(_thin_report(tmp_path / "thin.pdf"), None)
    assert result.extraction.values["total_assets"].value == 1_200_000
    assert result.status == "insufficient_inputs"
    assert result.probability is None and result.bucket is None and result.drivers == []
    assert result.model_version == ""  # nothing trained or read for a score that is not published
    shown = result.to_dict()
    assert shown["score"] == {"status": "insufficient_inputs", "probability": None, "bucket": None, "drivers": [],
                              "coverage_level": "below the minimum", "held_out_at_level": None}
    assert "fund_balance_ratio" in shown["coverage"]["missing"] and shown["coverage"]["present"] == []
    assert shown["coverage"]["minimum"]["features"] == 4
