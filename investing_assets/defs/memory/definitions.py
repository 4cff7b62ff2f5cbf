"""The memory area: model memory synced between Redis and PostgreSQL."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.memory import assets
from investing_assets.defs.memory.jobs import JOBS
from investing_assets.defs.memory.schedules import SCHEDULES


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]), jobs=JOBS, schedules=SCHEDULES)
