"""The nightly model-memory sync, at 02:00 New York every day (the memory changes on holidays too)."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.memory.jobs import model_memory_sync
from investing_assets.lib.core import calendar

SCHEDULES = [
    dg.ScheduleDefinition(name="model_memory_sync", job=model_memory_sync, cron_schedule="0 2 * * *",
                          execution_timezone=calendar.TIMEZONE,
                          description="02:00 every day: model memory from Redis to PostgreSQL and back."),
]
