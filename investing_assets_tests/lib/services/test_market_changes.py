"""A session's change is close over the previous NYSE session's close, or null: never close over open."""

import datetime as dt

import polars as pl

from investing_assets.lib.services.market import session_changes, top_movers

MONDAY, FRIDAY, THURSDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 20), dt.date(2026, 11, 19)


def _bars(rows: list[tuple[str, dt.date, float]]) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={"symbol": pl.String, "session": pl.Date, "close": pl.Float64}, orient="row")
    return frame.with_columns(open=pl.col("close") * 2)


def test_change_is_over_the_previous_session_and_null_without_it():
    bars = _bars([("AAA", FRIDAY, 100.0), ("AAA", MONDAY, 110.0),
                  ("BBB", THURSDAY, 50.0), ("BBB", MONDAY, 40.0),  # Friday missing: no change, not Thursday's
                  ("CCC", MONDAY, 10.0)])
    changes = session_changes(bars, MONDAY).sort("symbol")
    assert changes.get_column("change_pct").to_list()[0] == (110.0 / 100.0 - 1) * 100
    assert changes.get_column("change_pct").to_list()[1:] == [None, None]
    assert top_movers(bars, MONDAY).get_column("symbol").to_list() == ["AAA"]
    assert top_movers(bars.filter(pl.col("session") == MONDAY), MONDAY).height == 0


def test_a_range_previews_each_session_from_one_split_as_a_filter_would():
    """write_daily_bars' per-session movers come from `session_groups` (one split, not a filter per session)."""
    from investing_assets.lib.core.results import session_groups
    from investing_assets.lib.services.market import _previous_session, changes_between, ranked_movers

    bars = _bars([(symbol, day, 10.0 + k * 3.7 + j) for j, symbol in enumerate("ABCDEFGHIJKL")
                  for k, day in enumerate([THURSDAY, FRIDAY, MONDAY]) if (j + k) % 5])
    rows_of = session_groups(bars)
    for day in (THURSDAY, FRIDAY, MONDAY, dt.date(2026, 11, 24)):
        assert rows_of(day).equals(bars.filter(pl.col("session") == day))
        previous = _previous_session(day)
        split = ranked_movers(changes_between(rows_of(day), rows_of(previous) if previous else None))
        assert split.equals(top_movers(bars, day)), day
    assert top_movers(bars, MONDAY).height >= 5  # something to compare
