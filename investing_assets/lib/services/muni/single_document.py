"""One document scored without Dagster and without writing anything (the `investing muni score` command)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import psycopg

from investing_assets.lib.muni.coverage import Coverage, coverage
from investing_assets.lib.muni.extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    Extraction,
    extract_with_timeout,
)
from investing_assets.lib.muni.issuer_panel import FEATURES, features_from_metrics, generate_panel
from investing_assets.lib.muni.risk_model import ISSUER_ID, TrainedModel, explain, score, train
from investing_assets.lib.services.muni.documents import DEFAULT_TIMEOUT_S
from investing_assets.lib.services.muni.models import PanelSpec, latest_model
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass
class DocumentScore:
    extraction: Extraction
    features: dict[str, float | None]
    coverage: Coverage
    probability: float | None  # None when the inputs are below the published minimum
    bucket: str | None
    drivers: list[dict[str, Any]] = field(default_factory=list)  # feature, value, contribution, direction
    model_version: str = ""
    model_origin: str = ""  # where the model came from, in words
    # the model's held-out AUC and Brier at this score's coverage level: how much the score can be trusted
    held_out_at_level: dict[str, Any] | None = None

    @property
    def status(self) -> str:
        return self.coverage.status

    def to_dict(self) -> dict[str, Any]:
        """The whole result, JSON-ready: figures with pages and reasons, features, coverage and the score."""
        return {
            "extraction": self.extraction.to_dict(),
            "features": {name: _finite(v) for name, v in self.features.items()},
            "coverage": self.coverage.to_dict(),
            "score": {"status": self.status, "probability": self.probability, "bucket": self.bucket,
                      "coverage_level": self.coverage.level, "held_out_at_level": self.held_out_at_level,
                      "drivers": self.drivers},
            "model": {"version": self.model_version, "origin": self.model_origin},
        }


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def score_document(path: str | Path, warehouse: Warehouse | None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                   max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES,
                   max_memory_mb: int = DEFAULT_MAX_MEMORY_MB, why_no_warehouse: str | None = None) -> DocumentScore:
    """Extract one report and score it with the newest stored model, else a model trained here and now.

    Below the inputs' minimum (`coverage`) no probability is published and no model is needed. Raises
    DocumentRejected for an unusable file. Nothing is written.
    """
    extraction = extract_with_timeout(Path(path), timeout_s, max_bytes=max_bytes, max_pages=max_pages,
                                      max_memory_mb=max_memory_mb)
    features = features_from_metrics({m: (v.value if v else None) for m, v in extraction.values.items()})
    covered = coverage(features)
    if not covered.sufficient:
        return DocumentScore(extraction, features, covered, None, None)
    model, origin = _model_for_cli(warehouse, why_no_warehouse)
    row = pl.DataFrame({ISSUER_ID: [extraction.issuer or Path(path).name],
                        **{name: pl.Series([features.get(name)], dtype=pl.Float64) for name in FEATURES}})
    result = score(model, row).row(0, named=True)
    return DocumentScore(extraction, features, covered, result["probability"], result["bucket"],
                         explain(model, features), model.version, origin, model.at_level(covered.level))


def _model_for_cli(warehouse: Warehouse | None, why_no_warehouse: str | None) -> tuple[TrainedModel, str]:
    if warehouse is None:
        why = why_no_warehouse or "no warehouse configured (INVESTING_PG_URL unset)"
    else:
        try:
            stored = latest_model(warehouse)
        except psycopg.Error as exc:
            why = f"warehouse unavailable ({type(exc).__name__})"
        else:
            if stored is not None:
                return stored, f"latest stored model in muni.models, trained {stored.trained_at:%Y-%m-%d %H:%M} UTC"
            why = "muni.models holds no model yet"
    spec = PanelSpec(issuers=3_000)
    model = train(generate_panel(spec.issuers, spec.years, seed=spec.seed), seed=0)
    return model, (f"trained on the spot on the synthetic panel ({spec.issuers:,} issuers x {spec.years} years, "
                   f"held-out AUC {model.auc:.3f}) because {why}; not stored")
