"""Muni assets: one partition per dropped report, a monthly model, daily risk scores for the whole book."""

import base64

import dagster as dg
import polars as pl

from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared.metadata import markdown_table
from investing_assets.defs.shared.partitions import TIMEZONE, sessions_of, trading_day
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.lib.muni.risk_model import TrainedModel, feature_importance_chart
from investing_assets.lib.services import muni

GROUP = "fixed_income"
PATH_TAG = "muni/path"  # where the sensor saw the file, relative to the drop folder
SHA_TAG = "muni/sha256"

muni_document = dg.DynamicPartitionsDefinition(name="muni_document")
# end_offset=1: the current month is a partition, so the 10th's refresh and an ad-hoc run train "this month".
muni_month = dg.MonthlyPartitionsDefinition(start_date="2025-01-01", timezone=TIMEZONE, end_offset=1)


class TrainingConfig(dg.Config):
    """The synthetic panel the model learns from, and the boosting rounds (None: the library default)."""

    panel_issuers: int = 5_000
    panel_years: int = 10
    panel_seed: int = 0
    seed: int = 0
    num_boost_round: int | None = None


class ScoringConfig(dg.Config):
    synthetic_issuers: int = muni.SYNTHETIC_BOOK_ISSUERS  # 0: score issuers from documents only


@dg.asset(partitions_def=muni_document, group_name=GROUP, kinds={"pdf", "postgres"},
          check_specs=[dg.AssetCheckSpec("extracted", asset="muni_documents",
                                         description="the file was read; a WARN names the quarantine reason")],
          description="One municipal annual report from the drop folder: issuer, fiscal year end, scale and "
                      "metrics with page, line and confidence; an unusable file is quarantined with its reason.")
def muni_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   muni_drop: DropFolderResource) -> dg.MaterializeResult:
    outcome = muni.process_partition(context.partition_key, warehouse.get(), muni_drop.get(),
                                     path_hint=context.run.tags.get(PATH_TAG), **muni_drop.limits())
    if not outcome.extracted:
        context.log.warning(f"{outcome.file_name} quarantined ({outcome.reason}): {outcome.message}")
    check = dg.AssetCheckResult(check_name="extracted", passed=outcome.extracted, severity=dg.AssetCheckSeverity.WARN,
                                metadata={"reason": outcome.reason or "", "message": outcome.message or ""})
    return dg.MaterializeResult(metadata=document_metadata(outcome), check_results=[check])


@dg.asset(partitions_def=muni_month, group_name=GROUP, kinds={"lightgbm", "postgres"},
          description="LightGBM model of 3-year issuer distress, trained on the synthetic panel; every version is "
                      "kept in muni.models with AUC, Brier, calibration and feature importance.")
