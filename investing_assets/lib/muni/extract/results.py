"""What an extraction returns: each figure with the page and line it was read from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

from investing_assets.lib.core.muni_metrics import METRICS


@dataclass(frozen=True)
class ExtractedValue:
    """One figure as stated in the document: `value` in dollars (already multiplied by the page's scale),
    except `population`, which is a head count."""

    metric: str
    value: float
    page: int
    line: str
    confidence: float


@dataclass
class Extraction:
    issuer: str | None
    fiscal_year_end: date | None
    scale: int
    scale_text: str | None
    pages: int
    values: dict[str, ExtractedValue | None] = field(default_factory=dict)

    @property
    def funded_ratio(self) -> float | None:
        """Plan fiduciary net position / total pension liability, only when both are stated."""
        fnp = self.values.get("plan_fiduciary_net_position")
        tpl = self.values.get("total_pension_liability")
        if fnp is None or tpl is None or tpl.value == 0:
            return None
        return fnp.value / tpl.value

    def to_frame(self) -> pl.DataFrame:
        """Long form, one row per metric in METRICS order; a metric the document does not state is a null row."""
        rows = [self.values.get(m) for m in METRICS]
        return pl.DataFrame(
            {
                "metric": list(METRICS),
                "value": [v.value if v else None for v in rows],
                "page": [v.page if v else None for v in rows],
                "line": [v.line if v else None for v in rows],
                "confidence": [v.confidence if v else None for v in rows],
            },
            schema={
                "metric": pl.String,
                "value": pl.Float64,
                "page": pl.Int32,
                "line": pl.String,
                "confidence": pl.Float64,
            },
        )
