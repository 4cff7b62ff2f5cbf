"""Materialize the muni assets against the test's own PostgreSQL database, Redis and drop folder."""

import base64
import datetime as dt
import json

import dagster as dg
import pytest
from dagster._core.definitions.partitions.context import partition_loading_context
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus
from dagster._core.storage.partition_status_cache import AssetPartitionStatus

from investing_assets.defs.fixed_income.assets import (
    PATH_TAG,
    ScoringConfig,
    TrainingConfig,
    muni_documents,
    muni_risk_model,
    muni_risk_scores,
)
from investing_assets.defs.fixed_income.resources import DropFolderResource, build_drop_folder_resource
from investing_assets.defs.shared.partitions import muni_document
from investing_assets.defs.shared.resources import HotCacheResource
from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.coverage import LEVEL_LABELS
from investing_assets.lib.muni.drop_folder import document_key, sha256_file
from investing_assets.lib.muni.risk_model import BUCKET_LABELS
from investing_assets.lib.storage.names import MUNI_RISK_LATEST_KEY
from investing_assets.lib.synthetic.muni_reports import generate_issuer, write_document
from investing_assets_tests.defs._helpers import latest_metadata
from investing_assets_tests.lib.muni._bombs import text_bomb
from investing_assets_tests.lib.services.muni._helpers import sample_report, snapshot


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory.mktemp("muni_sample"))


MONTH = "2026-11-01"
D1, D2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)
SMALL_MODEL = TrainingConfig(panel_issuers=600, panel_years=6, num_boost_round=40)


def run_document(instance, resources, name: str, *, drop: DropFolderResource | None = None, key: str | None = None,
                 read: bool = True):
    """What the sensor's run request does: a partition for the file, a run tagged with where it was seen.
    Returns the metadata the UI shows (the materialization's, or the failure's when the file was not `read`),
    the `extracted` check evaluation and the failure's one line ("" for a read file)."""
    folder = (drop or resources["muni_drop"]).get()
    path = folder.root / name
    key = key or document_key(name, sha256_file(path))
    instance.add_dynamic_partitions(muni_document.name, [key])
    result = dg.materialize([muni_documents], partition_key=key, tags={PATH_TAG: name}, instance=instance,
                            resources={**resources, "muni_drop": drop or resources["muni_drop"]},
                            raise_on_error=False)
    assert result.success is read
    materializations = result.asset_materializations_for_node("muni_documents")
    [check] = result.get_asset_check_evaluations()
    assert check.partition == key  # the check is per document partition
    if read:
        [materialization] = materializations
        return materialization.metadata, check, ""
    assert materializations == []
    [failure] = result.get_step_failure_events()
    user = failure.step_failure_data.user_failure_data
    return user.metadata, check, user.description


EXTRACTED = dg.AssetCheckKey(muni_documents.key, "extracted")


def partition_state(instance, key: str) -> tuple[object, object]:
    """What the UI shows for one document partition, read back from the instance: its status (materialized,
    failed ...) and its latest `extracted` evaluation."""
    with partition_loading_context(dynamic_partitions_store=instance):
        status = instance.get_status_by_partition(muni_documents.key, [key], muni_document)[key]
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [EXTRACTED], partition_filter=PartitionKeyFilter(key=key))[EXTRACTED]
    return status, latest.status


def test_a_document_partition_shows_its_figures_and_reruns_identically(instance, muni_resources, warehouse, sample):
    folder = muni_resources["muni_drop"].get()
    (folder.root / "report.pdf").write_bytes(sample[0])
    meta, check, _ = run_document(instance, muni_resources, "report.pdf")
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


