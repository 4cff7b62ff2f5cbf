"""The demo area: synthetic-only assets (no jobs or schedules: `make demo` materializes them)."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.demo import assets


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=dg.load_assets_from_modules([assets]))
