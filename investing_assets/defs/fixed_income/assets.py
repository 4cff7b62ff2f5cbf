"""Muni assets: one partition per dropped report, a monthly model, daily risk scores for the whole book."""

import json
from collections.abc import Iterator, Mapping, Sequence

import dagster as dg
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation

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
PATHS_TAG = "muni/paths"  # a run over several documents: {partition key: path}
# Documents one run reads at most: a run's process start costs several documents' reading.
BATCH_DOCUMENTS = 25



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
          check_specs=[EXTRACTED_CHECK], backfill_policy=dg.BackfillPolicy.multi_run(BATCH_DOCUMENTS),
          description="One municipal annual report from the drop folder: issuer, fiscal year end, scale and "
                      "metrics with page, line and confidence; an unusable file is quarantined with its reason "
                      "and its partition fails. Many dropped at once are read in runs of up to "
                      f"{BATCH_DOCUMENTS}, each document still its own partition with its own metadata and check.")
def muni_documents(context: dg.AssetExecutionContext, warehouse: WarehouseResource,
                   muni_drop: DropFolderResource) -> Iterator[object]:
    paths = document_paths(context.run.tags, context.partition_keys)
    outcomes = {key: muni.process_partition(key, warehouse.get(), muni_drop.get(), path_hint=paths.get(key),
                                            **muni_drop.limits()) for key in context.partition_keys}
    if len(outcomes) == 1:
        yield from _one_document(next(iter(outcomes.values())))
    else:
        yield from _documents(outcomes)


def document_paths(tags: Mapping[str, str], keys: Sequence[str]) -> dict[str, str]:
    """Where the sensor saw each document of the run, by partition key (a hint: the run finds it anyway)."""
    if PATHS_TAG in tags:
        return json.loads(tags[PATHS_TAG])
    return {keys[0]: tags[PATH_TAG]} if PATH_TAG in tags and len(keys) == 1 else {}


def _one_document(outcome: muni.DocumentOutcome) -> Iterator[object]:
    check = dg.AssetCheckResult(check_name="extracted", passed=outcome.extracted,
                                metadata=extracted_check_metadata(outcome))
    if outcome.extracted:
        yield dg.MaterializeResult(metadata=document_metadata(outcome), check_results=[check])
        return
    # the quarantine is recorded (file, reason note, muni.quarantine row): now the partition fails, not succeeds
    yield check
    raise dg.Failure(description=quarantine_failure(outcome), metadata=document_metadata(outcome),
                     allow_retries=False)


def _documents(outcomes: Mapping[str, muni.DocumentOutcome]) -> Iterator[object]:
    """A run over several documents: each partition gets its own materialization (if read) and its own check
    evaluation; a document that was not read fails the run after the others are recorded, so exactly its
    partition shows as failed. The run's own result (which Dagster puts on every partition of the run) comes
    first and only when every document was read, so a later per-document one is what each partition shows."""
    unread = [key for key, outcome in outcomes.items() if not outcome.extracted]
    if not unread:
        summary = {"run_documents": len(outcomes), "run_note": "one run read these documents; each partition's own "
                   "materialization follows"}
        yield dg.MaterializeResult(metadata=summary, check_results=[
            dg.AssetCheckResult(check_name="extracted", passed=True, metadata=summary)])
    for key, outcome in outcomes.items():
        if outcome.extracted:
            yield dg.AssetMaterialization(asset_key=keys.MUNI_DOCUMENTS, partition=key,
                                          metadata=document_metadata(outcome))
        yield AssetCheckEvaluation(asset_key=keys.MUNI_DOCUMENTS, check_name="extracted", passed=outcome.extracted,
                                   partition=key, metadata=extracted_check_metadata(outcome))
    if unread:
        reasons = "; ".join(quarantine_failure(outcomes[key]) for key in unread[:3])
        raise dg.Failure(description=f"{len(unread)} of {len(outcomes)} documents not read: {reasons}",
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
