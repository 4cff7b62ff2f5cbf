"""The news area: company news per session."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.news import assets
from investing_assets.defs.news.jobs import JOBS
from investing_assets.defs.news.schedules import SCHEDULES


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]), jobs=JOBS, schedules=SCHEDULES)
