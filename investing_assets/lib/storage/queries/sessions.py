"""Rows stored per session: what each partition's row count in the UI is read back from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from psycopg import sql

from investing_assets.lib.storage.warehouse import Warehouse


def rows_per_session(warehouse: Warehouse, table: str, sessions: Sequence[dt.date],
                     where: Mapping[str, Sequence[object]] | None = None) -> dict[dt.date, int]:
    """Stored rows of each session (0 for a session with none), optionally within `where` (column -> values)."""
    filters = [sql.SQL("session = ANY(%s)")]
    params: list[object] = [list(sessions)]
    for column, values in (where or {}).items():
        filters.append(sql.SQL("{} = ANY(%s)").format(sql.Identifier(column)))
        params.append(list(values))
    query = sql.SQL("SELECT session, count(*) FROM {} WHERE {} GROUP BY session").format(
        warehouse.table(table), sql.SQL(" AND ").join(filters))
    with warehouse.connect() as conn:
        counts = dict(conn.execute(query, params).fetchall())
    return {session: counts.get(session, 0) for session in sessions}
