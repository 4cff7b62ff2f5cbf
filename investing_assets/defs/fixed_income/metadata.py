"""What the muni assets show in the UI: a document's figures with pages, a model's quality, the day's book."""

from __future__ import annotations

import base64

import dagster as dg
import polars as pl

from investing_assets.defs.shared.metadata import markdown_table
from investing_assets.lib.muni.risk_model import TrainedModel, feature_importance_chart
from investing_assets.lib.services import muni


def document_metadata(outcome: muni.DocumentOutcome) -> dict[str, object]:
    meta: dict[str, object] = {"status": outcome.status, "file": outcome.file_name,
                               "sha256": outcome.sha256 or "", "seconds": round(outcome.seconds, 2)}
    if outcome.stored_path:
        meta["stored_at"] = dg.MetadataValue.path(str(outcome.stored_path))
    if outcome.notes:
        meta["notes"] = dg.MetadataValue.md("\n".join(f"- {n}" for n in outcome.notes))
    ex = outcome.extraction
    if ex is None:
        meta.update(reason=outcome.reason or "", message=outcome.message or "")
        if outcome.reason_file:
            meta["reason_file"] = dg.MetadataValue.path(str(outcome.reason_file))
        return meta
    table = ex.to_frame().with_columns(
        pl.when(pl.col("value").is_null()).then(pl.lit("(not stated)"))
        .otherwise(pl.col("line").str.replace_all("|", "/", literal=True)).alias("line"))
    stated = table.filter(pl.col("value").is_not_null()).height
    meta.update({
        "issuer": ex.issuer or "(not found)",
        "fiscal_year_end": ex.fiscal_year_end.isoformat() if ex.fiscal_year_end else "(not found)",
        "scale": ex.scale, "scale_text": ex.scale_text or "(none printed: whole dollars)", "pages": ex.pages,
        "metrics_stated": f"{stated} of {table.height}",
        "funded_ratio": ex.funded_ratio if ex.funded_ratio is not None else "(not stated)",
        "metrics": dg.MetadataValue.md(markdown_table(table, max_rows=table.height)),
        "dagster/row_count": table.height,
    })
    return meta


def model_metadata(model: TrainedModel, panel: muni.PanelSpec) -> dict[str, object]:
    chart = base64.b64encode(feature_importance_chart(model)).decode()
    calibration = pl.DataFrame(model.calibration).select("bin", "mean_predicted", "observed_rate", "count")
    return {
        "version": model.version,
        "auc": dg.MetadataValue.float(model.auc),
        "brier": dg.MetadataValue.float(model.brier),
        "base_rate_brier": dg.MetadataValue.float(model.base_rate_brier),
        "brier_skill": dg.MetadataValue.float(1 - model.brier / model.base_rate_brier),
        "n_train": model.n_train, "n_test": model.n_test,
        "training_panel": f"{panel.issuers:,} synthetic issuers x {panel.years} years (seed {panel.seed})",
        "calibration": dg.MetadataValue.md(markdown_table(calibration)),
        "feature_importance": dg.MetadataValue.md(f"![feature importance](data:image/png;base64,{chart})"),
    }


def scores_metadata(scores: muni.Scores) -> dict[str, object]:
    buckets = scores.frame.group_by("bucket").len().sort("bucket") if scores.frame.height else pl.DataFrame()
    riskiest = scores.frame.head(15).with_columns(pl.col("top_drivers").list.join(", "))
    meta: dict[str, object] = {
        "dagster/row_count": scores.rows,
        "sessions": len(scores.sessions),
        "model_version": scores.model_version,
        "issuers_from_documents": scores.documents,
        "synthetic_issuers": scores.synthetic,
        "cache_refreshed": "skipped: not the newest session" if scores.cached is None else scores.cached,
    }
    if buckets.height:
        meta["buckets"] = dg.MetadataValue.md(markdown_table(buckets))
        meta["riskiest"] = dg.MetadataValue.md(markdown_table(
            riskiest.select("issuer", "issuer_name", "source", "probability", "bucket", "top_drivers")))
    return meta
