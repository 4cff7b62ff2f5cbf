"""What the technical schedules and sensors launch."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import trading_day, watchlist_grid

indicator_updates = dg.define_asset_job(
    "indicator_updates", selection=dg.AssetSelection.assets(keys.INDICATORS), partitions_def=trading_day,
    description="Indicators for one session, after its bars (launched when `pricing_updates` succeeds).",
)
daily_market_scan = dg.define_asset_job(
    "daily_market_scan",
    selection=dg.AssetSelection.assets(keys.CANDLESTICK_PATTERNS, keys.CHART_PATTERNS, keys.TECHNICAL_EVENTS,
                                       keys.SCAN_RESULTS, keys.CORRELATIONS),
    partitions_def=trading_day,
    description="Scan the last session: patterns, events, ranked discoveries, correlations.",
)
watchlist_reports = dg.define_asset_job(
    "watchlist_reports", selection=dg.AssetSelection.assets(keys.WATCHLIST_REPORT), partitions_def=watchlist_grid,
    description="Every watchlist symbol's technical report for one day, as one run.",
)

JOBS = [indicator_updates, daily_market_scan, watchlist_reports]
