"""The fixed-income area: muni documents from the drop folder, the risk model and daily scores."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.fixed_income import assets
from investing_assets.defs.fixed_income.jobs import JOBS
from investing_assets.defs.fixed_income.resources import build_drop_folder_resource
from investing_assets.defs.fixed_income.schedules import SCHEDULES
from investing_assets.defs.fixed_income.sensors import muni_drop_folder


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]), jobs=JOBS, schedules=SCHEDULES,
                          sensors=[muni_drop_folder], resources={"muni_drop": build_drop_folder_resource()})
