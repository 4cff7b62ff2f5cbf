"""The fixed-income workflows as plain functions: read a dropped muni report (keep its figures or set it aside
with a reason), train the bond-risk model, score the issuers each day, and score one report for the CLI.

Dagster assets and the `investing muni` CLI both call these; every SQL statement they run is in
`storage/queries/muni.py`.
"""

from __future__ import annotations

from investing_assets.lib.services.muni.documents import (
    DEFAULT_TIMEOUT_S,
    DocumentOutcome,
    RefusedPath,
    document_metrics,
    process_document,
    process_partition,
    write_outcome,
)
from investing_assets.lib.services.muni.models import PanelSpec, latest_model, store_model, train_model
from investing_assets.lib.services.muni.scores import (
    BOOK_SEED,
    PUBLICATION_LAG,
    SYNTHETIC_BOOK_ISSUERS,
    NoModel,
    Scores,
    document_book,
    known_from,
    read_scores,
    score_issuers,
    synthetic_book,
)
from investing_assets.lib.services.muni.single_document import DocumentScore, score_document

__all__ = [
    "BOOK_SEED",
    "DEFAULT_TIMEOUT_S",
    "PUBLICATION_LAG",
    "SYNTHETIC_BOOK_ISSUERS",
    "DocumentOutcome",
    "DocumentScore",
    "NoModel",
    "PanelSpec",
    "RefusedPath",
    "Scores",
    "document_book",
    "document_metrics",
    "known_from",
    "latest_model",
    "process_document",
    "process_partition",
    "read_scores",
    "score_document",
    "score_issuers",
    "store_model",
    "synthetic_book",
    "train_model",
    "write_outcome",
]
