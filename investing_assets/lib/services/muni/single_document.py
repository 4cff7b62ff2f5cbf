"""One document scored without Dagster and without writing anything (the `investing muni score` command)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
import psycopg

from investing_assets.lib.muni.extract import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    Extraction,
    extract_with_timeout,
)
from investing_assets.lib.muni.issuer_panel import FEATURES, features_from_metrics, generate_panel
from investing_assets.lib.muni.risk_model import ISSUER_ID, TrainedModel, score, train
from investing_assets.lib.services.muni.documents import DEFAULT_TIMEOUT_S
from investing_assets.lib.services.muni.models import PanelSpec, latest_model
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass
class DocumentScore:
    extraction: Extraction
    features: dict[str, float | None]
    probability: float
    bucket: str
    drivers: list[str]
    model_version: str
    model_origin: str  # where the model came from, in words


def score_document(path: str | Path, warehouse: Warehouse | None, *, timeout_s: float = DEFAULT_TIMEOUT_S,
                   max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES,
                   max_memory_mb: int = DEFAULT_MAX_MEMORY_MB) -> DocumentScore:
    """Extract one report and score it with the newest stored model, else a model trained here and now.

    Raises DocumentRejected for an unusable file. Nothing is written.
    """
    extraction = extract_with_timeout(Path(path), timeout_s, max_bytes=max_bytes, max_pages=max_pages,
                                      max_memory_mb=max_memory_mb)
    model, origin = _model_for_cli(warehouse)
    features = features_from_metrics({m: (v.value if v else None) for m, v in extraction.values.items()})
    row = pl.DataFrame({ISSUER_ID: [extraction.issuer or Path(path).name],
                        **{name: pl.Series([features.get(name)], dtype=pl.Float64) for name in FEATURES}})
    result = score(model, row).row(0, named=True)
    return DocumentScore(extraction, features, result["probability"], result["bucket"], result["top_drivers"],
                         model.version, origin)


def _model_for_cli(warehouse: Warehouse | None) -> tuple[TrainedModel, str]:
    if warehouse is None:
        why = "no warehouse configured (INVESTING_PG_URL unset)"
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
