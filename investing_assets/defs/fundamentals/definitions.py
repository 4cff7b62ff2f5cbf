from __future__ import annotations

import dagster as dg

from investing_assets.defs.fundamentals.assets import analyst_estimates
from investing_assets.defs.market.schedules import session_schedule
from investing_assets.defs.shared.partitions import trading_day

analyst_estimates_job = dg.define_asset_job(
    "analyst_estimates_update", selection=[analyst_estimates], partitions_def=trading_day,
    description="The analyst consensus snapshot for one session.",
)


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[analyst_estimates],
        jobs=[analyst_estimates_job],
        schedules=[session_schedule("analyst_estimates_daily", analyst_estimates_job, "0 2 * * 2-6", previous=True,
                                    description="02:00 after each weekday: the consensus as of the session that "
                                                "closed the evening before.")],
    )
