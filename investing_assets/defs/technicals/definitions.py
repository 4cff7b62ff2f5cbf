from __future__ import annotations

import dagster as dg

from investing_assets.defs.technicals import assets, reports, scan
from investing_assets.defs.technicals.schedules import build_schedules, daily_market_scan


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[assets.indicators, scan.daily_scan, scan.correlations, reports.technical_report,
                reports.watchlist_report, reports.demo_planted_patterns],
        jobs=[daily_market_scan],
        schedules=build_schedules(),
    )
