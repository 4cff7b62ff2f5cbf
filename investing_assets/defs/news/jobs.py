"""What the news schedules launch."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.partitions import trading_day

news_ingestion = dg.define_asset_job(
    "news_ingestion", selection=dg.AssetSelection.assets(keys.NEWS_ARTICLES), partitions_def=trading_day,
    description="The session's news so far (re-run through the day; each run replaces the session's rows).",
)

JOBS = [news_ingestion]
