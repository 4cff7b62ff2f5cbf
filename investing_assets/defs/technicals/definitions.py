"""The technicals area: indicators, the daily scan, correlations and chart reports."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.technicals import assets
from investing_assets.defs.technicals.jobs import JOBS
from investing_assets.defs.technicals.schedules import SCHEDULES
from investing_assets.defs.technicals.sensors import indicators_after_pricing


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]), jobs=JOBS, schedules=SCHEDULES,
                          sensors=[indicators_after_pricing])
