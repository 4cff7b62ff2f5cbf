"""News cadences: every two hours from the close to midnight, and once after midnight for the window's last hour.

A session's partition is written only once it has closed (16:00 New York), so the two-hourly runs start at 17:00;
each replaces the session's rows with everything published so far in its window.
"""

from __future__ import annotations

from investing_assets.defs.news.jobs import news_ingestion
from investing_assets.defs.shared.schedules import session_schedule

SCHEDULES = [
    session_schedule("news_ingestion_2h", news_ingestion, "0 17-23/2 * * 1-5",
                     description="Every 2 hours from 17:00 on weekdays (after the close): today's session's news "
                                 "so far, Monday's including the weekend."),
    session_schedule("news_ingestion_overnight", news_ingestion, "30 0 * * 2-6", previous=True,
                     description="00:30 after each weekday: the previous session's news again, so the "
                                 "last hour of its window (23:00-24:00) is collected too."),
]
