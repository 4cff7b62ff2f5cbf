"""`investing summary` says where its data comes from when the source makes it up."""

import polars as pl

from investing_assets.lib.services.sources import synthetic_note
from investing_assets.lib.services.summary import Summary


def test_the_summary_of_demo_data_says_synthetic_first() -> None:
    note = synthetic_note("demo")
    demo = Summary(None, {"daily_bars": 10}, pl.DataFrame(), pl.DataFrame(), None, data_note=note).render()
    assert demo.splitlines()[0] == f"Data: {note}" and "synthetic" in demo.splitlines()[0]
    real = Summary(None, {"daily_bars": 10}, pl.DataFrame(), pl.DataFrame(), None,
                   data_note=synthetic_note("yahoo")).render()
    assert real.splitlines()[0] == "Rows in the warehouse:" and "synthetic" not in real


def test_trailing_valuations_are_shown_next_to_the_forward_ones_and_unknown_ones_say_so() -> None:
    import datetime as dt

    day = dt.date(2026, 11, 20)
    valuations = pl.DataFrame({"session": [day, day], "index_code": ["DJI", "SPX"], "forward_pe": [19.5, 21.25],
                               "earnings_yield": [5.13, 4.71], "trailing_pe": [None, 23.4],
                               "price_to_book": [None, 4.56], "dividend_yield": [None, 1.234]})
    sectors = pl.DataFrame({"session": [day], "name": ["Energy"], "market_cap": [1e12], "forward_pe": [12.0],
                            "trailing_pe": [13.5], "price_to_book": [1.9], "dividend_yield": [3.1]})
    text = Summary(day, {}, pl.DataFrame({"symbol": [], "close": [], "change_pct": []}),
                   pl.DataFrame({"name": [], "close": [], "change_pct": []}), None,
                   valuations=valuations, sectors=sectors).render()
    lines = text.splitlines()
    spx = next(line for line in lines if line.strip().startswith("SPX"))
    assert spx.split() == ["SPX", "21.2x", "4.71%", "23.4x", "4.6x", "1.23%"]
    dji = next(line for line in lines if line.strip().startswith("DJI"))
    assert dji.split() == ["DJI", "19.5x", "5.13%", "-", "-", "-"]  # no filings known: said, not zero
    assert "trailing: the last twelve months filed with the SEC" in text
    energy = next(line for line in lines if line.strip().startswith("Energy"))
    assert energy.split() == ["Energy", "12.0x", "13.5x", "1.9x", "3.10%"]
