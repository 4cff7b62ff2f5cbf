"""Asset selections read off the code location's graph (groups and partitions), never hand-kept name lists."""

from __future__ import annotations

from collections.abc import Iterable


def daily_assets(*groups: str, exclude: Iterable[str] = ()) -> list[str]:
    """The `trading_day` assets of these groups, in the graph's order of keys."""
    from investing_assets.definitions import defs
    from investing_assets.defs.shared.partitions import trading_day

    graph = defs.resolve_asset_graph()
    skipped = set(exclude)
    names = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        if node.group_name in groups and node.partitions_def == trading_day and key.to_user_string() not in skipped:
            names.append(key.to_user_string())
    if not names:
        raise ValueError(f"no trading_day assets in group(s) {', '.join(groups)}")
    return names


def asset_tables() -> dict[str, str]:
    """Asset name -> the PostgreSQL table it is stored in (each asset's `dagster/table_name`)."""
    from investing_assets.definitions import defs

    graph = defs.resolve_asset_graph()
    tables = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        table = graph.get(key).metadata.get("dagster/table_name")
        if table is not None:
            tables[key.to_user_string()] = str(getattr(table, "value", table))
    return tables
