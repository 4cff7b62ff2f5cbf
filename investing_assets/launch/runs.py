"""Run status read straight from the Dagster instance (for the CLI and MCP; the API has its own DagsterStatus)."""

from __future__ import annotations

import dagster as dg


def run_status(instance: dg.DagsterInstance, run_id: str | None, limit: int = 10) -> list[dict]:
    """One run (a prefix of its id is enough) or the newest `limit` runs."""
    if run_id:
        records = [r for r in instance.get_run_records(limit=200) if r.dagster_run.run_id.startswith(run_id)][:1]
    else:
        records = instance.get_run_records(limit=limit)
    return [{"run_id": r.dagster_run.run_id, "job_name": r.dagster_run.job_name,
             "status": r.dagster_run.status.value, "partition": r.dagster_run.tags.get("dagster/partition"),
             "backfill_id": r.dagster_run.tags.get("dagster/backfill"),
             "created_at": r.create_timestamp.isoformat()} for r in records]
