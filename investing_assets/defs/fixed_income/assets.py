"""Muni assets: one partition per dropped report, a monthly model, daily risk scores for the whole book."""

from collections.abc import Iterator

import dagster as dg

from investing_assets.defs.fixed_income.metadata import (
    document_metadata,
    extracted_check_metadata,
    model_metadata,
    quarantine_failure,
    scores_metadata,
)
from investing_assets.defs.fixed_income.resources import DropFolderResource
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import session_results, stored_in
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
from investing_assets.lib.storage.queries.sessions import rows_per_session

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


# Per document partition (a preview in Dagster 1.13), so a bad file's failure stays on its own partition after
# the next good file passes.
EXTRACTED_CHECK = dg.AssetCheckSpec("extracted", asset=keys.MUNI_DOCUMENTS, partitions_def=muni_document,
                                    description="this document was read; fails, with the quarantine reason, "
                                                "until it is")


@dg.asset(partitions_def=muni_document, group_name=GROUP, kinds={"pdf", "postgres"}, metadata=stored_in(names.MUNI_DOCUMENTS),
          check_specs=[EXTRACTED_CHECK],
          description="One municipal annual report from the drop folder: issuer, fiscal year end, scale and "
                      "metrics with page, line and confidence; an unusable file is quarantined with its reason "
                      "and its partition's run fails.")
def muni_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   muni_drop: DropFolderResource) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    outcome = muni.process_partition(context.partition_key, warehouse.get(), muni_drop.get(),
                                     path_hint=context.run.tags.get(PATH_TAG), **muni_drop.limits())
    check = dg.AssetCheckResult(check_name="extracted", passed=outcome.extracted,
                                metadata=extracted_check_metadata(outcome))
    if outcome.extracted:
        yield dg.MaterializeResult(metadata=document_metadata(outcome), check_results=[check])
        return
    # the quarantine is recorded (file, reason note, muni.quarantine row): now the partition fails, not succeeds
    yield check
    raise dg.Failure(description=quarantine_failure(outcome), metadata=document_metadata(outcome),
                     allow_retries=False)


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
                     cache: HotCacheResource):
    sessions, store = sessions_of(context), warehouse.get()
    scores = muni.score_issuers(store, cache.get(), sessions, synthetic_issuers=config.synthetic_issuers)
    if scores.cached is False:
        context.log.warning("Redis not refreshed for muni risk scores; the next run refills it")
    table = names.MUNI_RISK_SCORES
    from_documents = rows_per_session(store, table, sessions, {"source": ["document"]})
    synthetic = rows_per_session(store, table, sessions, {"source": ["synthetic"]})

    def own(session):
        if session == sessions[-1]:  # the book the run scored in full: riskiest, buckets
            return scores_metadata(scores)
        return {"issuers_from_documents": from_documents[session], "synthetic_book_issuers": synthetic[session],
                "model_version": scores.model_version}

    yield from session_results(context.asset_key, sessions, rows_per_session(store, table, sessions), own=own)
