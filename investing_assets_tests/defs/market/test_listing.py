"""Listing and delisting through the csv source, as a user's own exports look: a symbol that lists inside the
range (an IPO), one that delists, a row dated on a holiday, and a listed symbol missing a session.

The files are Yahoo-style exports (Date,Open,High,Low,Close,Adj Close,Volume) of the demo market's bars, cut
where each company trades."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from investing_assets.defs.market import assets as market_assets
from investing_assets.defs.shared.resources import MarketDataResource
from investing_assets.lib.core import calendar
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource
from investing_assets_tests.defs._helpers import latest_metadata, materialize_range

FIRST, LAST = dt.date(2026, 11, 9), dt.date(2026, 11, 27)
IPO, DELISTED = dt.date(2026, 11, 18), dt.date(2026, 11, 13)  # NEWCO's first session, OLDCO's last
THANKSGIVING = dt.date(2026, 11, 26)


def write_export(folder: Path, symbol: str, rows, holiday: dt.date | None = None) -> None:
    lines = ["Date,Open,High,Low,Close,Adj Close,Volume"]
    for r in rows.iter_rows(named=True):
        lines.append(f"{r['session']},{r['open']:.4f},{r['high']:.4f},{r['low']:.4f},{r['close']:.4f},"
                     f"{r['close']:.4f},{r['volume']}")
        if holiday is not None and r["session"] == calendar.sessions_ending(holiday, 1)[0]:
            # a vendor's stray row on the holiday, repeating the day before
            lines.append(f"{holiday},{r['open']:.4f},{r['high']:.4f},{r['low']:.4f},{r['close']:.4f},"
                         f"{r['close']:.4f},0")
    (folder / f"{symbol}.csv").write_text("\n".join(lines) + "\n")


@pytest.fixture
def folder(tmp_path):
    bars = DemoSource().daily_bars(calendar.sessions_between(dt.date(2026, 10, 1), LAST), ["AAPL", "MSFT", "KO"])
    write_export(tmp_path, "AAPL", bars.filter(symbol="AAPL"), holiday=THANKSGIVING)
    write_export(tmp_path, "NEWCO", bars.filter(symbol="MSFT").filter(bars.filter(symbol="MSFT")["session"] >= IPO))
    write_export(tmp_path, "OLDCO", bars.filter(symbol="KO").filter(bars.filter(symbol="KO")["session"] <= DELISTED))
    return tmp_path


def csv_resources(resources: dict, folder: Path) -> dict:
    return {**resources, "market_data": MarketDataResource(source="csv", csv_folder=str(folder))}


def check_results(result) -> dict:
    return {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_a_symbol_is_in_the_universe_only_while_it_trades(resources, instance, folder):
    assets = [market_assets.universe, market_assets.daily_bars]
    result = materialize_range(assets, FIRST, LAST, csv_resources(resources, folder), instance)
    assert result.success
    checks = check_results(result)
    assert all(check.passed for check in checks.values()), {n: c.description for n, c in checks.items()}

    with Warehouse(resources["warehouse"].url).connect() as conn:
        spans = {row[0]: row[1:] for row in conn.execute(
            "SELECT symbol, min(session), max(session), min(first_session), min(last_session), count(*) "
            "FROM market.universe GROUP BY symbol").fetchall()}
    sessions = calendar.sessions_between(FIRST, LAST)
    assert spans["AAPL"] == (FIRST, LAST, dt.date(2026, 10, 1), LAST, len(sessions))
    assert spans["NEWCO"] == (IPO, LAST, IPO, LAST, len(calendar.sessions_between(IPO, LAST)))
    assert spans["OLDCO"] == (FIRST, DELISTED, dt.date(2026, 10, 1), DELISTED,
                              len(calendar.sessions_between(FIRST, DELISTED)))

    notes = run_notes(result, "universe")
    assert "NEWCO lists on 2026-11-18" in notes and "OLDCO delists after 2026-11-13" in notes
    # the holiday row is not stored, and the run says so by date and symbol, on the next session's partition
    assert "1 source row(s) dated on days that are not NYSE sessions, not stored: 2026-11-26 (AAPL)" in \
        run_notes(result, "daily_bars")
    assert "| 2026-11-26 | AAPL |" in latest_metadata(instance, "daily_bars", "2026-11-27")["off_calendar_rows"]
    assert "off_calendar_rows" not in latest_metadata(instance, "daily_bars", "2026-11-25")


def run_notes(result, asset: str) -> str:
    """The notes of the run's own figures (the range's observation, beside each partition's materialization)."""
    runs = [m for m in result.asset_observations_for_node(asset) if "run_range" in m.metadata
            and "run_sessions" in m.metadata]
    return runs[0].metadata["notes"].value


def drop_row(day: dt.date):
    def edit(folder: Path) -> None:
        path = folder / "AAPL.csv"
        path.write_text("".join(line for line in path.read_text().splitlines(keepends=True)
                                if not line.startswith(f"{day},")))
    return edit


def repeat_row(day: dt.date):
    def edit(folder: Path) -> None:
        path = folder / "AAPL.csv"
        row = next(line for line in path.read_text().splitlines(keepends=True) if line.startswith(f"{day},"))
        path.write_text(path.read_text() + row)
    return edit


