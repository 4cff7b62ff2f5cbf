"""The fundamentals area: analyst estimates, industry aggregates, index valuations, SEC EDGAR filings and the IBKR
fundamentals."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.fundamentals import assets, ibkr, sec
from investing_assets.defs.fundamentals.jobs import JOBS
from investing_assets.defs.fundamentals.schedules import SCHEDULES


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=[*dg.load_assets_from_modules([assets, sec]), ibkr.ibkr_fundamentals],
                          jobs=[*JOBS, *ibkr.JOBS], schedules=[*SCHEDULES, *ibkr.SCHEDULES])
