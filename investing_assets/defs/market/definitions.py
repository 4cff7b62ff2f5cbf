from __future__ import annotations

import dagster as dg

from investing_assets.defs.market import assets, jobs
from investing_assets.defs.market.schedules import build_schedules


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=dg.load_assets_from_modules([assets]),
        jobs=[jobs.pricing_updates, jobs.etf_index_quotes, jobs.commodities_crypto],
        schedules=build_schedules(),
    )
