from __future__ import annotations

import dagster as dg

from investing_assets.defs.market.schedules import session_schedule
from investing_assets.defs.news.assets import news_articles
from investing_assets.defs.shared.partitions import trading_day

news_ingestion_job = dg.define_asset_job(
    "news_ingestion", selection=[news_articles], partitions_def=trading_day,
    description="The session's news so far (re-run through the day; each run replaces the session's rows).",
)


def definitions() -> dg.Definitions:
    return dg.Definitions(
        assets=[news_articles],
        jobs=[news_ingestion_job],
        schedules=[
            session_schedule("news_ingestion_2h", news_ingestion_job, "0 9-23/2 * * 1-5",
                             description="Every 2 hours from 09:00 on weekdays: today's session's news so far, "
                                         "Monday's including the weekend."),
            session_schedule("news_ingestion_overnight", news_ingestion_job, "30 0 * * 2-6", previous=True,
                             description="00:30 after each weekday: the previous session's news again, so the "
                                         "last hour of its window (23:00-24:00) is collected too."),
        ],
    )
