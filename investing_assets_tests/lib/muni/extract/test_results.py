"""The extraction's results: long form with null rows, and the funded ratio."""

from __future__ import annotations

import polars as pl
import pytest

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.extract import extract


def test_to_frame_is_long_form_with_null_rows(sample_pdf) -> None:
    path, truth = sample_pdf
    frame = extract(path).to_frame()
    assert frame.columns == ["metric", "value", "page", "line", "confidence", "reason", "candidate"]
    assert frame["metric"].to_list() == list(METRICS)
    assert frame.schema["value"] == pl.Float64
    for metric, value in zip(frame["metric"], frame["value"], strict=True):
        assert value == truth[metric]
    missing = [m for m in METRICS if truth[m] is None]
    assert frame.filter(pl.col("value").is_null())["metric"].to_list() == missing
    # every null says why, every value says nothing of the kind
    assert frame.filter(pl.col("value").is_null())["reason"].is_in(["not_stated", "not_recognised"]).all()
    assert frame.filter(pl.col("value").is_not_null())["reason"].is_null().all()


def test_funded_ratio(sample_pdf) -> None:
    path, truth = sample_pdf
    got = extract(path)
    assert got.funded_ratio == pytest.approx(
        truth["plan_fiduciary_net_position"] / truth["total_pension_liability"]
    )
