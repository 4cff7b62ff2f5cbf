"""News cadences: every two hours through the trading day, and once after midnight for the window's last hour."""

from __future__ import annotations

from investing_assets.defs.news.jobs import news_ingestion
from investing_assets.defs.shared.schedules import session_schedule

SCHEDULES = [
    session_schedule("news_ingestion_2h", news_ingestion, "0 9-23/2 * * 1-5",
                     description="Every 2 hours from 09:00 on weekdays: today's session's news so far, "
                                 "Monday's including the weekend."),
    session_schedule("news_ingestion_overnight", news_ingestion, "30 0 * * 2-6", previous=True,
                     description="00:30 after each weekday: the previous session's news again, so the "
                                 "last hour of its window (23:00-24:00) is collected too."),
]
