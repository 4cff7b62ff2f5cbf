"""What a partition write did: the one result type every service returns and every face reports."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl


@dataclass
class Written:
    """Rows and sessions written, whether the hot cache was refreshed (None: no cache involved), notes for
    the run log, a preview of the newest rows, and per column the values written as null because their
    input was too short (e.g. an indicator whose window holds less history than it needs)."""

    rows: int
    sessions: int
    cached: bool | None = None
    notes: list[str] = field(default_factory=list)
    preview: pl.DataFrame | None = None
    null_counts: dict[str, int] = field(default_factory=dict)
