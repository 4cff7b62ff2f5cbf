"""What the fundamentals schedules launch."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import sec_week, trading_day

analyst_estimates_update = dg.define_asset_job(
    "analyst_estimates_update", selection=dg.AssetSelection.assets(keys.ANALYST_ESTIMATES),
    partitions_def=trading_day, description="The analyst consensus snapshot for one session.",
)
industry_aggregation_update = dg.define_asset_job(
    "industry_aggregation_update",
    selection=dg.AssetSelection.assets(keys.INDUSTRY_AGGREGATES, keys.INDEX_VALUATIONS, keys.TRAILING_VALUATIONS),
    partitions_def=trading_day,
    description="Sector and industry aggregates, index valuations and per-symbol trailing valuations for one "
                "session.",
)

sec_weekly_ingest = dg.define_asset_job(
    "sec_weekly_ingest",
    selection=dg.AssetSelection.assets(keys.SEC_FILING_INDEX, keys.SEC_RAW_FACTS, keys.SEC_FINANCIALS),
    partitions_def=sec_week,
    description="The week's SEC EDGAR archives: ticker map and filing index, raw facts, standardized financials.",
)
sec_financials_reprocess = dg.define_asset_job(
    "sec_financials_reprocess", selection=dg.AssetSelection.assets(keys.SEC_FINANCIALS), partitions_def=sec_week,
    description="Rebuild the standardized financials from the stored raw SEC facts, downloading nothing (after a "
                "change of the tag map or the standardization; any week's partition).",
)

JOBS = [analyst_estimates_update, industry_aggregation_update, sec_weekly_ingest, sec_financials_reprocess]
