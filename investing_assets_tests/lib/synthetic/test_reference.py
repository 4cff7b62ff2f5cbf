"""The demo market next to real quotes: levels, share classes, index scale, tails and correlations, all
measured on the generated history (statistics of the generator, not pasted outputs)."""

from __future__ import annotations

import datetime as dt
from importlib.resources import files

import numpy as np
import pytest

from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic import market, reference

SEED = 20161104
# Ten years of returns for the statistics: long enough to be stable.
STATS = (dt.date(2014, 1, 2), dt.date(2024, 12, 31))


@pytest.fixture(scope="module")
def demo() -> market.Market:
    return market.simulated_market(SEED)


@pytest.fixture(scope="module")
def returns(demo: market.Market) -> np.ndarray:
    first, last = (calendar.session_index(d) for d in STATS)
    return np.diff(np.log(demo.close[first : last + 1]), axis=0)


def _row(day: dt.date) -> int:
    return calendar.session_index(day)


def test_the_reference_table_ships_with_its_source_and_date() -> None:
    text = (files("investing_assets.lib.synthetic") / "reference_closes.csv").read_text()
    header = "".join(line for line in text.splitlines() if line.startswith("#"))
    assert reference.REFERENCE_SESSION.isoformat() in header and "pproximate" in header
    closes = reference.reference_closes()
    assert len(closes) >= 300 and all(0 < c < 10_000 for c in closes.values())


def test_every_stock_closes_at_its_reference_level_on_the_reference_session(demo: market.Market) -> None:
    row = _row(reference.REFERENCE_SESSION)
    real = 0
    for stock in demo.stocks:
        level, is_real = reference.reference_close(SEED, stock.symbol, stock.sector)
        real += is_real
        assert demo.close[row, demo.column[stock.symbol]] == pytest.approx(level, abs=0.006), stock.symbol
    assert real >= 300  # the names known well carry real levels, the rest a sector-typical one
    # Half a year on, the model has moved the prices but kept them at the same scale.
    later = np.log(demo.close[_row(dt.date(2025, 6, 30))] / demo.close[row])
    assert np.median(np.abs(later)) < 0.25
    assert (demo.close[_row(dt.date(2025, 6, 30)) :] >= 1.0).all()  # no penny stocks after the anchor


def test_share_classes_move_together_at_their_real_ratio(demo: market.Market) -> None:
    closes = reference.reference_closes()
    pairs = [(a, b) for a, b in reference.SHARE_CLASSES.items() if a in demo.column and b in demo.column]
    assert {("GOOG", "GOOGL"), ("FOX", "FOXA"), ("NWS", "NWSA")} <= set(pairs)
    for secondary, primary in pairs:
        ratio = demo.close[:, demo.column[secondary]] / demo.close[:, demo.column[primary]]
        real = closes[secondary] / closes[primary]
        assert np.abs(np.log(ratio / real)).max() < 0.03, secondary  # never more than 3 % off the real ratio
        assert np.log(ratio).std() < 0.005, secondary
        r = np.diff(np.log(demo.close[:, [demo.column[secondary], demo.column[primary]]]), axis=0)
        assert np.corrcoef(r.T)[0, 1] > 0.98, secondary


@pytest.mark.parametrize("seed", [SEED, 7])
def test_index_levels_are_at_their_real_scale(seed: int) -> None:
    demo = market.simulated_market(SEED) if seed == SEED else market.build_market(seed, _row(dt.date(2026, 12, 31)) + 1)
    q = demo.quotes["index"]
    level = {s: q.close[:, k] for k, s in enumerate(q.symbols)}
    row = _row(reference.REFERENCE_SESSION)
    for code, real in reference.INDEX_LEVELS.items():
        assert level[code][row] == pytest.approx(real, abs=0.006)
    window = slice(_row(dt.date(2023, 1, 3)), _row(dt.date(2026, 12, 31)) + 1)
    ndx, dji = level["NDX"][window] / level["SPX"][window], level["DJI"][window] / level["SPX"][window]
    assert 3.0 < ndx.min() and ndx.max() < 4.2  # real: about 3.5
    assert 6.0 < dji.min() and dji.max() < 8.5  # real: about 7


def test_daily_tails_are_fat_but_mega_caps_rarely_move_beyond_8_percent(
    demo: market.Market, returns: np.ndarray
) -> None:
    mega = [demo.column[s] for s in sorted(market._MEGA_CAPS) if s in demo.column]
    moves = np.abs(np.expm1(returns[:, mega]))
    assert (moves > 0.08).mean() < 0.003  # real mega caps 2010-2024: about 0.1-0.3 % of days
    assert np.percentile(moves, 99.9) < 0.10
    assert moves.max() < 0.25
    centred = returns - returns.mean(axis=0)
    kurtosis = (centred**4).mean(axis=0) / (centred**2).mean(axis=0) ** 2
    assert np.median(kurtosis) > 4  # fat tails (a normal gives 3)


def test_correlations_are_a_market_factor_plus_sector_factors(demo: market.Market, returns: np.ndarray) -> None:
    corr = np.corrcoef(returns.T)
    sector = np.array([s.sector for s in demo.stocks])
    upper = np.triu_indices(len(sector), 1)
    values, cross = corr[upper], sector[upper[0]] != sector[upper[1]]
    assert 0.2 <= np.median(values[cross]) <= 0.6
    assert ((values[cross] >= 0.2) & (values[cross] <= 0.6)).mean() > 0.6  # mostly 0.2-0.6
    assert np.percentile(values[cross], 99) < 0.8
    assert np.median(values[~cross]) > np.median(values[cross]) + 0.05  # sector factors on top
