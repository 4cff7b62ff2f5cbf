"""Jobs the schedules launch; each covers one of the seed's market deployments."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared.partitions import trading_day

pricing_updates = dg.define_asset_job(
    "pricing_updates", selection=["universe", "daily_bars", "indicators"], partitions_def=trading_day,
    description="Universe, daily bars and indicators for one session (the seed's pricing updates).",
)
etf_index_quotes = dg.define_asset_job(
    "etf_index_quotes", selection=["index_constituents", "index_quotes", "etf_quotes"], partitions_def=trading_day,
    description="Index constituents, index levels and ETF quotes; refreshes the Redis quote caches.",
)
commodities_crypto = dg.define_asset_job(
    "commodities_crypto", selection=["commodity_quotes", "crypto_quotes"], partitions_def=trading_day,
    description="Commodity and crypto quotes; refreshes their Redis caches.",
)
