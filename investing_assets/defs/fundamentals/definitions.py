"""The fundamentals area: analyst estimates, industry aggregates and index valuations, SEC EDGAR filings."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.fundamentals import assets, sec
from investing_assets.defs.fundamentals.jobs import JOBS
from investing_assets.defs.fundamentals.schedules import SCHEDULES


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets, sec]), jobs=JOBS, schedules=SCHEDULES)
