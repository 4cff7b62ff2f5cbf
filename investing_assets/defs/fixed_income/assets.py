"""Muni assets: one partition per dropped report, a monthly model, daily risk scores for the whole book."""


import dagster as dg

from investing_assets.defs.fixed_income.metadata import document_metadata, model_metadata, scores_metadata
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import stored_in
from investing_assets.defs.shared.partitions import (
    SINGLE_RUN,
    muni_document,
    muni_month,
    sessions_of,
    trading_day,
)
from investing_assets.defs.shared.resources import HotCacheResource, WarehouseResource
from investing_assets.lib.services import muni
from investing_assets.lib.storage import names

GROUP = "fixed_income"
PATH_TAG = "muni/path"  # where the sensor saw the file, relative to the drop folder
SHA_TAG = "muni/sha256"



class TrainingConfig(dg.Config):
    """The synthetic panel the model learns from, and the boosting rounds (None: the library default)."""

    panel_issuers: int = 5_000
    panel_years: int = 10
    panel_seed: int = 0
    seed: int = 0
    num_boost_round: int | None = None


class ScoringConfig(dg.Config):
    synthetic_issuers: int = muni.SYNTHETIC_BOOK_ISSUERS  # 0: score issuers from documents only


@dg.asset(partitions_def=muni_document, group_name=GROUP, kinds={"pdf", "postgres"}, metadata=stored_in(names.MUNI_DOCUMENTS),
          check_specs=[dg.AssetCheckSpec("extracted", asset=keys.MUNI_DOCUMENTS,
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


@dg.asset(partitions_def=muni_month, group_name=GROUP, kinds={"lightgbm", "postgres"}, metadata=stored_in(names.MUNI_MODELS),
          description="LightGBM model of 3-year issuer distress, trained on the synthetic panel; every version is "
                      "kept in muni.models with AUC, Brier, calibration and feature importance.")
def muni_risk_model(context: dg.AssetExecutionContext, config: TrainingConfig,
                    warehouse: WarehouseResource) -> dg.MaterializeResult:
    panel = muni.PanelSpec(config.panel_issuers, config.panel_years, config.panel_seed)
    params = {"num_boost_round": config.num_boost_round} if config.num_boost_round else None
    model = muni.train_model(warehouse.get(), panel, partition_key=context.partition_key, params=params,
                             seed=config.seed)
    return dg.MaterializeResult(metadata=model_metadata(model, panel))


@dg.asset(partitions_def=trading_day, backfill_policy=SINGLE_RUN, group_name=GROUP,
          kinds={"lightgbm", "postgres", "redis"}, metadata=stored_in(names.MUNI_RISK_SCORES),
          deps=[dg.AssetDep(keys.MUNI_RISK_MODEL, partition_mapping=dg.TimeWindowPartitionMapping(
                    allow_nonexistent_upstream_partitions=True)),
                dg.AssetDep(keys.MUNI_DOCUMENTS, partition_mapping=dg.AllPartitionMapping())],
          description="Daily distress probability, rating-like bucket and top drivers for every issuer, from the "
                      "newest model; newest session in Redis `cache:muni_risk:latest`.")
def muni_risk_scores(context: dg.AssetExecutionContext, config: ScoringConfig, warehouse: WarehouseResource,
                     cache: HotCacheResource) -> dg.MaterializeResult:
    scores = muni.score_issuers(warehouse.get(), cache.get(), sessions_of(context),
                                synthetic_issuers=config.synthetic_issuers)
    if scores.cached is False:
        context.log.warning("Redis not refreshed for muni risk scores; the next run refills it")
    return dg.MaterializeResult(metadata=scores_metadata(scores))
