"""Point-in-time reads of the IBKR fundamentals: what was known on a day, by the rows' own `known_from`.

A figure is visible as of `day` from its known_from on; of several versions of one figure (a statement restated in
a later filing, a summary value revised) the latest known by `day` is the one read, so "as of S" never sees a
later restatement (sql/027_ibkr_fundamentals.sql).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse

# table -> what one figure is about, all its versions alike (its natural key without known_from)
FIGURE = {
    names.IBKR_STATEMENTS: ["symbol", "period_type", "period_end", "statement", "coa_code"],
    names.IBKR_SUMMARY: ["symbol", "metric", "as_of_date", "report_type", "period"],
    names.IBKR_RATIOS: ["symbol", "group_name", "field"],
    names.IBKR_PROFILE: ["symbol"],
}


def known_as_of(warehouse: Warehouse, table: str, day: dt.date, symbols: Sequence[str] | None = None
                ) -> pl.DataFrame:
    """Each figure of `table` as known on `day` (the version with the latest known_from on or before it); the
    ratios and the profile as of their latest report by then."""
    if table not in FIGURE:
        raise ValueError(f"no point-in-time read of {table}; one of {', '.join(FIGURE)}")
    figure = ", ".join(FIGURE[table])
    which = "AND symbol = ANY(%s)" if symbols is not None else ""
    if table in (names.IBKR_RATIOS, names.IBKR_PROFILE):  # a snapshot: the whole latest report by then
        query = (f"SELECT t.* FROM {table} t JOIN (SELECT symbol, max(known_from) AS known_from FROM {table} "
                 f"WHERE known_from <= %s {which} GROUP BY symbol) latest USING (symbol, known_from) "
                 f"ORDER BY {figure}")
    else:
        query = (f"SELECT DISTINCT ON ({figure}) * FROM {table} WHERE known_from <= %s {which} "
                 f"ORDER BY {figure}, known_from DESC")
    return warehouse.read_frame(query, [day, *([list(symbols)] if symbols is not None else [])])
