"""What the muni assets show in the UI: a document's figures with pages, a model's quality, the day's book."""

from __future__ import annotations

import base64

import dagster as dg
import polars as pl

from investing_assets.defs.shared.metadata import markdown_table
from investing_assets.lib.muni.drop_folder import TRANSIENT_REASONS
from investing_assets.lib.muni.risk_model import (
    BUCKET_LABELS,
    BUCKETS,
    TrainedModel,
    feature_importance_chart,
)
from investing_assets.lib.services import muni

RISKIEST_SHOWN = 15  # issuers in the riskiest table


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


def extracted_check_metadata(outcome: muni.DocumentOutcome) -> dict[str, object]:
    """What the `extracted` check shows for this document: the file, and why it was set aside if it was."""
    meta: dict[str, object] = {"file": outcome.file_name, "status": outcome.status}
    if not outcome.extracted:
        meta.update(reason=outcome.reason or "", message=outcome.message or "")
        if outcome.reason_file:
            meta["reason_file"] = dg.MetadataValue.path(str(outcome.reason_file))
    return meta


def quarantine_failure(outcome: muni.DocumentOutcome) -> str:
    """The one line a quarantined document's failed run ends with: what, why, where it is, what happens next."""
    where = f"; moved to {outcome.stored_path}" if outcome.stored_path else ""
    note = f", reason in {outcome.reason_file.name}" if outcome.reason_file else ""
    if outcome.reason in TRANSIENT_REASONS:
        then = "the muni_local_agent sweep reads it again (3 attempts in all)"
    elif outcome.reason == "too_much_memory":
        then = ("raise INVESTING_MUNI_MAX_MEMORY_MB (the muni_drop resource's max_memory_mb) if the machine has the "
                "memory, and re-materialize this partition")
    else:
        then = "replace the file in the quarantine folder and re-materialize this partition, or drop a fixed copy"
    return (f"muni_document {outcome.key}: {outcome.file_name} could not be read ({outcome.reason}): "
            f"{outcome.message}{where}{note}; {then}")


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
        "by_coverage": dg.MetadataValue.md(coverage_table(model)),
        **{f"auc {row['level']}": dg.MetadataValue.float(row["auc"]) for row in model.by_coverage
           if row["auc"] is not None},
        **{f"brier {row['level']}": dg.MetadataValue.float(row["brier"]) for row in model.by_coverage
           if row["brier"] is not None},
        "feature_importance": dg.MetadataValue.md(f"![feature importance](data:image/png;base64,{chart})"),
    }


def coverage_table(model: TrainedModel) -> str:
    """Held-out AUC and Brier per coverage level (features present), most inputs first; below the minimum no
    probability is published, and the row says what one would have been worth."""
    if not model.by_coverage:
        return "(not measured: this model version predates the per-coverage evaluation)"
    frame = pl.DataFrame(model.by_coverage, infer_schema_length=None).select(
        pl.col("level").alias("inputs present"), "rows", "positives", "auc", "brier", "base_rate_brier",
        "observed_rate", "mean_predicted")
    return (f"{markdown_table(frame)}\n\nHeld-out issuer-years of the synthetic panel, whose missingness follows "
            "real reports (issuer_panel.MISSINGNESS). Below the minimum no probability is published.")


def scores_metadata(scores: muni.Scores) -> dict[str, object]:
    """The book read from documents first (riskiest, buckets); the synthetic book that pads a fresh machine's
    population apart and named as such, so its issuers never pass for ones the user dropped."""
    frame = scores.frame
    documents = frame.filter(pl.col("source") == "document") if frame.height else frame
    synthetic = frame.filter(pl.col("source") == "synthetic") if frame.height else frame
    meta: dict[str, object] = {
        "model_version": scores.model_version,
        "issuers_from_documents": scores.documents,
    }
    if documents.height:
        published = documents.filter(pl.col("probability").is_not_null())
        riskiest = published.head(RISKIEST_SHOWN).with_columns(pl.col("top_drivers").list.join(", "))
        meta["riskiest_from_documents"] = dg.MetadataValue.md(markdown_table(riskiest.select(
            "issuer_name", "fiscal_year_end", "probability", "bucket", "top_drivers", "inputs_present",
            "document_key")))
        meta["buckets_from_documents"] = dg.MetadataValue.md(markdown_table(bucket_counts(published)))
        meta["documents_with_insufficient_inputs"] = documents.height - published.height
    else:
        meta["riskiest_from_documents"] = "(no issuer read from documents yet: drop reports into the drop folder)"
    meta["synthetic_book_issuers"] = scores.synthetic
    if synthetic.height:
        meta["synthetic_book_buckets"] = dg.MetadataValue.md(
            f"Synthetic issuers scored beside the documents (`synthetic_issuers`, 0 for none); no report behind "
            f"them.\n\n{markdown_table(bucket_counts(synthetic))}")
    meta["cache_refreshed"] = "skipped: not the newest session" if scores.cached is None else scores.cached
    return meta


def bucket_counts(frame: pl.DataFrame) -> pl.DataFrame:
    """Issuers per bucket in rating order (safest first), every bucket listed, with its probability range."""
    counts = dict(frame.group_by("bucket").len().iter_rows())
    lows = [0.0, *(upper for _, upper in BUCKETS[:-1])]
    ranges = [f"< {upper:.1%}" if low == 0 else (f">= {low:.1%}" if upper == float("inf")
              else f"{low:.1%} - {upper:.1%}") for low, (_, upper) in zip(lows, BUCKETS, strict=True)]
    return pl.DataFrame({"bucket": list(BUCKET_LABELS), "3-year distress probability": ranges,
                         "issuers": [counts.get(label, 0) for label in BUCKET_LABELS]})
