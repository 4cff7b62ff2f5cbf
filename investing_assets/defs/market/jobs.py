"""What the market schedules launch: one session of prices, quotes and constituents."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import trading_day

pricing_updates = dg.define_asset_job(
    "pricing_updates", selection=dg.AssetSelection.assets(keys.UNIVERSE, keys.DAILY_BARS, keys.CORPORATE_ACTIONS),
    partitions_def=trading_day,
    description="Universe, daily bars and corporate actions for one session; the indicators follow when it succeeds.",
)
etf_index_quotes = dg.define_asset_job(
    "etf_index_quotes",
    selection=dg.AssetSelection.assets(keys.INDEX_CONSTITUENTS, keys.INDEX_QUOTES, keys.ETF_QUOTES,
                                       keys.ETF_HOLDINGS),
    partitions_def=trading_day,
    description="Index constituents, index levels, ETF quotes and holdings; refreshes their Redis caches.",
)
commodities_crypto = dg.define_asset_job(
    "commodities_crypto",
    selection=dg.AssetSelection.assets(keys.COMMODITY_QUOTES, keys.CRYPTO_QUOTES, keys.FX_QUOTES),
    partitions_def=trading_day,
    description="Commodity, crypto and currency quotes (markets that trade around the clock); refreshes their Redis "
                "caches.",
)

JOBS = [pricing_updates, etf_index_quotes, commodities_crypto]