def write_file(name: str, text: str):
    return lambda folder: (folder / name).write_text(text)


HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"


def stored(warehouse: Warehouse) -> dict[str, list[tuple]]:
    with warehouse.connect() as conn:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("market.universe", "market.daily_bars")}


def first_error(result) -> str:
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    return failure.step_failure_data.error.to_string()


@pytest.mark.parametrize("edit, message", [
    # a listed symbol missing a session (universe coverage), named with its file
    (drop_row(dt.date(2026, 11, 19)), "no bar from the csv source for a symbol listed that session: AAPL on "
                                      "2026-11-19 (from {folder}/AAPL.csv) (1 row(s) in all); nothing was written"),
    (write_file("EMPTY.csv", HEADER), "{folder}/EMPTY.csv: a header but no rows"),
    (write_file("EMPTY.csv", ""), "{folder}/EMPTY.csv: an empty file"),
    (repeat_row(dt.date(2026, 11, 19)), "{folder}/AAPL.csv: more than one row for 2026-11-19"),
    (write_file("..csv", HEADER + "2026-11-19,1,2,0.5,1.5,1.5,10\n"), None),  # hidden: not the symbol "."
    (write_file("-.csv", HEADER + "2026-11-19,1,2,0.5,1.5,1.5,10\n"), "file name '-.csv' is not a ticker"),
])
def test_bad_csv_input_fails_before_anything_is_written(resources, instance, folder, warehouse, edit, message):
    """Every check the README promises before writing: the run fails naming the file, symbol or session, and the
    stored universe and bars are the ones of the last good run, unchanged."""
    assets = [market_assets.universe, market_assets.daily_bars]
    assert materialize_range(assets, FIRST, LAST, csv_resources(resources, folder), instance).success
    before = stored(warehouse)

    edit(folder)
    result = materialize_range(assets, FIRST, LAST, csv_resources(resources, folder), instance,
                               raise_on_error=False)
    if message is None:
        assert result.success
    else:
        assert not result.success
        assert message.format(folder=folder) in first_error(result)
    assert stored(warehouse) == before


def test_a_symbol_whose_file_is_gone_fails_its_bars_and_writes_nothing(resources, instance, folder, warehouse):
    assets = [market_assets.universe, market_assets.daily_bars]
    assert materialize_range(assets, FIRST, LAST, csv_resources(resources, folder), instance).success
    before = stored(warehouse)
    (folder / "NEWCO.csv").unlink()  # the stored universe still lists it
    result = materialize_range([market_assets.daily_bars], FIRST, LAST, csv_resources(resources, folder), instance,
                               raise_on_error=False)
    assert "csv source: no file for ['NEWCO']" in first_error(result)
    assert stored(warehouse) == before


def test_a_link_out_of_the_folder_fails_the_run_without_quoting_its_target(resources, instance, folder, warehouse,
                                                                          tmp_path_factory):
    """The run error is stored and shown by the UI: it names the link, never the first line of what it points at."""
    secret = tmp_path_factory.mktemp("elsewhere") / "passwd"
    secret.write_text("root:x:0:0:Zq7-private:/root:/bin/bash\n")
    (folder / "LINKED.csv").symlink_to(secret)
    result = materialize_range([market_assets.universe], FIRST, LAST, csv_resources(resources, folder), instance,
                               raise_on_error=False)
    error = first_error(result)
    assert f"csv source: LINKED.csv in {folder} links outside the folder" in error
    assert "Zq7-private" not in error and "root:x" not in error
    assert warehouse.count("market.universe") == 0


def test_the_demo_source_supports_a_later_listing(warehouse):
    from investing_assets.lib.services.market import write_daily_bars, write_universe

    listed = DemoSource(listings={"AAPL": (IPO, None)})
    sessions = calendar.sessions_between(FIRST, LAST)
    written, latest = write_universe(listed, warehouse, sessions)
    write_daily_bars(listed, warehouse, sessions)
    assert "AAPL" in latest and "AAPL lists on 2026-11-18" in written.notes
    with warehouse.connect() as conn:
        first_bar = conn.execute("SELECT min(session) FROM market.daily_bars WHERE symbol = 'AAPL'").fetchone()[0]
        msft_bars = conn.execute("SELECT count(*) FROM market.daily_bars WHERE symbol = 'MSFT'").fetchone()[0]
    assert first_bar == IPO
    assert msft_bars == len(sessions)  # everyone else trades on every session
    # the prices are the market's own: a listing only hides bars
    assert listed.daily_bars([LAST], ["AAPL"]).equals(DemoSource().daily_bars([LAST], ["AAPL"]))


def test_a_session_after_every_file_ends_is_refused_naming_the_span(resources, instance, folder):
    """An empty universe would also remove every `symbol` partition: the run fails instead, saying why."""
    result = materialize_range([market_assets.universe], dt.date(2026, 11, 30), dt.date(2026, 11, 30),
                               csv_resources(resources, folder), instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error = failure.step_failure_data.error
    assert error.cause.cls_name == "BadMarketData"
    assert error.cause.message.startswith(
        "investing_assets.lib.core.errors.BadMarketData: no symbol of the csv source trades on 2026-11-30: its "
        "histories run 2026-10-01 to 2026-11-27")
