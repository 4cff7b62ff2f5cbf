"""LightGBM model of 3-year muni issuer distress: training, versioning, scoring, and reporting.

Plain library code (no Dagster) so the assets, the bench and the tests share one
implementation. Metrics are computed with numpy rather than pulling in scikit-learn
for three short formulas.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import lightgbm as lgb
import numpy as np
import polars as pl

from investing_assets.lib.muni.coverage import LEVEL_LABELS, level_for
from investing_assets.lib.muni.issuer_panel import FEATURES

LABEL = "distress_3y"
ISSUER_ID = "issuer_id"
N_TOP_DRIVERS = 3
N_CALIBRATION_BINS = 10

# Rating-like buckets by 3-year distress probability: (label, exclusive upper bound).
# Ordinal labels on the model's scale, not agency ratings. With a ~3% panel base rate the
# A/Baa boundary sits near average risk, Baa ends at twice it, and Ba ends where roughly one
# issuer in seven is expected to become distressed within three years.
BUCKETS: tuple[tuple[str, float], ...] = (
    ("Aaa/Aa", 0.005),
    ("A", 0.02),
    ("Baa", 0.06),
    ("Ba", 0.15),
    ("B or below", float("inf")),
)
BUCKET_LABELS: tuple[str, ...] = tuple(label for label, _ in BUCKETS)

# Small trees, large leaves and L2 keep a rare label from being memorised (these beat 15-leaf
# trees on held-out AUC and Brier for the synthetic panel); no class
# reweighting (is_unbalance / scale_pos_weight), because that would wreck calibration and the
# Brier score, and the probabilities are what downstream users read.
DEFAULT_PARAMS: dict[str, Any] = {
    "objective": "binary",
    "learning_rate": 0.03,
    "num_boost_round": 300,
    "num_leaves": 7,
    "max_depth": -1,
    "min_data_in_leaf": 200,
    "lambda_l2": 5.0,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "max_bin": 255,
    "deterministic": True,
    "force_row_wise": True,
    "verbosity": -1,
}


@dataclass
class TrainedModel:
    version: str
    trained_at: datetime
    parameters: dict[str, Any]
    features: list[str]
    auc: float
    brier: float
    base_rate_brier: float  # Brier of predicting the training base rate for every test row
    calibration: list[dict[str, float]]  # decile bins over the held-out predictions
    feature_importance: dict[str, float]  # total gain
    booster_bytes: bytes = field(repr=False)  # Booster.model_to_string(), UTF-8
    n_train: int
    n_test: int
    # held-out AUC and Brier per coverage level (coverage.LEVEL_LABELS order): a score resting on fewer inputs
    # is less certain, and this says by how much
    by_coverage: list[dict[str, Any]] = field(default_factory=list)

    def at_level(self, level: str) -> dict[str, Any] | None:
        return next((row for row in self.by_coverage if row["level"] == level), None)


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Mann-Whitney AUC with tied scores sharing their average rank."""
    labels = np.asarray(labels).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    n_pos = int(labels.sum())
    n_neg = labels.size - n_pos
    if n_pos == 0 or n_neg == 0:
        return float("nan")
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1
    average_rank = first_rank + (counts - 1) / 2.0
    rank_sum = average_rank[inverse][labels].sum()
    return float((rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def brier_score(labels: np.ndarray, probabilities: np.ndarray) -> float:
    return float(np.mean((np.asarray(probabilities, dtype=np.float64) - np.asarray(labels)) ** 2))


def calibration_table(
    labels: np.ndarray, probabilities: np.ndarray, bins: int = N_CALIBRATION_BINS
) -> list[dict[str, float]]:
    """Equal-count bins by predicted probability, so every bin has enough rows for a rare label."""
    order = np.argsort(probabilities, kind="stable")
    table = []
    for number, index in enumerate(np.array_split(order, min(bins, max(len(order), 1)))):
        if index.size == 0:
            continue
        predicted = probabilities[index]
        table.append(
            {
                "bin": number + 1,
                "min_predicted": float(predicted.min()),
                "max_predicted": float(predicted.max()),
                "mean_predicted": float(predicted.mean()),
                "observed_rate": float(np.mean(labels[index])),
                "count": int(index.size),
            }
        )
    return table


def panel_fingerprint(panel: pl.DataFrame) -> str:
    """Content hash of a panel that, unlike `DataFrame.hash_rows`, is stable across polars versions."""
    digest = hashlib.sha256(f"{panel.columns}|{panel.height}".encode())
    for name in panel.columns:
        column = panel[name]
        if column.dtype.is_numeric():
            digest.update(column.cast(pl.Float64).to_numpy().tobytes())
        else:
            digest.update("\x1f".join("\x00" if v is None else str(v) for v in column.to_list()).encode())
    return digest.hexdigest()


def version_for(trained_at: datetime, params: dict[str, Any], panel_fingerprint: str) -> str:
    """Sortable by training time, and distinct whenever parameters or training data differ."""
    if trained_at.tzinfo is None:
        trained_at = trained_at.replace(tzinfo=UTC)
    payload = json.dumps(params, sort_keys=True, default=str) + "|" + panel_fingerprint
    return f"{trained_at.astimezone(UTC):%Y%m%dT%H%M%SZ}-{hashlib.sha256(payload.encode()).hexdigest()[:10]}"


def split_issuers(issuer_ids: pl.Series, *, test_fraction: float, seed: int) -> set[str]:
    """Held-out issuers; whole issuers go to one side so the test AUC is not flattered by an
    issuer's own neighbouring years."""
    issuers = issuer_ids.unique().sort().to_list()
    if len(issuers) < 2:
        raise ValueError("need at least two issuers to hold some out")
    n_test = min(max(1, round(test_fraction * len(issuers))), len(issuers) - 1)
    permutation = np.random.default_rng(seed).permutation(len(issuers))
    return {issuers[i] for i in permutation[:n_test]}


def coverage_levels(matrix: np.ndarray, features: Sequence[str]) -> np.ndarray:
    """The coverage level of every row of a feature matrix (NaN: missing)."""
    present = ~np.isnan(matrix)
    names = np.array(features, dtype=object)
    return np.array([level_for(tuple(names[row])) for row in present], dtype=object)


def metrics_by_coverage(labels: np.ndarray, probabilities: np.ndarray, levels: np.ndarray,
                        base_rate: float) -> list[dict[str, Any]]:
    """AUC, Brier and the Brier of predicting the training base rate, per coverage level; None where a level has
    no held-out rows (or, for the AUC, only one class), so the record stays valid JSON."""
    rows = []
    for level in LEVEL_LABELS:
        at = levels == level
        y, p = labels[at], probabilities[at]
        auc = roc_auc(y, p) if at.any() else float("nan")
        figures = {"auc": auc, "brier": brier_score(y, p), "base_rate_brier": brier_score(y, np.full_like(y, base_rate)),
                   "mean_predicted": float(p.mean()), "observed_rate": float(y.mean())} if at.any() else {}
        rows.append({"level": level, "rows": int(at.sum()), "positives": int(y.sum())}
                    | {k: (None if k not in figures or np.isnan(figures[k]) else figures[k])
                       for k in ("auc", "brier", "base_rate_brier", "mean_predicted", "observed_rate")})
    return rows


def _feature_matrix(frame: pl.DataFrame, features: Sequence[str]) -> np.ndarray:
    """Float matrix with NaN for missing values; absent columns are all-missing rather than an error,
    since documents often lack a feature entirely."""
    columns = [
        pl.col(name).cast(pl.Float64) if name in frame.columns else pl.lit(None, dtype=pl.Float64).alias(name)
        for name in features
    ]
    return frame.select(columns).to_numpy().astype(np.float64, copy=False)


def train(
    panel: pl.DataFrame,
    *,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    features: Sequence[str] = FEATURES,
    test_fraction: float = 0.25,
    num_threads: int | None = None,
    trained_at: datetime | None = None,
) -> TrainedModel:
    """Fit on ~75% of issuers and report AUC, Brier and calibration on the rest, overall and per coverage level.

    Missing features stay NaN: LightGBM learns a missing-value branch per split (`use_missing`), which is what a
    report's gaps take at scoring; nothing is zero-filled.

    `params` overrides `DEFAULT_PARAMS` key by key (``num_boost_round`` included). Results
    are reproducible for a given panel, seed, parameters and thread count.
    """
    merged = (
        DEFAULT_PARAMS | {"seed": seed, "num_threads": num_threads or os.cpu_count() or 1} | (params or {})
    )
    features = list(features)

    test_issuers = split_issuers(panel[ISSUER_ID], test_fraction=test_fraction, seed=seed)
    is_test = panel[ISSUER_ID].is_in(list(test_issuers)).to_numpy()
    x_all = _feature_matrix(panel, features)
    y_all = panel[LABEL].cast(pl.Float64).to_numpy()
    x_train, y_train = x_all[~is_test], y_all[~is_test]
    x_test, y_test = x_all[is_test], y_all[is_test]

    lgb_params = {k: v for k, v in merged.items() if k != "num_boost_round"}
    dataset = lgb.Dataset(
        x_train, label=y_train, feature_name=features, params=lgb_params, free_raw_data=True
    )
    booster = lgb.train(lgb_params, dataset, num_boost_round=int(merged["num_boost_round"]))

    predicted = booster.predict(x_test, num_threads=merged["num_threads"])
    base_rate = float(y_train.mean())
    gains = booster.feature_importance(importance_type="gain")
    trained_at = trained_at or datetime.now(UTC)
    return TrainedModel(
        version=version_for(trained_at, merged, panel_fingerprint(panel)),
        trained_at=trained_at,
        parameters=merged,
        features=features,
        auc=roc_auc(y_test, predicted),
        brier=brier_score(y_test, predicted),
        base_rate_brier=brier_score(y_test, np.full_like(y_test, base_rate)),
        calibration=calibration_table(y_test, predicted),
        feature_importance={name: float(gain) for name, gain in zip(features, gains, strict=True)},
        booster_bytes=booster.model_to_string().encode("utf-8"),
        n_train=int(y_train.size),
        n_test=int(y_test.size),
        by_coverage=metrics_by_coverage(y_test, predicted, coverage_levels(x_test, features), base_rate),
    )


def load_booster(model: TrainedModel) -> lgb.Booster:
    return lgb.Booster(model_str=model.booster_bytes.decode("utf-8"))


def bucket_for(probabilities: np.ndarray) -> np.ndarray:
    """Rating-like bucket labels; a probability equal to a bound falls in the riskier bucket."""
    bounds = np.array([upper for _, upper in BUCKETS[:-1]])
    return np.array(BUCKET_LABELS, dtype=object)[np.searchsorted(bounds, probabilities, side="right")]


def score(model: TrainedModel, features: pl.DataFrame, *, num_threads: int | None = None) -> pl.DataFrame:
    """Probability, bucket and top drivers per row of `features` (one row per issuer).

    Drivers are the features with the largest SHAP contributions towards distress (LightGBM
    ``pred_contrib``), so they explain this issuer's score rather than the model overall; each reads
    "<feature> <its value> (raises risk | lowers risk)" (see `describe_driver`). Feature columns absent from
    `features` are treated as missing.
    """
    booster = load_booster(model)
    matrix = _feature_matrix(features, model.features)
    threads = num_threads or int(model.parameters.get("num_threads") or os.cpu_count() or 1)
    # SHAP values plus the bias column sum to the raw log-odds, so one pass gives both the
    # drivers and the probability (TreeSHAP is ~15x the cost of a plain predict).
    contributions = np.asarray(booster.predict(matrix, pred_contrib=True, num_threads=threads))
    probability = 1.0 / (1.0 + np.exp(-contributions.sum(axis=1)))
    contributions = contributions[:, :-1]
    top = np.argsort(-contributions, axis=1, kind="stable")[:, :N_TOP_DRIVERS]
    drivers = [[describe_driver(model.features[j], matrix[i, j], contributions[i, j]) for j in row]
               for i, row in enumerate(top)]
    return pl.DataFrame(
        {
            ISSUER_ID: features[ISSUER_ID],
            "probability": pl.Series(probability, dtype=pl.Float64),
            "bucket": pl.Series(bucket_for(probability).tolist(), dtype=pl.String),
            "top_drivers": pl.Series(drivers, dtype=pl.List(pl.String)),
        }
    )


def describe_driver(feature: str, value: float, contribution: float) -> str:
    """`fund_balance_ratio -0.15 (raises risk)`: the input, the value it had (missing: the model's missing-value
    branch decided) and which way it moved this score."""
    if value is None or math.isnan(value):
        shown = "missing"
    elif abs(value) >= 1_000:
        shown = f"{value:,.0f}"
    else:
        shown = f"{value:.3g}"
    return f"{feature} {shown} ({'raises' if contribution > 0 else 'lowers'} risk)"


def driver_feature(driver: str) -> str:
    """The feature a `describe_driver` text is about."""
    return driver.split(" ", 1)[0]


def explain(model: TrainedModel, features: dict[str, float | None], *, top: int = N_TOP_DRIVERS,
            num_threads: int | None = None) -> list[dict[str, Any]]:
    """The features that move one issuer's score most, either way, with their value (None: missing, the
    model's missing-value branch), their SHAP contribution to the log-odds and its direction."""
    frame = pl.DataFrame({name: pl.Series([features.get(name)], dtype=pl.Float64) for name in model.features})
    threads = num_threads or int(model.parameters.get("num_threads") or os.cpu_count() or 1)
    contributions = np.asarray(load_booster(model).predict(_feature_matrix(frame, model.features),
                                                           pred_contrib=True, num_threads=threads))[0, :-1]
    order = np.argsort(-np.abs(contributions), kind="stable")[:top]
    return [{"feature": model.features[i], "value": features.get(model.features[i]),
             "contribution": float(contributions[i]),
             "direction": "raises risk" if contributions[i] > 0 else "lowers risk"} for i in order]


def feature_importance_chart(model: TrainedModel) -> bytes:
    """PNG of each feature's share of total gain, largest on top.

    Uses the object-oriented Agg canvas rather than pyplot, so it keeps no global figure
    state and is safe to call from worker threads.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    total = sum(model.feature_importance.values()) or 1.0
    ranked = sorted(model.feature_importance.items(), key=lambda item: item[1])
    figure = Figure(figsize=(7.0, 0.45 * len(ranked) + 1.2), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.barh([name for name, _ in ranked], [100.0 * gain / total for _, gain in ranked], color="#3b6ea8")
    axes.set_xlabel("share of total gain (%)")
    axes.set_title(f"Feature importance — model {model.version} (AUC {model.auc:.3f})", fontsize=9)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
