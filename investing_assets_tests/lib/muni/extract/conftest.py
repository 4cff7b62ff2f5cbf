"""A classic-layout synthetic report with a GASB 68 pension schedule, shared by the extraction tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from investing_assets.lib.synthetic.muni_reports import generate_issuer, write_document


@pytest.fixture(scope="package")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, float | None]]:
    # the first classic-layout issuer with a GASB 68 pension schedule
    issuer = next(i for i in (generate_issuer(11, n) for n in range(0, 300, 3)) if i.pension)
    path = tmp_path_factory.mktemp("sample") / "classic.pdf"
    truth = write_document(issuer, path, "classic")
    assert truth["total_pension_liability"] is not None
    return path, truth
