import datetime as dt

import numpy as np
import polars as pl

from investing_assets.lib.core.results import owned, previews_by_session, session_groups


def _address(frame: pl.DataFrame) -> int:
    return frame.get_column("x").to_numpy(allow_copy=False).__array_interface__["data"][0]


def test_an_owned_preview_does_not_keep_its_source_alive():
    source = pl.DataFrame({"x": np.arange(100_000, dtype=np.float64)})
    head = source.head(10)
    assert _address(head) == _address(source)  # polars' slice shares the buffer: what owned() is for
    copy = owned(head)
    assert copy.equals(head) and copy.schema == head.schema
    assert _address(copy) != _address(source)


def test_previews_by_session_are_owned_and_per_session():
    days = [dt.date(2026, 11, 18), dt.date(2026, 11, 19)]
    frame = pl.DataFrame({"session": [days[0]] * 3 + [days[1]] * 2, "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    rows_of = session_groups(frame)
    previews = previews_by_session([*days, dt.date(2026, 11, 20)], lambda d: rows_of(d).head(2) if d in days else None)
    assert sorted(previews) == days
    assert previews[days[0]].get_column("x").to_list() == [1.0, 2.0]
    assert previews[days[1]].get_column("x").to_list() == [4.0, 5.0]
