"""A ranged write of a wide universe goes a chunk of sessions at a time, in one transaction: the same rows and
previews as one chunk, and a chunk that fails takes the ones before it back with it."""

from __future__ import annotations

import polars as pl
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.core.errors import BadMarketData
from investing_assets.lib.core.results import Written
from investing_assets.lib.services import market
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource

SESSIONS = calendar.sessions_between(calendar.all_sessions()[3000], calendar.all_sessions()[3010])
SOURCE = DemoSource(universe_size=40)


def _write(warehouse: Warehouse) -> tuple[Written, Written, Written]:
    universe, _ = market.write_universe(SOURCE, warehouse, SESSIONS)
    return universe, market.write_daily_bars(SOURCE, warehouse, SESSIONS), \
        market.write_corporate_actions(SOURCE, warehouse, SESSIONS)


def _stored(warehouse: Warehouse, table: str) -> pl.DataFrame:
    return warehouse.read_table(table).drop("updated_at", strict=False).sort(pl.all())


def test_chunks_store_and_preview_what_one_write_does(warehouse: Warehouse,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    whole = _write(warehouse)
    stored = {table: _stored(warehouse, table) for table in (names.UNIVERSE, names.DAILY_BARS)}
    monkeypatch.setattr(market, "ROWS_PER_CHUNK", 90)  # 40 symbols: two sessions a chunk
    assert len(market.session_chunks(SESSIONS, 40)) == 6
    with warehouse.connect() as conn:
        conn.execute(f"TRUNCATE {names.UNIVERSE}, {names.DAILY_BARS}, {names.PARTITION_DIGESTS}")
    chunked = _write(warehouse)
    for table, rows in stored.items():
        assert _stored(warehouse, table).equals(rows), table
    for one, many in zip(whole, chunked, strict=True):
        assert one.rows == many.rows
        assert one.previews.keys() == many.previews.keys()
        assert all(one.previews[day].equals(many.previews[day]) for day in one.previews)


class _LastSessionShort(DemoSource):
    """Drops one listed symbol's bar on the range's last session: a coverage refusal in the last chunk."""

    def daily_bars(self, sessions, symbols=None):
        bars = super().daily_bars(sessions, symbols)
        return bars.filter(~((pl.col("session") == SESSIONS[-1]) & (pl.col("symbol") == bars.item(0, "symbol"))))


def test_a_failing_chunk_writes_nothing(warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(market, "ROWS_PER_CHUNK", 90)
    assert len(market.session_chunks(SESSIONS, 40)) > 1  # the refusal comes after earlier chunks were written
    market.write_universe(SOURCE, warehouse, SESSIONS)
    with pytest.raises(BadMarketData, match="no bar"):
        market.write_daily_bars(_LastSessionShort(universe_size=40), warehouse, SESSIONS)
    assert warehouse.count(names.DAILY_BARS) == 0
