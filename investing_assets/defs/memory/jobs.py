"""What the memory schedule launches."""

from __future__ import annotations

import dagster as dg

from investing_assets.defs.shared import keys

model_memory_sync = dg.define_asset_job(
    "model_memory_sync", selection=dg.AssetSelection.assets(keys.MODEL_MEMORY),
    description="Sync model memory between Redis (`memory:*`) and PostgreSQL (ops.model_memory).",
)

JOBS = [model_memory_sync]
