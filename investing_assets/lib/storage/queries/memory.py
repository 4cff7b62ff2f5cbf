"""Model memory's record in PostgreSQL (ops.model_memory): read all, and upsert only what is newer."""

from __future__ import annotations

import json
from collections.abc import Sequence

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from investing_assets.lib.storage import names
from investing_assets.lib.storage.memory import Item
from investing_assets.lib.storage.warehouse import Warehouse


def read_memory(warehouse: Warehouse, *, connect_timeout: int = 5) -> dict[tuple[str, str], Item]:
    query = sql.SQL("SELECT namespace, item, version, value FROM {}").format(warehouse.table(names.MODEL_MEMORY))
    with psycopg.connect(warehouse.url, connect_timeout=connect_timeout) as conn:
        return {(ns, item): Item(version, value) for ns, item, version, value in conn.execute(query)}


def upsert_memory(warehouse: Warehouse, entries: Sequence[tuple[str, str, Item]], *,
                  connect_timeout: int = 5) -> int:
    """Insert new items and move stored ones forward; a stored version at least as new is kept. Returns the rows
    written."""
    if not entries:
        return 0
    query = sql.SQL(
        "INSERT INTO {t} AS m (namespace, item, version, value) "
        "SELECT * FROM unnest(%s::text[], %s::text[], %s::bigint[], %s::jsonb[]) "
        "ON CONFLICT (namespace, item) DO UPDATE SET version = excluded.version, value = excluded.value, "
        "synced_at = now() WHERE m.version < excluded.version").format(t=warehouse.table(names.MODEL_MEMORY))
    columns = ([ns for ns, _, _ in entries], [item for _, item, _ in entries],
               [entry.version for _, _, entry in entries],
               [Jsonb(entry.value, dumps=lambda v: json.dumps(v, default=str)) for _, _, entry in entries])
    with psycopg.connect(warehouse.url, connect_timeout=connect_timeout) as conn:
        return conn.execute(query, columns).rowcount


def record_launch(warehouse: Warehouse, request: str, job: str, parameters: dict, run_ids: Sequence[str],
                  backfill_id: str | None, launched_by: str) -> None:
    query = sql.SQL("INSERT INTO {} (request, job, parameters, run_ids, backfill_id, launched_by) "
                    "VALUES (%s, %s, %s, %s, %s, %s)").format(warehouse.table(names.CHAT_LAUNCH_LOG))
    with warehouse.connect() as conn:
        conn.execute(query, (request, job, Jsonb(parameters), list(run_ids), backfill_id, launched_by))


def read_launches(warehouse: Warehouse, limit: int = 20) -> list[dict]:
    query = sql.SQL("SELECT launched_at, request, job, parameters, run_ids, backfill_id, launched_by FROM {} "
                    "ORDER BY launched_at DESC LIMIT %s").format(warehouse.table(names.CHAT_LAUNCH_LOG))
    with warehouse.connect() as conn:
        cur = conn.execute(query, (limit,))
        columns = [c.name for c in cur.description]
        return [dict(zip(columns, row, strict=True)) for row in cur]
