from __future__ import annotations

import dagster as dg

from investing_assets.defs.fundamentals.assets import analyst_estimates
from investing_assets.defs.fundamentals.industry import industry_aggregation
from investing_assets.defs.market.schedules import session_schedule
from investing_assets.defs.shared.partitions import trading_day

analyst_estimates_job = dg.define_asset_job(
    "analyst_estimates_update", selection=[analyst_estimates], partitions_def=trading_day,
    description="The analyst consensus snapshot for one session.",
)
industry_aggregation_job = dg.define_asset_job(
    "industry_aggregation_update", selection=[industry_aggregation], partitions_def=trading_day,
    description="Sector and industry aggregates and index valuations for one session.",
)


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[analyst_estimates, industry_aggregation],
        jobs=[analyst_estimates_job, industry_aggregation_job],
        schedules=[
            session_schedule("analyst_estimates_daily", analyst_estimates_job, "0 2 * * 2-6", previous=True,
                             description="02:00 after each weekday: the consensus as of the session that closed "
                                         "the evening before."),
            session_schedule("industry_aggregation_daily", industry_aggregation_job, "0 4 * * 2-6", previous=True,
                             description="04:00 after each weekday: aggregates of the session closed the evening "
                                         "before, after its estimates (02:00)."),
        ],
    )
