"""The code location: the union of each area's definitions, plus project-wide resources and executor."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.demo.definitions import definitions as demo
from investing_assets.defs.fixed_income.definitions import definitions as fixed_income
from investing_assets.defs.fundamentals.definitions import definitions as fundamentals
from investing_assets.defs.market.definitions import definitions as market
from investing_assets.defs.memory.definitions import definitions as memory
from investing_assets.defs.news.definitions import definitions as news
from investing_assets.defs.shared.executors import run_executor
from investing_assets.defs.shared.resources import build_resources
from investing_assets.defs.technicals.definitions import definitions as technicals

AREAS = (market, technicals, fundamentals, news, fixed_income, memory, demo)

# Assets are vectorized over the whole universe, so one process per run beats a process per step; past one
# machine, INVESTING_EXECUTOR=celery sends each step to the Celery workers (defs/shared/executors.py).
defs = dg.Definitions.merge(
    *(area() for area in AREAS),
    dg.Definitions(resources=build_resources(), executor=run_executor()),
)
