"""What the chat may launch: every job of the code location, read from the Definitions (so a new job is listed
the moment it is registered), each with the partitioning its requests are validated against.

Dagster's GraphQL has no access control, so the allow-list lives here: a job is launchable when the parser knows
how to ask for it (launch/intents.PHRASES) and it is not set aside in NOT_LAUNCHABLE; a test fails when a job is
in neither, so none is silently missed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import dagster as dg

# Jobs the chat does not launch, and why (the answer a request for them gets).
NOT_LAUNCHABLE = {
    "muni_document_extraction": "reports are read when they land in the drop folder (its sensor, or "
                                "`investing muni ingest`), not on request",
    "monthly_muni_risk_refresh": "the 10th-of-month refresh runs on its schedule; ask to retrain the muni model "
                                 "(adhoc_bond_risk_training) for a new version now",
    "sec_weekly_ingest": "SEC archives are ingested by week on the Saturday 02:00 schedule; launch a week from the "
                         "Dagster UI (its partitions are weeks, which the chat does not parse)",
    "sec_financials_reprocess": "rebuilding every company's standardized financials is an operator's step: launch "
                                "it from the Dagster UI or `investing sec reprocess`",
}


@dataclass(frozen=True)
class JobEntry:
    name: str
    description: str
    partitioning: str  # session | month | watchlist (session x symbol) | none | dynamic:<name>
    assets: tuple[str, ...]
    launchable: bool
    why_not: str | None = None

    def to_dict(self) -> dict:
        return {"job": self.name, "description": self.description, "partitioning": self.partitioning,
                "assets": list(self.assets), "launchable": self.launchable, "why_not": self.why_not}


def partitioning(partitions_def: dg.PartitionsDefinition | None) -> str:
    if partitions_def is None:
        return "none"
    if isinstance(partitions_def, dg.MultiPartitionsDefinition):
        return "watchlist"
    if isinstance(partitions_def, dg.DynamicPartitionsDefinition):
        return f"dynamic:{partitions_def.name}"
    if isinstance(partitions_def, dg.MonthlyPartitionsDefinition):
        return "month"
    if isinstance(partitions_def, dg.TimeWindowPartitionsDefinition):
        return "session"
    return type(partitions_def).__name__


@functools.cache
def jobs() -> dict[str, JobEntry]:
    """Every named job of the code location (Dagster's implicit asset job aside), by name."""
    from investing_assets.definitions import defs
    from investing_assets.launch.intents import PHRASES

    found = {}
    for job in defs.get_repository_def().get_all_jobs():
        if job.name.startswith("__"):
            continue
        why_not = NOT_LAUNCHABLE.get(job.name)
        if why_not is None and job.name not in PHRASES:
            why_not = "the chat has no phrase for it yet: launch it from the Dagster UI"
        found[job.name] = JobEntry(job.name, job.description or "", partitioning(job.partitions_def),
                                   tuple(sorted(k.to_user_string() for k in job.asset_layer.selected_asset_keys)),
                                   why_not is None, why_not)
    return found


@functools.cache
def assets() -> list[dict]:
    """Every asset: its key, group, partitioning, description and the jobs that materialize it."""
    from investing_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    by_asset: dict[str, list[str]] = {}
    for entry in jobs().values():
        for key in entry.assets:
            by_asset.setdefault(key, []).append(entry.name)
    listed = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        name = key.to_user_string()
        listed.append({"asset": name, "group": node.group_name, "partitioning": partitioning(node.partitions_def),
                       "description": (node.description or "").split("\n")[0], "jobs": sorted(by_asset.get(name, []))})
    return listed
