"""Muni distress model bench: the issue's speed targets (train 50,000 issuer-years < 60 s, score
10,000 issuers < 5 s) plus held-out AUC and Brier from the same run.

Run: ``python -m investing_assets.bench.muni_model``.
"""

from __future__ import annotations

import time

from investing_assets.bench import Figure
from investing_assets.lib.muni.issuer_panel import generate_panel
from investing_assets.lib.muni.risk_model import score, train

TRAIN_ROWS = 50_000
SCORE_ISSUERS = 10_000
TRAIN_SECONDS_TARGET = 60.0
SCORE_SECONDS_TARGET = 5.0
AUC_TARGET = 0.85


def bench(seed: int = 0) -> list[Figure]:
    started = time.perf_counter()
    # A little over 10 years per issuer, since issuers in a distress spell have no rows.
    panel = generate_panel(TRAIN_ROWS // 10 + 300, 10, seed=seed).head(TRAIN_ROWS)
    generate_seconds = time.perf_counter() - started

    started = time.perf_counter()
    model = train(panel, seed=seed)
    train_seconds = time.perf_counter() - started
    threads = model.parameters["num_threads"]

    issuers = generate_panel(SCORE_ISSUERS + 300, 1, seed=seed + 1).head(SCORE_ISSUERS)
    started = time.perf_counter()
    scored = score(model, issuers)  # cold: includes parsing the booster from its stored bytes
    score_seconds = time.perf_counter() - started
    assert scored.height == SCORE_ISSUERS

    return [
        Figure(
            "muni_model.train_50k_issuer_years",
            train_seconds,
            "s",
            f"< {TRAIN_SECONDS_TARGET:.0f} s",
            train_seconds < TRAIN_SECONDS_TARGET,
            f"{panel.height:,} rows, {model.parameters['num_boost_round']} rounds, {threads} threads; "
            f"panel generation {generate_seconds:.2f} s",
        ),
        Figure(
            "muni_model.score_10k_issuers",
            score_seconds,
            "s",
            f"< {SCORE_SECONDS_TARGET:.0f} s",
            score_seconds < SCORE_SECONDS_TARGET,
            f"{scored.height:,} issuers with SHAP drivers, {threads} threads",
        ),
        Figure(
            "muni_model.held_out_auc",
            model.auc,
            "AUC",
            f">= {AUC_TARGET}",
            model.auc >= AUC_TARGET,
            f"{model.n_test:,} held-out issuer-years",
        ),
        Figure(
            "muni_model.held_out_brier",
            model.brier,
            "Brier",
            f"< base-rate Brier {model.base_rate_brier:.4f}",
            model.brier < model.base_rate_brier,
            f"{model.brier:.5f} vs {model.base_rate_brier:.5f}: "
            f"skill {1 - model.brier / model.base_rate_brier:.1%} over the base rate",
        ),
    ]


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
