"""Jobs for the seed's fixed-income deployments."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.fixed_income.assets import muni_document, muni_month
from investing_assets.defs.shared.partitions import trading_day

muni_document_extraction = dg.define_asset_job(
    "muni_document_extraction", selection=["muni_documents"], partitions_def=muni_document,
    description="Read one dropped report (the drop-folder sensor and the 4-hourly sweep launch it).",
)
adhoc_bond_risk_training = dg.define_asset_job(
    "adhoc_bond_risk_training", selection=["muni_risk_model"], partitions_def=muni_month,
    description="Train a new risk model version on demand; pick the current month as the partition.",
)
monthly_muni_risk_refresh = dg.define_asset_job(
    "monthly_muni_risk_refresh", selection=["muni_risk_model"], partitions_def=muni_month,
    description="The monthly model refresh (10th, 00:00 New York).",
)
daily_bond_risk = dg.define_asset_job(
    "daily_bond_risk", selection=["muni_risk_scores"], partitions_def=trading_day,
    description="Score every issuer with the newest model; refreshes `cache:muni_risk:latest`.",
)
