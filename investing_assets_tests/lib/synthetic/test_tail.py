from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from investing_assets import settings
from investing_assets.lib.core import calendar
from investing_assets.lib.core.instruments import INSTRUMENTS
from investing_assets.lib.core.symbols import is_ticker
from investing_assets.lib.synthetic import market, reference, tail, universe
from investing_assets.lib.synthetic.source import DemoSource

SEED = 20161104
DAY = dt.date(2025, 6, 2)
# The simulation must reach the reference session (where levels are anchored) and is cheap just past it.
COUNT = calendar.session_index(reference.REFERENCE_SESSION) + 1


def test_the_default_universe_is_the_index_members_unchanged() -> None:
    members = universe.stocks()
    assert tail.demo_stocks(SEED) is members
    assert tail.demo_stocks(SEED, len(members)) is members
    assert DemoSource().universe(DAY).equals(DemoSource(universe_size=None).universe(DAY))
    assert market.simulated_market(SEED).stocks == members


@pytest.mark.parametrize("size", [500, 1_000, 5_000])
def test_sizes(size: int) -> None:
    stocks = tail.demo_stocks(SEED, size)
    symbols = [s.symbol for s in stocks]
    assert len(stocks) == size
    assert symbols == sorted(set(symbols))
    members = {s.symbol for s in universe.stocks()}
    dow = {s.symbol for s in universe.stocks() if "DJI" in s.indices}
    if size >= len(members):
        assert members <= set(symbols)  # every index member stays, so the indices are the real baskets
    else:
        assert dow <= set(symbols) <= members
    assert DemoSource(universe_size=size).universe(DAY).height == size


def test_a_smaller_universe_is_inside_a_larger_one() -> None:
    assert {s.symbol for s in tail.demo_stocks(SEED, 300)} <= {s.symbol for s in tail.demo_stocks(SEED, 450)}
    smallest = tail.demo_stocks(SEED, tail.MIN_SIZE)
    assert {s.sector for s in smallest if "SPX" in s.indices} == set(universe.SECTORS)  # every sector ETF a basket
    assert all(any(code in s.indices for s in smallest) for code in universe.INDEX_CODES)


def test_tail_tickers_collide_with_nothing() -> None:
    listings = tail.tail_listings(SEED, 5_000 - len(universe.stocks()))
    tickers = [s.symbol for s in listings]
    assert len(set(tickers)) == len(tickers)
    assert len({s.name for s in listings}) == len(listings)
    quoted = {symbol for of_class in INSTRUMENTS.values() for symbol in of_class}
    reserved = {s.symbol for s in universe.stocks()} | set(reference.reference_closes()) | quoted
    assert not reserved & set(tickers)
    assert all(is_ticker(t) and 3 <= len(t) <= 4 for t in tickers)
    assert all(not s.indices for s in listings)  # never a member of SPX, NDX or DJI
    assert {s.sector for s in listings} == set(universe.SECTORS)
    industries = {sector: {name for name, _ in of_sector} for sector, of_sector in tail._INDUSTRIES.items()}
    assert all(s.industry in industries[s.sector] for s in listings)


def test_the_tail_is_deterministic_and_only_appends() -> None:
    larger = tail.tail_listings(SEED, 1_200)
    tail.tail_listings.cache_clear()
    assert tail.tail_listings(SEED, 1_200) == larger
    assert tail.tail_listings(SEED, 400) == larger[:400]
    assert tail.tail_listings(SEED + 1, 400) != larger[:400]


def test_a_tail_symbols_bars_do_not_depend_on_the_universe_size() -> None:
    small = tail.demo_stocks(SEED, 700)
    picked = tuple(s for s in small if not s.indices)[::9] + universe.stocks()[::4]  # every sector ETF keeps members
    picked = tuple(sorted(picked, key=lambda s: s.symbol))
    whole = market.build_market(SEED, COUNT, small)
    part = market.build_market(SEED, COUNT, picked)
    columns = [whole.column[s.symbol] for s in picked]
    for name in ("open", "high", "low", "close", "volume"):
        np.testing.assert_array_equal(getattr(part, name), getattr(whole, name)[:, columns], err_msg=name)


def test_the_tail_looks_like_real_small_caps() -> None:
    """Annual vol around 45 % (members: about 23 %), correlation with the S&P 500 around 0.35 (members: 0.5),
    caps below every member's, lower share prices, and turnover like the members'."""
    stocks = tail.demo_stocks(SEED, 1_000)
    demo = market.build_market(SEED, COUNT, stocks, plant=False)
    returns = np.diff(np.log(demo.close), axis=0)
    index = demo.quotes["index"]
    spx = np.diff(np.log(index.close[:, index.symbols.index("SPX")]))
    is_tail = np.array([not s.indices for s in stocks])
    vol = returns.std(axis=0) * np.sqrt(252)
    corr = np.array([np.corrcoef(returns[:, j], spx)[0, 1] for j in range(returns.shape[1])])
    cap = demo.close[-1] * demo.shares
    turnover = (demo.volume / demo.shares).mean(axis=0)
    assert 0.33 <= np.median(vol[is_tail]) <= 0.6 and np.median(vol[~is_tail]) < 0.3
    assert 0.25 <= np.median(corr[is_tail]) <= 0.5 < np.median(corr[~is_tail])
    reference_row = COUNT - 1
    at_reference = demo.close[reference_row] * demo.shares
    assert at_reference[is_tail].max() < at_reference[~is_tail].min()
    assert 0.2e9 <= np.median(cap[is_tail]) <= 3e9
    assert np.median(demo.close[-1, is_tail]) < 0.5 * np.median(demo.close[-1, ~is_tail])
    assert 0.004 <= np.median(turnover[is_tail]) <= 0.014


def test_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INVESTING_DEMO_SYMBOLS", raising=False)
    assert settings.demo_symbols() is None
    monkeypatch.setenv("INVESTING_DEMO_SYMBOLS", "5000")
    assert settings.demo_symbols() == 5_000
    for bad in ("lots", "0", str(tail.MAX_SIZE + 1)):
        monkeypatch.setenv("INVESTING_DEMO_SYMBOLS", bad)
        with pytest.raises(ValueError, match="INVESTING_DEMO_SYMBOLS"):
            settings.demo_symbols()
    with pytest.raises(ValueError, match="holds"):
        DemoSource(universe_size=tail.MIN_SIZE - 1)
