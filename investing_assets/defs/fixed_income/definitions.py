from __future__ import annotations

import dagster as dg

from investing_assets.defs.fixed_income import assets, jobs, sensors
from investing_assets.defs.fixed_income.resources import build_drop_folder_resource
from investing_assets.defs.fixed_income.schedules import build_schedules


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[assets.muni_documents, assets.muni_risk_model, assets.muni_risk_scores],
        jobs=[jobs.muni_document_extraction, jobs.adhoc_bond_risk_training, jobs.monthly_muni_risk_refresh,
              jobs.daily_bond_risk],
        schedules=build_schedules(),
        sensors=[sensors.muni_drop_folder],
        resources={"muni_drop": build_drop_folder_resource()},
    )
