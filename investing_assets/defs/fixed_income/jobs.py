"""What the fixed-income schedules and the drop-folder sensor launch."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import muni_document, muni_month, trading_day

muni_document_extraction = dg.define_asset_job(
    "muni_document_extraction", selection=dg.AssetSelection.assets(keys.MUNI_DOCUMENTS), partitions_def=muni_document,
    description="Read one dropped report (the drop-folder sensor and the 4-hourly sweep launch it).",
    # a quarantined document fails its run on purpose and would fail again: the sweep re-reads transient ones
    tags={"dagster/retry_on_asset_or_op_failure": "false"},
)
adhoc_bond_risk_training = dg.define_asset_job(
    "adhoc_bond_risk_training", selection=dg.AssetSelection.assets(keys.MUNI_RISK_MODEL), partitions_def=muni_month,
    description="Train a new risk model version on demand; pick the current month as the partition.",
)
monthly_muni_risk_refresh = dg.define_asset_job(
    "monthly_muni_risk_refresh", selection=dg.AssetSelection.assets(keys.MUNI_RISK_MODEL), partitions_def=muni_month,
    description="The monthly model refresh (10th, 00:00 New York).",
)
daily_bond_risk = dg.define_asset_job(
    "daily_bond_risk", selection=dg.AssetSelection.assets(keys.MUNI_RISK_SCORES), partitions_def=trading_day,
    description="Score every issuer with the newest model; refreshes `cache:muni_risk:latest`.",
)

JOBS = [muni_document_extraction, adhoc_bond_risk_training, monthly_muni_risk_refresh, daily_bond_risk]
