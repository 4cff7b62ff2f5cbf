"""Models: train the bond-risk model on the synthetic issuer panel and keep every version; find the model of a
session's time.

Extracted documents are not added as training rows: a report carries no distress outcome to learn from, so
documents are scored, never learned from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from investing_assets.lib.muni.issuer_panel import generate_panel
from investing_assets.lib.muni.risk_model import TrainedModel, train
from investing_assets.lib.storage.queries import muni as queries
from investing_assets.lib.storage.warehouse import Warehouse


@dataclass(frozen=True)
class PanelSpec:
    """The synthetic panel a model learns from (see issuer_panel for how it is grounded)."""

    issuers: int = 5_000
    years: int = 10
    seed: int = 0


def train_model(warehouse: Warehouse, panel: PanelSpec = PanelSpec(), *, partition_key: str | None = None,
                params: dict[str, Any] | None = None, seed: int = 0, trained_at: dt.datetime | None = None,
                num_threads: int | None = None) -> TrainedModel:
    """Train on the synthetic panel and keep the version in muni.models (every version is kept)."""
    frame = generate_panel(panel.issuers, panel.years, seed=panel.seed)
    model = train(frame, seed=seed, params=params, trained_at=trained_at, num_threads=num_threads)
    store_model(warehouse, model, partition_key=partition_key,
                training_data={"source": "synthetic issuer panel", **asdict(panel), "rows": frame.height,
                               "documents": "not used: extracted reports carry no distress outcome"})
    return model


def store_model(warehouse: Warehouse, model: TrainedModel, *, partition_key: str | None,
                training_data: dict[str, Any]) -> None:
    queries.insert_model(warehouse, {
        "version": model.version, "trained_at": model.trained_at, "partition_key": partition_key,
        "parameters": model.parameters, "features": model.features, "training_data": training_data,
        "auc": model.auc, "brier": model.brier, "base_rate_brier": model.base_rate_brier,
        "calibration": model.calibration, "feature_importance": model.feature_importance,
        "booster": model.booster_bytes, "n_train": model.n_train, "n_test": model.n_test,
        "by_coverage": model.by_coverage,
    })


def latest_model(warehouse: Warehouse, as_of: dt.date | None = None) -> TrainedModel | None:
    """The newest model, or with `as_of` the newest whose month partition is not after that day's month.

    So re-scoring a past session uses the model of its time, not whatever was trained since; when every model
    is newer than the session (e.g. history scored on a fresh install), the oldest one is used.
    """
    month = as_of.replace(day=1).isoformat() if as_of else None
    row = queries.read_latest_model(warehouse, month)
    if row is None:
        return None
    return TrainedModel(version=row["version"], trained_at=row["trained_at"], parameters=row["parameters"],
                        features=list(row["features"]), auc=row["auc"], brier=row["brier"],
                        base_rate_brier=row["base_rate_brier"], calibration=row["calibration"],
                        feature_importance=row["feature_importance"], booster_bytes=bytes(row["booster"]),
                        n_train=row["n_train"], n_test=row["n_test"], by_coverage=list(row["by_coverage"] or []))
