"""Load the whole code location once and compare its shape with a committed snapshot.

An accidental rename, a lost schedule or a changed partitioning shows up as a diff. After an intended change:
UPDATE_SNAPSHOTS=1 pytest investing_assets_tests/defs/test_definitions_snapshot.py
"""

import json
import os
from pathlib import Path

import dagster as dg

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "definitions.json"


def describe(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        partitions = node.partitions_def
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "partitions": type(partitions).__name__ if partitions else None,
            "kinds": sorted(node.kinds),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": sorted(c.name for c in node.check_keys),
            "has_description": bool(node.description),
        }
    schedules = {
        s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
        for s in defs.schedules or []
    }
    sensors = sorted(s.name for s in defs.sensors or [])
    jobs = {j.name: sorted(k.to_user_string() for k in j.selection.resolve(graph)) for j in defs.jobs or []}
    return {"assets": assets, "schedules": schedules, "sensors": sensors, "jobs": jobs}


def test_definitions_match_snapshot(monkeypatch):
    monkeypatch.setenv("INVESTING_PG_URL", "postgresql://unused")
    monkeypatch.setenv("INVESTING_REDIS_URL", "redis://unused")
    from investing_assets.definitions import defs

    dg.Definitions.validate_loadable(defs)
    current = describe(defs)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert SNAPSHOT.exists(), "no snapshot committed: run with UPDATE_SNAPSHOTS=1 and review the file"
    assert current == json.loads(SNAPSHOT.read_text())


def test_every_asset_is_described_grouped_and_kinded(monkeypatch):
    from investing_assets.definitions import defs

    for name, spec in describe(defs)["assets"].items():
        assert spec["has_description"], name
        assert spec["group"] and spec["group"] != "default", name
        assert spec["kinds"], name


# The quote assets share one table, each writing only its own asset_class slice (lib/services/market.write_quotes).
SLICED_TABLES = {"market.quotes": {"index_quotes", "etf_quotes", "commodity_quotes", "crypto_quotes", "fx_quotes"}}


def test_each_table_is_written_by_one_asset():
    """Two assets naming one `dagster/table_name` would rewrite each other's rows (price_history once deleted
    bars daily_bars still reported): every table has one owner, or owners of disjoint slices."""
    from investing_assets.cli.selections import asset_tables

    owners: dict[str, set[str]] = {}
    for asset, table in asset_tables().items():
        owners.setdefault(table, set()).add(asset)
    shared = {table: assets for table, assets in owners.items() if len(assets) > 1}
    assert shared == SLICED_TABLES
    assert owners["market.daily_bars"] == {"daily_bars"} and owners["market.symbol_history"] == {"price_history"}
