"""What an extraction returns: each figure with the page and line it was read from, and each gap with why."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from investing_assets.lib.core.muni_metrics import METRICS

NOT_STATED = "not_stated"  # searched the sections where the figure would be printed; no line states it
NOT_RECOGNISED = "not_recognised"  # a line that looks like it was found, but no figure could be read off it
MISSING_REASONS = (NOT_STATED, NOT_RECOGNISED)
LINES = "  "  # joins the printed lines a value was read from (a heading and its rows): only printed words


@dataclass(frozen=True)
class ExtractedValue:
    """One figure as stated in the document: `value` in dollars (already multiplied by the page's scale),
    except `population` (a head count) and the funded ratios (a fraction). `basis` says how it was found
    ("row", "heading", "section sum", "sum" ...) and `checks` which arithmetic it was verified by."""

    metric: str
    value: float
    page: int
    line: str
    confidence: float
    basis: str = "row"
    checks: tuple[str, ...] = ()

    def adjusted(self, confidence: float, check: str | None = None) -> ExtractedValue:
        checks = self.checks + ((check,) if check and check not in self.checks else ())
        return replace(self, confidence=round(min(max(confidence, 0.0), 1.0), 3), checks=checks)


@dataclass(frozen=True)
class Missing:
    """Why a metric has no value: `not_stated`, or `not_recognised` with the candidate line and its page."""

    metric: str
    reason: str
    page: int | None = None
    candidate: str | None = None
    searched: str = ""  # where it was looked for, in words

    def __post_init__(self) -> None:
        if self.reason not in MISSING_REASONS:
            raise ValueError(f"unknown reason {self.reason!r}")


@dataclass(frozen=True)
class Provenance:
    """Where a document-level fact (the fiscal year end) was read."""

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
    missing: dict[str, Missing] = field(default_factory=dict)
    fiscal_year_end_source: Provenance | None = None

    @property
    def funded_ratio(self) -> float | None:
        """Plan fiduciary net position / total pension liability, only when both are stated."""
        fnp = self.values.get("plan_fiduciary_net_position")
        tpl = self.values.get("total_pension_liability")
        if fnp is None or tpl is None or tpl.value == 0:
            return None
        return fnp.value / tpl.value

    def to_frame(self) -> pl.DataFrame:
        """Long form, one row per metric in METRICS order; a metric without a value is a null row with its
        reason and, when not recognised, the candidate line ("p. 47: ...")."""
        rows = [self.values.get(m) for m in METRICS]
        gaps = [None if v else self.missing.get(m) for m, v in zip(METRICS, rows, strict=True)]
        return pl.DataFrame(
            {
                "metric": list(METRICS),
                "value": [v.value if v else None for v in rows],
                "page": [v.page if v else None for v in rows],
                "line": [v.line if v else None for v in rows],
                "confidence": [v.confidence if v else None for v in rows],
                "reason": [(g.reason if g else NOT_STATED) if v is None else None for v, g in zip(rows, gaps, strict=True)],
                "candidate": [_candidate_text(g) for g in gaps],
            },
            schema={
                "metric": pl.String,
                "value": pl.Float64,
                "page": pl.Int32,
                "line": pl.String,
                "confidence": pl.Float64,
                "reason": pl.String,
                "candidate": pl.String,
            },
        )

    def to_dict(self) -> dict[str, object]:
        """Everything found, JSON-ready: values with page, line, confidence and checks; gaps with reasons."""
        values: dict[str, object] = {}
        for metric in METRICS:
            v = self.values.get(metric)
            if v is not None:
                values[metric] = {"value": v.value, "page": v.page, "line": v.line, "confidence": v.confidence,
                                  "basis": v.basis, "checks": list(v.checks)}
            else:
                gap = self.missing.get(metric) or Missing(metric, NOT_STATED)
                values[metric] = {"value": None, "reason": gap.reason, "page": gap.page,
                                  "candidate": gap.candidate, "searched": gap.searched}
        fye = self.fiscal_year_end_source
        return {
            "issuer": self.issuer,
            "fiscal_year_end": {
                "value": self.fiscal_year_end.isoformat() if self.fiscal_year_end else None,
                "page": fye.page if fye else None, "line": fye.line if fye else None,
                "confidence": fye.confidence if fye else None,
            },
            "scale": self.scale,
            "scale_text": self.scale_text,
            "pages": self.pages,
            "values": values,
            "funded_ratio": self.funded_ratio,
        }


def _candidate_text(gap: Missing | None) -> str | None:
    if gap is None or gap.candidate is None:
        return None
    return f"p. {gap.page}: {gap.candidate}" if gap.page else gap.candidate
