"""The market area: universe, constituents, bars, quotes and per-symbol history."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.market import assets
from investing_assets.defs.market.jobs import JOBS
from investing_assets.defs.market.schedules import SCHEDULES


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]), jobs=JOBS, schedules=SCHEDULES)
