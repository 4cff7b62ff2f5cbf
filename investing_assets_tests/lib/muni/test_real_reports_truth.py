"""The scoring of extractions against the real reports' truth (no PDF needed): a wrong page, a wrong value, a
null and a value the truth has none for each count against it."""

from __future__ import annotations

from investing_assets.lib.muni.extract import ExtractedValue, Extraction
from investing_assets.lib.muni.real_reports import REPORTS, accuracy


def _as_read(name: str) -> Extraction:
    truth = REPORTS[name]
    values = {m: ExtractedValue(m, v, page, "line", 0.9) for m, (v, page) in truth.values.items()}
    return Extraction(truth.issuer, truth.fye, truth.scale, None, truth.pages, values=values)


def test_the_truth_read_back_is_all_exact() -> None:
    scored = accuracy({name: _as_read(name) for name in REPORTS})
    assert scored.exact == scored.stated == sum(len(r.values) for r in REPORTS.values())
    assert scored.share == 1.0 and scored.spurious == 0 and not scored.wrong


def test_wrong_page_value_null_and_spurious_values_count() -> None:
    got = _as_read("RI_cafr2013")
    value = got.values["total_assets"]
    got.values["total_assets"] = ExtractedValue("total_assets", value.value, value.page + 1, "line", 0.9)
    got.values["total_liabilities"] = ExtractedValue("total_liabilities", 1.0, 37, "line", 0.9)
    got.values["population"] = None
    got.values["assessed_value"] = ExtractedValue("assessed_value", 5.0, 180, "line", 0.9)  # RI states none
    scored = accuracy({"RI_cafr2013": got})
    assert scored.stated == len(REPORTS["RI_cafr2013"].values) and scored.exact == scored.stated - 3
    assert set(scored.wrong["RI_cafr2013"]) == {"total_assets", "total_liabilities", "population"}
    assert scored.spurious == 1
