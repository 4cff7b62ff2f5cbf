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