def muni_risk_model(context: dg.AssetExecutionContext, config: TrainingConfig,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    panel = muni.PanelSpec(config.panel_issuers, config.panel_years, config.panel_seed)
    params = {"num_boost_round": config.num_boost_round} if config.num_boost_round else None
    model = muni.train_model(warehouse.get(), panel, partition_key=context.partition_key, params=params,
                             seed=config.seed)
    return dg.MaterializeResult(metadata=model_metadata(model, panel))


@dg.asset(partitions_def=trading_day, backfill_policy=dg.BackfillPolicy.single_run(), group_name=GROUP,
          kinds={"lightgbm", "postgres", "redis"},
          deps=[dg.AssetDep(muni_risk_model, partition_mapping=dg.TimeWindowPartitionMapping(
                    allow_nonexistent_upstream_partitions=True)),
                dg.AssetDep(muni_documents, partition_mapping=dg.AllPartitionMapping())],
          description="Daily distress probability, rating-like bucket and top drivers for every issuer, from the "
                      "newest model; newest session in Redis `cache:muni_risk:latest`.")
def muni_risk_scores(context: dg.AssetExecutionContext, config: ScoringConfig, warehouse: WarehouseResource,
                     cache: HotCacheResource) -> dg.MaterializeResult:
    scores = muni.score_issuers(warehouse.get(), cache.get(), sessions_of(context),
                                synthetic_issuers=config.synthetic_issuers)
    if scores.cached is False:
        context.log.warning("Redis not refreshed for muni risk scores; the next run refills it")
    return dg.MaterializeResult(metadata=scores_metadata(scores))


# -- metadata ---------------------------------------------------------------------------------------------------
def document_metadata(outcome: muni.DocumentOutcome) -> dict[str, object]:
    meta: dict[str, object] = {"status": outcome.status, "file": outcome.file_name,
                               "sha256": outcome.sha256 or "", "seconds": round(outcome.seconds, 2)}
    if outcome.stored_path:
        meta["stored_at"] = dg.MetadataValue.path(str(outcome.stored_path))
    if outcome.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in outcome.notes))
    ex = outcome.extraction
    if ex is None:
        meta.update(reason=outcome.reason or "", message=outcome.message or "")
        if outcome.reason_file:
            meta["reason_file"] = dg.MetadataValue.path(str(outcome.reason_file))
        return meta
    table = ex.to_frame().with_columns(
        pl.when(pl.col("value").is_null()).then(pl.lit("(not stated)"))
        .otherwise(pl.col("line").str.replace_all("|", "/", literal=True)).alias("line"))
    stated = table.filter(pl.col("value").is_not_null()).height
    meta.update({
        "issuer": ex.issuer or "(not found)",
        "fiscal_year_end": ex.fiscal_year_end.isoformat() if ex.fiscal_year_end else "(not found)",
        "scale": ex.scale, "scale_text": ex.scale_text or "(none printed: whole dollars)", "pages": ex.pages,
        "metrics_stated": f"{stated} of {table.height}",
        "funded_ratio": ex.funded_ratio if ex.funded_ratio is not None else "(not stated)",
        "metrics": dg.MetadataValue.md(markdown_table(table, max_rows=table.height)),
        "dagster/row_count": table.height,
    })
    return meta


def model_metadata(model: TrainedModel, panel: muni.PanelSpec) -> dict[str, object]:
    chart = base64.b64encode(feature_importance_chart(model)).decode()
    calibration = pl.DataFrame(model.calibration).select("bin", "mean_predicted", "observed_rate", "count")
    return {
        "version": model.version,
        "auc": dg.MetadataValue.float(model.auc),
        "brier": dg.MetadataValue.float(model.brier),
        "base_rate_brier": dg.MetadataValue.float(model.base_rate_brier),
        "brier_skill": dg.MetadataValue.float(1 - model.brier / model.base_rate_brier),
        "n_train": model.n_train, "n_test": model.n_test,
        "training_panel": f"{panel.issuers:,} synthetic issuers x {panel.years} years (seed {panel.seed})",
        "calibration": dg.MetadataValue.md(markdown_table(calibration)),
        "feature_importance": dg.MetadataValue.md(f"![feature importance](data:image/png;base64,{chart})"),
    }


def scores_metadata(scores: muni.Scores) -> dict[str, object]:
    buckets = scores.frame.group_by("bucket").len().sort("bucket") if scores.frame.height else pl.DataFrame()
    riskiest = scores.frame.head(15).with_columns(pl.col("top_drivers").list.join(", "))
    meta: dict[str, object] = {
        "dagster/row_count": scores.rows,
        "sessions": len(scores.sessions),
        "model_version": scores.model_version,
        "issuers_from_documents": scores.documents,
        "synthetic_issuers": scores.synthetic,
        "cache_refreshed": "skipped: not the newest session" if scores.cached is None else scores.cached,
    }
    if buckets.height:
        meta["buckets"] = dg.MetadataValue.md(markdown_table(buckets))
        meta["riskiest"] = dg.MetadataValue.md(markdown_table(
            riskiest.select("issuer", "issuer_name", "source", "probability", "bucket", "top_drivers")))
    return meta
