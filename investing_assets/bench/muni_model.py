"""Muni distress model bench: the issue's speed targets (train 50,000 issuer-years < 60 s, score
10,000 issuers < 5 s) plus held-out AUC and Brier from the same run, overall and per coverage level (how many
of the model's inputs a row has; the panel's missingness follows real reports, see issuer_panel.MISSINGNESS).

Run: ``python -m investing_assets.bench.muni_model``.
"""

from __future__ import annotations

import time

import polars as pl

from investing_assets.bench import Figure, skipped
from investing_assets.lib.muni.coverage import BELOW_MINIMUM
from investing_assets.lib.muni.issuer_panel import FEATURES, generate_panel
from investing_assets.lib.muni.risk_model import (
    ISSUER_ID,
    LABEL,
    TrainedModel,
    brier_score,
    roc_auc,
    score,
    split_issuers,
    train,
)

TRAIN_ROWS = 50_000
SCORE_ISSUERS = 10_000
TRAIN_SECONDS_TARGET = 60.0
SCORE_SECONDS_TARGET = 5.0
AUC_TARGET = 0.85
LEVEL_AUC_TARGET = 0.80  # every level a probability is published at must still rank issuers usefully


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
    ] + coverage_figures(model) + masked_figures(model, panel, seed)


# The inputs the six real state reports give (coverage 5 of 8), and the minimum's four.
STATE_REPORT_INPUTS = ("fund_balance_ratio", "liability_burden_ratio", "pension_funded_ratio", "debt_service_ratio",
                       "log_population")
MINIMUM_INPUTS = ("fund_balance_ratio", "liability_burden_ratio", "debt_service_ratio", "log_population")


def masked_figures(model: TrainedModel, panel, seed: int) -> list[Figure]:
    """The same held-out issuer-years (those with 7-8 inputs) scored with all their inputs, then with only the
    inputs a state report gives, then with the minimum: the per-level figures compare different issuers (school
    districts have fewer inputs), this isolates what the missing inputs cost. Target: the minimum ranks these
    issuers worse than all their inputs do (a few dozen distressed rows: the 5-input figure is shown, not held
    to lie between)."""
    test = panel.filter(pl.col(ISSUER_ID).is_in(list(split_issuers(panel[ISSUER_ID], test_fraction=0.25,
                                                                   seed=seed))))
    full = test.filter(pl.sum_horizontal(pl.col(f).is_not_null() for f in FEATURES) >= len(FEATURES) - 1,
                       pl.col("fund_balance_ratio").is_not_null())
    labels = full[LABEL].to_numpy()
    aucs = []
    for kept in (FEATURES, STATE_REPORT_INPUTS, MINIMUM_INPUTS):
        masked = full.with_columns(pl.lit(None, pl.Float64).alias(f) for f in FEATURES if f not in kept)
        probability = score(model, masked)["probability"].to_numpy()
        aucs.append((len(kept), roc_auc(labels, probability), brier_score(labels, probability)))
    detail = "; ".join(f"{n} inputs: AUC {auc:.3f}, Brier {brier:.5f}" for n, auc, brier in aucs)
    return [Figure("muni_model.same_rows_auc_loss_to_minimum", aucs[0][1] - aucs[2][1], "AUC",
                   "> 0 (all inputs rank better than the minimum)", aucs[0][1] - aucs[2][1] > 0,
                   f"{full.height:,} held-out issuer-years with 7-8 inputs, {int(labels.sum())} distressed: {detail}")]


def coverage_figures(model: TrainedModel) -> list[Figure]:
    """Held-out AUC and Brier per coverage level. Published levels: AUC >= LEVEL_AUC_TARGET and Brier under the
    level's base-rate Brier; below the minimum nothing is published, so its figures are shown without a target."""
    figures = []
    for row in model.by_coverage:
        level, published = row["level"], row["level"] != BELOW_MINIMUM
        name = f"muni_model.held_out_{{}}[{level}]"
        rows = f"{row['rows']:,} held-out issuer-years, {row['positives']} distressed"
        if row["auc"] is None:
            figures.append(skipped(name.format("auc"), "AUC", f">= {LEVEL_AUC_TARGET}", f"{rows}: one class"))
        else:
            figures.append(Figure(name.format("auc"), row["auc"], "AUC",
                                  f">= {LEVEL_AUC_TARGET}" if published else "none: no probability published",
                                  row["auc"] >= LEVEL_AUC_TARGET or not published, rows))
        if row["brier"] is None:
            figures.append(skipped(name.format("brier"), "Brier", "< base-rate Brier", f"{rows}"))
            continue
        skill = 1 - row["brier"] / row["base_rate_brier"] if row["base_rate_brier"] else float("nan")
        figures.append(Figure(name.format("brier"), row["brier"], "Brier",
                              f"< base-rate Brier {row['base_rate_brier']:.4f}" if published
                              else "none: no probability published",
                              row["brier"] < row["base_rate_brier"] or not published,
                              f"skill {skill:.1%} over the base rate; observed rate {row['observed_rate']:.2%}, "
                              f"mean predicted {row['mean_predicted']:.2%}"))
    return figures


if __name__ == "__main__":
    for figure in bench():
        print(figure.line())
