"""The six real state reports against their hand-read truth (`lib/muni/real_reports.py`, which `make bench`
reads too), and the extraction speed on them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.extract import Extraction, extract, inspect_pdf
from investing_assets.lib.muni.real_reports import ACFR_RELATIVE, REPORTS, accuracy

REPO_ROOT = Path(__file__).resolve().parents[4]
ACFR_DIR = REPO_ROOT.joinpath(*ACFR_RELATIVE).resolve()


def _real(name: str) -> Path:
    path = ACFR_DIR / f"{name}.pdf"
    if not path.is_file():
        pytest.skip(f"real report {path} is absent (the shared muni_acfr data folder is not mounted)")
    return path


@pytest.fixture(scope="module")
def real_extractions() -> dict[str, Extraction]:
    return {name: extract(_real(name)) for name in REPORTS}


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_stated_figure_is_exact_with_its_page(name: str, real_extractions: dict[str, Extraction]) -> None:
    expected, got = REPORTS[name], real_extractions[name]
    assert got.issuer == expected.issuer
    assert got.fiscal_year_end == expected.fye
    assert got.scale == expected.scale
    assert got.pages == expected.pages
    scored = accuracy({name: got})
    assert scored.exact == scored.stated == len(expected.values), scored.wrong


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_other_figure_is_null_with_its_reason(name: str, real_extractions: dict[str, Extraction]) -> None:
    """Pre-GASB 68 reports state no net pension liability, pre-GASB 54 ones no unassigned balance, states no
    assessed value ...: nothing is guessed from look-alike rows ("Net pension obligation", "Unreserved,
    undesignated", funding-progress schedules)."""
    expected, got = REPORTS[name], real_extractions[name]
    for metric in METRICS:
        if metric in expected.values:
            continue
        assert got.values[metric] is None, (metric, got.values[metric])
        gap = got.missing[metric]
        if metric in expected.not_recognised:
            assert (gap.reason, gap.page) == ("not_recognised", expected.not_recognised[metric]), gap
            assert gap.candidate
        else:
            assert gap.reason == "not_stated", gap
            assert gap.searched  # which sections were searched, in words


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_lines_show_the_printed_figure(name: str, real_extractions: dict[str, Extraction]) -> None:
    for metric, value in real_extractions[name].values.items():
        if value is None:
            continue
        assert value.line and 0 < value.confidence <= 1, metric
        if value.basis == "row" and value.value:
            printed = abs(value.value) / REPORTS[name].scale
            if printed == int(printed):
                assert f"{int(printed):,}" in value.line, (metric, value.line)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_fiscal_year_end_has_a_page_and_confidence(name: str, real_extractions: dict[str, Extraction]) -> None:
    source = real_extractions[name].fiscal_year_end_source
    expected = REPORTS[name]
    assert source is not None and source.page == expected.fye_page
    assert expected.fye.strftime("%B").lower() in source.line.lower() and str(expected.fye.year) in source.line
    assert source.confidence >= 0.95  # the statement's date, the same on the cover or the funds balance sheet


def test_figures_that_cross_foot_are_surer_than_figures_read_alone(real_extractions: dict[str, Extraction]) -> None:
    checked, alone = [], []
    for got in real_extractions.values():
        for value in got.values.values():
            if value is None:
                continue
            passed = [c for c in value.checks if not c.startswith("does not foot")]
            (checked if passed else alone).append(value.confidence)
    assert checked and alone
    assert min(checked) > max(alone)


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_net_position_identity_holds_with_deferred_elements(name: str,
                                                           real_extractions: dict[str, Extraction]) -> None:
    """Assets + deferred outflows - liabilities - deferred inflows = net position, in every report."""
    values = real_extractions[name].values
    for metric in ("total_assets", "total_liabilities", "net_position_total"):
        assert any(c.startswith("assets + deferred") for c in values[metric].checks), metric


def test_inspect_accepts_real_reports_including_owner_password_protection() -> None:
    for name in REPORTS:
        inspect_pdf(_real(name))  # NY is RC4-protected with an owner password only: readable


def test_extraction_speed_on_real_reports() -> None:
    """The bench target is 50 pages/s on one core; CPU time keeps this honest on a busy machine."""
    paths = [_real(name) for name in REPORTS]
    pages = 0
    start = time.process_time()
    for path in paths:
        pages += extract(path).pages
    rate = pages / (time.process_time() - start)
    assert rate >= 50, f"{rate:.0f} pages/s"


def test_bonds_outstanding_confidence_says_whether_the_changes_table_foots(
        real_extractions: dict[str, Extraction]) -> None:
    """California 2013 prints restated beginning balances inside the labels, so its bond rows cannot be footed
    (beginning + additions - reductions = ending): it is read, but less surely than the reports whose rows foot."""
    bonds = {name: got.values["bonds_outstanding"] for name, got in real_extractions.items()}
    footed = {name for name, v in bonds.items() if any(c.startswith("changes table rows foot") for c in v.checks)}
    assert footed == set(REPORTS) - {"CA_cafr2013"}
    assert bonds["CA_cafr2013"].confidence < min(bonds[name].confidence for name in footed)
    assert bonds["CA_cafr2013"].page == 148  # the ending balance sits on the facing page of the table