@pytest.mark.parametrize("case", ["truncated", "timeout", "vanished", "too_much_memory"])
def test_a_bad_document_fails_its_partition_and_keeps_its_quarantine(pg_instance, muni_resources, warehouse, sample,
                                                                    case, monkeypatch, tmp_path):
    instance = pg_instance
    drop = muni_resources["muni_drop"]
    if case == "timeout":  # a parser that never returns is stopped by the guard
        drop = DropFolderResource(path=drop.path, settle_seconds=0, timeout_seconds=0.001)
    if case == "too_much_memory":  # the setting, as the definitions read it
        monkeypatch.setenv("INVESTING_MUNI_DROP", drop.path)
        monkeypatch.setenv("INVESTING_MUNI_MAX_MEMORY_MB", "64")
        drop = build_drop_folder_resource()
        assert drop.max_memory_mb == 64
    folder = drop.get()
    data = {"truncated": sample[0][: len(sample[0]) // 2],
            "too_much_memory": text_bomb(tmp_path / "bomb.pdf").read_bytes()}.get(case, sample[0])
    path = folder.root / f"{case}.pdf"
    path.write_bytes(data)
    key = document_key(path.name, sha256_file(path))
    if case == "vanished":
        path.unlink()
    meta, check, failure = run_document(instance, muni_resources, path.name, drop=drop, key=key, read=False)
    reason = {"vanished": "missing"}.get(case, case)
    assert meta["status"].value == "quarantined" and meta["reason"].value == reason and meta["message"].value
    assert failure.startswith(f"muni_document {key}: {path.name} could not be read ({reason}): ")
    assert "\n" not in failure
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    assert check.metadata["reason"].value == reason
    assert key not in instance.get_materialized_partitions(muni_documents.key)
    assert partition_state(instance, key) == (AssetPartitionStatus.FAILED, AssetCheckExecutionRecordStatus.FAILED)
    # recorded before the run failed: nothing about the file is lost
    note = json.loads((folder.quarantine / f"{path.name}.reason.json").read_text())
    assert note["reason"] == reason
    if case != "vanished":
        assert (folder.quarantine / path.name).read_bytes() == data
    assert warehouse.count("muni.quarantine", {"document_key": [key]}) == 1


def test_a_bad_document_stays_failed_after_a_good_one(pg_instance, muni_resources, sample):
    """The check used to be one for the whole asset: the next good file turned a quarantine back to Passed."""
    instance = pg_instance
    folder = muni_resources["muni_drop"].get()
    (folder.root / "bad.pdf").write_bytes(sample[0][:500])
    bad = document_key("bad.pdf", sha256_file(folder.root / "bad.pdf"))
    (folder.root / "good.pdf").write_bytes(sample[0])
    good = document_key("good.pdf", sha256_file(folder.root / "good.pdf"))
    run_document(instance, muni_resources, "bad.pdf", read=False)
    meta, check, _ = run_document(instance, muni_resources, "good.pdf")
    assert check.passed and meta["status"].value == "extracted"
    assert instance.get_materialized_partitions(muni_documents.key) == {good}
    assert partition_state(instance, good) == (AssetPartitionStatus.MATERIALIZED,
                                               AssetCheckExecutionRecordStatus.SUCCEEDED)
    assert partition_state(instance, bad) == (AssetPartitionStatus.FAILED, AssetCheckExecutionRecordStatus.FAILED)
    # run again from the UI: the same bytes, read again from the quarantine, fail again
    run_document(instance, muni_resources, "bad.pdf", key=bad, read=False)
    assert partition_state(instance, bad) == (AssetPartitionStatus.FAILED, AssetCheckExecutionRecordStatus.FAILED)


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
    # held-out quality per coverage level, as a table and as figures the UI can chart across versions
    table = meta["by_coverage"].value
    assert "| inputs present |" in table and all(f"| {level} |" in table for level in LEVEL_LABELS)
    assert all(0 < meta[f"brier {level}"].value < 1 for level in LEVEL_LABELS)
    assert any(key.startswith("auc ") for key in meta)
    stored = warehouse.read_frame("SELECT version, partition_key, by_coverage FROM muni.models").to_dicts()
    assert [(r["version"], r["partition_key"]) for r in stored] == [(meta["version"].value, MONTH)]
    assert [row["level"] for row in stored[0]["by_coverage"]] == list(LEVEL_LABELS)


def test_daily_scores_use_the_newest_model_and_fill_the_cache(instance, muni_resources, warehouse, redis_url):
    dg.materialize([muni_risk_model], partition_key=MONTH, instance=instance, resources=muni_resources,
                   run_config=dg.RunConfig({"muni_risk_model": SMALL_MODEL}))
    result = dg.materialize(
        [muni_risk_scores], instance=instance, resources=muni_resources,
        run_config=dg.RunConfig({"muni_risk_scores": ScoringConfig(synthetic_issuers=25)}),
        tags={"dagster/asset_partition_range_start": D1.isoformat(),
              "dagster/asset_partition_range_end": D2.isoformat()})
    assert result.success and len(instance.get_runs()) == 2
    for day in (D1, D2):  # each partition shows its own session's book, read back from the instance
        meta = latest_metadata(instance, "muni_risk_scores", day.isoformat())
        assert meta["dagster/row_count"] == warehouse.count("muni.risk_scores", {"session": [day]}) == 25
    assert latest_metadata(instance, "muni_risk_scores", D2.isoformat())["cache_refreshed"] is True
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


def test_a_document_set_aside_for_a_timeout_is_read_on_the_next_attempt(pg_instance, muni_resources, warehouse,
                                                                        sample):
    """What the sweep's retry does: the same partition run again finds the bytes in quarantine and reads them;
    the partition and its check go from failed to materialized and passed."""
    instance = pg_instance
    drop = muni_resources["muni_drop"]
    folder = drop.get()
    (folder.root / "slow.pdf").write_bytes(sample[0])
    key = document_key("slow.pdf", sha256_file(folder.root / "slow.pdf"))
    busy = DropFolderResource(path=drop.path, settle_seconds=0, timeout_seconds=0.001)
    meta, _, failure = run_document(instance, muni_resources, "slow.pdf", drop=busy, key=key, read=False)
    assert meta["reason"].value == "timeout" and folder.retryable() == [key] and "sweep reads it again" in failure
    assert partition_state(instance, key) == (AssetPartitionStatus.FAILED, AssetCheckExecutionRecordStatus.FAILED)
    meta, check, _ = run_document(instance, muni_resources, "slow.pdf", key=key)
    assert meta["status"].value == "extracted" and check.passed
    assert partition_state(instance, key) == (AssetPartitionStatus.MATERIALIZED,
                                              AssetCheckExecutionRecordStatus.SUCCEEDED)
    assert folder.retryable() == [] and list(folder.quarantine.iterdir()) == []
    assert folder.archived(key).read_bytes() == sample[0]
    assert warehouse.read_frame("SELECT status FROM muni.documents WHERE document_key = %s", [key]).item() == \
        "extracted"
    log = warehouse.read_frame("SELECT reason, attempts, released_at IS NOT NULL AS released FROM muni.quarantine "
                               "WHERE document_key = %s", [key])
    assert log.rows() == [("timeout", 1, True)]  # the log keeps that it was set aside, and that it was released


def test_scores_show_the_book_read_from_documents_and_the_synthetic_book_apart(pg_instance, muni_resources,
                                                                            warehouse, sample, tmp_path):
    """The UI used to list the synthetic padding as "riskiest" and count buckets under `len`, alphabetically."""
    instance = pg_instance
    folder = muni_resources["muni_drop"].get()
    (folder.root / "first.pdf").write_bytes(sample[0])
    second = generate_issuer(11, 1)
    write_document(second, folder.root / "second.pdf", "classic")
    names_read = {run_document(instance, muni_resources, name)[0]["issuer"].value
                  for name in ("first.pdf", "second.pdf")}
    dg.materialize([muni_risk_model], partition_key=MONTH, instance=instance, resources=muni_resources,
                   run_config=dg.RunConfig({"muni_risk_model": SMALL_MODEL}))
    assert dg.materialize([muni_risk_scores], partition_key=D2.isoformat(), instance=instance,
                          resources=muni_resources,
                          run_config=dg.RunConfig({"muni_risk_scores": ScoringConfig(synthetic_issuers=40)})).success
    [record] = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=muni_risk_scores.key, asset_partitions=[D2.isoformat()]), limit=1).records
    meta = record.asset_materialization.metadata
    stored = warehouse.read_frame("SELECT issuer_name, source FROM muni.risk_scores WHERE session = %s "
                                  "ORDER BY probability DESC, issuer", [D2])
    assert set(stored["source"]) == {"synthetic", "document"}  # one stored book; the riskiest table: documents only

    riskiest = meta["riskiest_from_documents"].value.splitlines()
    assert riskiest[0].startswith("| issuer_name | fiscal_year_end | probability | bucket | top_drivers |")
    by_risk = stored.filter(stored["source"] == "document")["issuer_name"].to_list()
    assert [row.split(" | ")[0].lstrip("| ") for row in riskiest[2:]] == by_risk and set(by_risk) == names_read
    assert meta["issuers_from_documents"].value == 2 and meta["synthetic_book_issuers"].value == 40

    def buckets(table: str) -> list[tuple[str, int]]:
        lines = table[table.index("| bucket |"):].splitlines()
        assert lines[0] == "| bucket | 3-year distress probability | issuers |"
        return [(cells[0], int(cells[-1])) for cells in
                ([c.strip() for c in line.strip("|").split("|")] for line in lines[2:])]

    documents, synthetic = buckets(meta["buckets_from_documents"].value), buckets(
        meta["synthetic_book_buckets"].value)
    assert [label for label, _ in documents] == [label for label, _ in synthetic] == list(BUCKET_LABELS)
    assert sum(n for _, n in documents) == 2 and sum(n for _, n in synthetic) == 40
    assert meta["synthetic_book_buckets"].value.startswith("Synthetic issuers")
