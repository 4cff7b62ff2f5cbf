"""Materialize the muni assets against the test's own PostgreSQL database, Redis and drop folder."""

import base64
import datetime as dt
import json

import dagster as dg
import pytest

from investing_assets.defs.fixed_income.assets import (
    PATH_TAG,
    ScoringConfig,
    TrainingConfig,
    muni_documents,
    muni_risk_model,
    muni_risk_scores,
)
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.defs.shared.resources import HotCacheResource
from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.drop_folder import document_key, sha256_file
from investing_assets.lib.storage.names import MUNI_RISK_LATEST_KEY
from investing_assets_tests.lib.services.muni._helpers import sample_report, snapshot


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory.mktemp("muni_sample"))


MONTH = "2026-11-01"
D1, D2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)
SMALL_MODEL = TrainingConfig(panel_issuers=600, panel_years=6, num_boost_round=40)


def run_document(instance, resources, name: str, *, drop: DropFolderResource | None = None, key: str | None = None):
    """What the sensor's run request does: a partition for the file, a run tagged with where it was seen."""
    folder = (drop or resources["muni_drop"]).get()
    path = folder.root / name
    key = key or document_key(name, sha256_file(path))
    instance.add_dynamic_partitions(muni_document.name, [key])
    result = dg.materialize([muni_documents], partition_key=key, tags={PATH_TAG: name}, instance=instance,
                            resources={**resources, "muni_drop": drop or resources["muni_drop"]})
    assert result.success
    [materialization] = result.asset_materializations_for_node("muni_documents")
    [check] = result.get_asset_check_evaluations()
    return materialization.metadata, check


def test_a_document_partition_shows_its_figures_and_reruns_identically(instance, muni_resources, warehouse, sample):
    folder = muni_resources["muni_drop"].get()
    (folder.root / "report.pdf").write_bytes(sample[0])
    meta, check = run_document(instance, muni_resources, "report.pdf")
    assert meta["status"].value == "extracted" and check.passed
    assert meta["issuer"].value and meta["fiscal_year_end"].value[:2] == "20"
    assert meta["scale"].value == 1000 and "thousands" in meta["scale_text"].value
    table = meta["metrics"].value
    assert table.startswith("| metric | value | page | line | confidence |")
    assert len(table.splitlines()) == 2 + len(METRICS) and "(not stated)" in table
    assert meta["dagster/row_count"].value == len(METRICS)

    before = snapshot(warehouse)
    key = document_key("report.pdf", sha256_file(folder.archive / next(folder.archive.iterdir()).name))
    result = dg.materialize([muni_documents], partition_key=key, instance=instance, resources=muni_resources)
    assert result.success and snapshot(warehouse) == before


