"""Helpers of the muni service tests, also used by the muni asset and CLI tests: a sample report, a drop into
the folder, a snapshot of the document tables, a quickly trained model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from investing_assets.lib.muni.drop_folder import DropFolder
from investing_assets.lib.services import muni
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.muni_reports import generate_issuer, write_document

SMALL_PANEL = muni.PanelSpec(issuers=600, years=6)
FAST = {"num_boost_round": 40, "min_data_in_leaf": 50}
D1, D2 = dt.date(2026, 11, 19), dt.date(2026, 11, 20)


def sample_report(folder: Path) -> tuple[bytes, dict[str, float | None]]:
    """A classic-layout report (with a pension schedule) and the truth it was written from."""
    issuer = next(i for i in (generate_issuer(11, n) for n in range(0, 300, 3)) if i.pension)
    path = folder / "classic.pdf"
    truth = write_document(issuer, path, "classic")
    return path.read_bytes(), truth


def drop(folder: DropFolder, name: str, data: bytes) -> Path:
    path = folder.root / name
    path.write_bytes(data)
    return path


def snapshot(warehouse: Warehouse) -> dict[str, list]:
    with warehouse.connect() as conn:
        return {table: conn.execute(f"SELECT * FROM muni.{table} ORDER BY 1, 2").fetchall()
                for table in ("documents", "document_metrics", "issuer_financials", "quarantine")}


def train(warehouse: Warehouse, when: dt.datetime, seed: int = 0):
    """A model trained quickly on a small panel, as of `when`, in the month partition of `when`."""
    return muni.train_model(warehouse, SMALL_PANEL, params=FAST, seed=seed, trained_at=when,
                            partition_key=f"{when:%Y-%m}-01")
