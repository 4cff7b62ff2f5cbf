"""The demo market's planted chart patterns, stored as the ground truth the detectors are measured against."""

from __future__ import annotations

import polars as pl

from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.sources.protocol import BarSource, PlantedPatternSource, declared
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import planted_pattern_symbols
from investing_assets.lib.storage.warehouse import Warehouse, json_column


def write_planted_patterns(source: BarSource, warehouse: Warehouse) -> int | None:
    """The patterns planted in the bars (the demo's ground truth); None when the bars' source plants none (every
    real source)."""
    planted = declared(source, Dataset.PLANTED_PATTERNS, PlantedPatternSource)
    if planted is None:
        return None
    frame = json_column(planted.planted_patterns(), "key_points").with_columns(source=pl.lit(source.name))
    # every symbol planted now or before: a symbol no longer planted loses its rows in the same transaction
    symbols = sorted(set(frame.get_column("symbol").to_list()) | set(planted_pattern_symbols(warehouse)))
    if symbols:
        warehouse.replace_rows(names.DEMO_PLANTED_PATTERNS, frame, {"symbol": symbols})
    return frame.height