@pytest.mark.parametrize("case", ["truncated", "timeout", "vanished"])
def test_a_bad_document_run_shows_its_quarantine_reason(instance, muni_resources, warehouse, sample, tmp_path, case):
    drop = muni_resources["muni_drop"]
    if case == "timeout":  # a parser that never returns is stopped by the guard
        drop = DropFolderResource(path=drop.path, settle_seconds=0, timeout_seconds=0.001)
    folder = drop.get()
    data = sample[0][: len(sample[0]) // 2] if case == "truncated" else sample[0]
    path = folder.root / f"{case}.pdf"
    path.write_bytes(data)
    key = document_key(path.name, sha256_file(path))
    if case == "vanished":
        path.unlink()
    meta, check = run_document(instance, muni_resources, path.name, drop=drop, key=key)
    reason = {"vanished": "missing"}.get(case, case)
    assert meta["status"].value == "quarantined" and meta["reason"].value == reason and meta["message"].value
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["reason"].value == reason
    note = json.loads((folder.quarantine / f"{path.name}.reason.json").read_text())
    assert note["reason"] == reason
    if case != "vanished":
        assert (folder.quarantine / path.name).read_bytes() == data
    assert warehouse.count("muni.quarantine", {"document_key": [key]}) == 1


def test_the_model_keeps_each_version_and_shows_auc_and_importance(instance, muni_resources, warehouse):
    config = dg.RunConfig({"muni_risk_model": SMALL_MODEL})
    result = dg.materialize([muni_risk_model], partition_key=MONTH, instance=instance, resources=muni_resources,
                            run_config=config)
    [materialization] = result.asset_materializations_for_node("muni_risk_model")
    meta = materialization.metadata
    assert 0.5 < meta["auc"].value <= 1 and meta["brier"].value < meta["base_rate_brier"].value
    image = meta["feature_importance"].value
    assert image.startswith("![feature importance](data:image/png;base64,")
    assert base64.b64decode(image.split(",", 1)[1].rstrip(")"))[:8] == b"\x89PNG\r\n\x1a\n"
    assert "| bin |" in meta["calibration"].value
    stored = warehouse.read_frame("SELECT version, partition_key FROM muni.models").to_dicts()
    assert stored == [{"version": meta["version"].value, "partition_key": MONTH}]


def test_daily_scores_use_the_newest_model_and_fill_the_cache(instance, muni_resources, warehouse, redis_url):
    dg.materialize([muni_risk_model], partition_key=MONTH, instance=instance, resources=muni_resources,
                   run_config=dg.RunConfig({"muni_risk_model": SMALL_MODEL}))
    result = dg.materialize(
        [muni_risk_scores], instance=instance, resources=muni_resources,
        run_config=dg.RunConfig({"muni_risk_scores": ScoringConfig(synthetic_issuers=25)}),
        tags={"dagster/asset_partition_range_start": D1.isoformat(),
              "dagster/asset_partition_range_end": D2.isoformat()})
    assert result.success and len(instance.get_runs()) == 2
    materializations = result.asset_materializations_for_node("muni_risk_scores")
    assert sorted(m.partition for m in materializations) == [D1.isoformat(), D2.isoformat()]  # one run
    materialization = materializations[-1]
    assert materialization.metadata["dagster/row_count"].value == 50
    assert materialization.metadata["cache_refreshed"].value is True
    assert warehouse.count("muni.risk_scores", {"session": [D1]}) == 25
    cached = muni_resources["cache"].get().read(MUNI_RISK_LATEST_KEY)
    assert cached["as_of"] == D2.isoformat() and len(cached["data"]["issuers"]) == 25


def test_scores_with_redis_down_warn_and_succeed(instance, muni_resources, warehouse, dead_redis_url):
    resources = {**muni_resources, "cache": HotCacheResource(url=dead_redis_url)}
    dg.materialize([muni_risk_model], partition_key=MONTH, instance=instance, resources=resources,
                   run_config=dg.RunConfig({"muni_risk_model": SMALL_MODEL}))
    result = dg.materialize([muni_risk_scores], partition_key=D2.isoformat(), instance=instance,
                            resources=resources,
                            run_config=dg.RunConfig({"muni_risk_scores": ScoringConfig(synthetic_issuers=5)}))
    assert result.success
    [materialization] = result.asset_materializations_for_node("muni_risk_scores")
    assert materialization.metadata["cache_refreshed"].value is False
    assert warehouse.count("muni.risk_scores") == 5


def test_scores_before_any_model_fail_with_what_to_do(instance, muni_resources):
    result = dg.materialize([muni_risk_scores], partition_key=D2.isoformat(), instance=instance,
                            resources=muni_resources, raise_on_error=False)
    assert not result.success
    assert "materialize muni_risk_model" in str(result.get_step_failure_events()[0].event_specific_data.error)


def test_a_document_set_aside_for_a_timeout_is_read_on_the_next_attempt(instance, muni_resources, warehouse, sample):
    """What the sweep's retry does: the same partition run again finds the bytes in quarantine and reads them."""
    drop = muni_resources["muni_drop"]
    folder = drop.get()
    (folder.root / "slow.pdf").write_bytes(sample[0])
    key = document_key("slow.pdf", sha256_file(folder.root / "slow.pdf"))
    busy = DropFolderResource(path=drop.path, settle_seconds=0, timeout_seconds=0.001)
    meta, _ = run_document(instance, muni_resources, "slow.pdf", drop=busy, key=key)
    assert meta["reason"].value == "timeout" and folder.retryable() == [key]
    meta, check = run_document(instance, muni_resources, "slow.pdf", key=key)
    assert meta["status"].value == "extracted" and check.passed
    assert folder.retryable() == [] and list(folder.quarantine.iterdir()) == []
    assert folder.archived(key).read_bytes() == sample[0]
    assert warehouse.read_frame("SELECT status FROM muni.documents WHERE document_key = %s", [key]).item() == \
        "extracted"
    log = warehouse.read_frame("SELECT reason, attempts, released_at IS NOT NULL AS released FROM muni.quarantine "
                               "WHERE document_key = %s", [key])
    assert log.rows() == [("timeout", 1, True)]  # the log keeps that it was set aside, and that it was released
