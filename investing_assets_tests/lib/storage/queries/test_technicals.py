"""Stored discoveries read back in the scan's ranking: score, then the day's strength, never the name first."""

import datetime as dt

import polars as pl

from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.technicals import latest_discoveries
from investing_assets.lib.storage.warehouse import Warehouse

SESSION = dt.date(2026, 11, 20)


def discovery(symbol: str, kind: str, pattern: str, score: float, day_strength: float | None) -> dict:
    return {"session": SESSION, "symbol": symbol, "kind": kind, "pattern": pattern, "direction": "bearish",
            "level": 10.0, "target": None, "start_session": SESSION, "key_points": None, "confidence": score,
            "score": score, "day_strength": day_strength, "detail": None}


def test_tied_scores_rank_by_the_days_strength_not_by_kind_or_symbol(warehouse: Warehouse):
    rows = [
        discovery("AAA", "candle", "engulfing", 0.5, 0.10),  # alphabetically first of every tie
        discovery("ZZZ", "event", "low_52w", 0.5, 0.90),  # the strongest day of the tied scores
        discovery("MMM", "event", "low_52w", 0.5, 0.40),
        discovery("OLD", "candle", "doji", 0.5, None),  # stored before day_strength existed: after the known
        discovery("BBB", "chart", "double_top", 0.7, 0.05),  # a higher score beats any strength
        discovery("CCC", "event", "rsi_oversold", 0.3, 1.00),
    ]
    frame = pl.DataFrame(rows, schema_overrides={"target": pl.Float64, "key_points": pl.String,
                                                 "day_strength": pl.Float64, "detail": pl.String})
    warehouse.replace_rows(names.PATTERN_DISCOVERIES, frame, {"session": [SESSION]})
    best = latest_discoveries(warehouse, 10)
    assert best["symbol"].to_list() == ["BBB", "ZZZ", "MMM", "AAA", "OLD", "CCC"]
    assert latest_discoveries(warehouse, 2, SESSION)["symbol"].to_list() == ["BBB", "ZZZ"]
    assert best["day_strength"].to_list()[:2] == [0.05, 0.90]
