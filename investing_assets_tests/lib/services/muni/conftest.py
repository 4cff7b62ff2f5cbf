"""Fixtures of the muni service tests: one sample report for the package, a fresh drop folder per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets_tests.lib.services.muni._helpers import sample_report


@pytest.fixture(scope="package")
def sample(tmp_path_factory) -> tuple[bytes, dict[str, float | None]]:
    return sample_report(tmp_path_factory.mktemp("muni_sample"))


@pytest.fixture
def folder(tmp_path: Path) -> DropFolder:
    return DropFolder(tmp_path / "drop").ensure()
