from __future__ import annotations

import datetime as dt
import time

import numpy as np
import polars as pl
import pytest

from investing_assets.lib.analytics.correlations import PAIRS, rolling_correlations
from investing_assets.lib.core import calendar

DAY = dt.date(2021, 6, 30)
SESSIONS = calendar.sessions_ending(DAY, 61)


def _frame(returns: dict[str, np.ndarray]) -> pl.DataFrame:
    """Bars whose closes have exactly these 60 daily log returns."""
    parts = []
    for symbol, r in returns.items():
        close = 100 * np.exp(np.concatenate([[0.0], np.cumsum(r)]))
        parts.append(pl.DataFrame({"symbol": symbol, "session": SESSIONS, "close": close}))
    return pl.concat(parts)


@pytest.fixture(scope="module")
def returns() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(9)
    market = rng.normal(0, 0.01, 60)
    tech, bank = rng.normal(0, 0.01, 60), rng.normal(0, 0.01, 60)
    out = {f"T{k}": market + tech + rng.normal(0, 0.01, 60) for k in range(4)}
    out |= {f"B{k}": market + bank + rng.normal(0, 0.01, 60) for k in range(4)}
    out["TWIN"] = out["T0"].copy()  # a perfect pair
    out["ANTI"] = -out["B0"]  # a perfect opposite
    return out


SECTORS = pl.DataFrame(
    {
        "symbol": ["T0", "T1", "T2", "T3", "B0", "B1", "B2", "B3", "TWIN", "ANTI", "GAPPY", "FLAT"],
        "sector": ["Tech"] * 4 + ["Banks"] * 4 + ["Tech", "Banks", "Tech", "Banks"],
    }
)


def test_matrix_and_leave_one_out_correlations_match_numpy(returns: dict[str, np.ndarray]) -> None:
    result = rolling_correlations(_frame(returns), SECTORS, DAY, 60)
    names = sorted(returns)
    assert result.symbols == names
    matrix = np.corrcoef(np.array([returns[s] for s in names]))
    np.testing.assert_allclose(result.matrix, matrix, atol=1e-12)
    by = {r["symbol"]: r for r in result.by_symbol.iter_rows(named=True)}
    tech = [s for s in names if SECTORS.filter(pl.col("symbol") == s)["sector"].item() == "Tech"]
    others = np.mean([returns[s] for s in tech if s != "T1"], axis=0)
    assert by["T1"]["corr_sector"] == pytest.approx(np.corrcoef(returns["T1"], others)[0, 1], abs=1e-12)
    market = np.mean([returns[s] for s in names if s != "B2"], axis=0)
    assert by["B2"]["corr_market"] == pytest.approx(np.corrcoef(returns["B2"], market)[0, 1], abs=1e-12)
    assert by["T1"]["returns"] == 60


def test_extreme_pairs_and_sector_matrix(returns: dict[str, np.ndarray]) -> None:
    result = rolling_correlations(_frame(returns), SECTORS, DAY, 60, top=3)
    assert result.top_pairs.schema == pl.Schema(PAIRS)
    assert result.top_pairs.row(0)[:2] == ("T0", "TWIN") and result.top_pairs["correlation"][
        0
    ] == pytest.approx(1.0)
    assert set(result.bottom_pairs.row(0)[:2]) == {"ANTI", "B0"}
    assert result.bottom_pairs["correlation"][0] == pytest.approx(-1.0)
    assert result.top_pairs["correlation"].is_sorted(descending=True)
    assert result.bottom_pairs["correlation"].is_sorted()
    assert result.sectors == ["Banks", "Tech"]
    np.testing.assert_allclose(result.sector_matrix, result.sector_matrix.T)
    index = {s: k for k, s in enumerate(result.symbols)}
    tech = ["T0", "T1", "T2", "T3", "TWIN"]
    within = [result.matrix[index[a], index[b]] for a in tech for b in tech if a < b]
    assert result.sector_matrix[1, 1] == pytest.approx(np.mean(within))
    banks = ["B0", "B1", "B2", "B3", "ANTI"]
    across = [result.matrix[index[a], index[b]] for a in tech for b in banks]
    assert result.sector_matrix[0, 1] == pytest.approx(np.mean(across))
    frame = result.sector_frame()
    assert frame.columns == ["sector", "Banks", "Tech"] and frame.height == 2


def test_symbols_with_too_few_returns_or_no_movement_are_dropped_with_a_reason(
    returns: dict[str, np.ndarray],
) -> None:
    frame = _frame(returns | {"GAPPY": returns["T2"] * 0.5, "FLAT": np.zeros(60), "NOSECTOR": returns["T3"]})
    frame = frame.filter(~((pl.col("symbol") == "GAPPY") & pl.col("session").is_in(SESSIONS[10:20])))
    result = rolling_correlations(frame, SECTORS, DAY, 60)
    dropped = dict(result.dropped.iter_rows())
    assert dropped["GAPPY"].startswith("49 of 60 daily returns")  # 10 closes missing cost 11 returns
    assert dropped["FLAT"] == "no price movement in the window"
    assert dropped["NOSECTOR"] == "no sector"
    assert not {"GAPPY", "FLAT", "NOSECTOR"} & set(result.symbols)
    # A single missing close is tolerated: its two returns count as zero de-meaned returns.
    one_gap = _frame(returns).filter(~((pl.col("symbol") == "T3") & (pl.col("session") == SESSIONS[30])))
    kept = rolling_correlations(one_gap, SECTORS, DAY, 60)
    assert "T3" in kept.symbols and kept.by_symbol.filter(pl.col("symbol") == "T3")["returns"].item() == 58


def test_a_lone_sector_member_has_no_sector_correlation(returns: dict[str, np.ndarray]) -> None:
    sectors = SECTORS.with_columns(
        sector=pl.when(pl.col("symbol") == "B3").then(pl.lit("Solo")).otherwise("sector")
    )
    result = rolling_correlations(_frame(returns), sectors, DAY, 60)
    assert result.by_symbol.filter(pl.col("symbol") == "B3")["corr_sector"].item() is None
    assert np.isnan(result.sector_matrix[result.sectors.index("Solo"), result.sectors.index("Solo")])


def test_500_by_500_in_well_under_a_second() -> None:
    rng = np.random.default_rng(1)
    common = rng.normal(0, 0.01, 60)
    returns = {f"S{k:03d}": common + rng.normal(0, 0.015, 60) for k in range(500)}
    frame = _frame(returns)
    sectors = pl.DataFrame({"symbol": list(returns), "sector": [f"G{k % 11}" for k in range(500)]})
    started = time.perf_counter()
    result = rolling_correlations(frame, sectors, DAY, 60)
    assert time.perf_counter() - started < 1.0
    assert result.matrix.shape == (500, 500) and result.sector_matrix.shape == (11, 11)
