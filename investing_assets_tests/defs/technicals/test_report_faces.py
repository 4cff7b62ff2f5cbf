"""One chart for one symbol and session, whichever face draws it: the `technical_report` asset, the
`watchlist_report` grid, and `investing chart` with the servers up (warehouse bars) or down (the demo source)."""

import datetime as dt
import json

import dagster as dg

from investing_assets import cli
from investing_assets.defs.technicals import assets as technicals
from investing_assets.lib.services.history import write_symbol_history
from investing_assets.lib.services.reports import SHOWN_SESSIONS, report_window, technical_report
from investing_assets.lib.services.sources import synthetic_note
from investing_assets.lib.synthetic.source import DemoSource

LAST = dt.date(2026, 11, 20)
SYMBOL = "JBL"  # the demo plants a double top completing on LAST


def test_asset_grid_and_cli_give_the_same_report(warehouse, pg_url, resources, instance, tmp_path, monkeypatch,
                                                 capsys):
    # the demo is synthetic, and every face says so above the chart
    expected = technical_report(SYMBOL, DemoSource().daily_bars(report_window(LAST), [SYMBOL]), LAST,
                                data_note=synthetic_note("demo"))
    assert expected.chart.data_note and "synthetic" in expected.chart.data_note
    assert expected.patterns.height >= 1 and expected.events.height >= 1  # there is something to disagree on
    assert expected.chart.series["SMA 200"] == SHOWN_SESSIONS
    # the warehouse holds more than the window: every face must still read just the window
    write_symbol_history(DemoSource(), warehouse, SYMBOL, start=report_window(LAST)[0] - dt.timedelta(days=120),
                         end=LAST)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    instance.add_dynamic_partitions("symbol", [SYMBOL])
    instance.add_dynamic_partitions("watchlist", [SYMBOL])

    asset = dg.materialize([technicals.technical_report], partition_key=SYMBOL, resources=resources,
                           instance=instance)
    grid = dg.materialize([technicals.watchlist_report], partition_key=f"{LAST}|{SYMBOL}", resources=resources,
                          instance=instance)
    assert asset.success and grid.success
    monkeypatch.setenv("INVESTING_PG_URL", pg_url)
    assert cli.main(["chart", SYMBOL, "--session", LAST.isoformat(), "--out", str(tmp_path / "up.png")]) == 0
    up = capsys.readouterr().out
    monkeypatch.delenv("INVESTING_PG_URL")
    assert cli.main(["chart", SYMBOL, "--session", LAST.isoformat(), "--out", str(tmp_path / "down.png")]) == 0
    down = capsys.readouterr().out

    assert "bars from the warehouse" in up and "bars from the source demo" in down
    counts = f"{SYMBOL} to {LAST}, adjusted prices, bars from the {{}}; {expected.patterns.height} patterns, " \
             f"{expected.events.height} events)"
    assert counts.format("warehouse") in up and counts.format("source demo") in down
    assert f"250 sessions shown, indicators and detections over 532 of 532 sessions from {report_window(LAST)[0]}" \
           in down
    meta = asset.asset_materializations_for_node("technical_report")[0].metadata
    assert meta["as_of"].value == LAST.isoformat() and meta["price_basis"].value == "adjusted"
    assert (meta["patterns"].value, meta["events"].value) == (expected.patterns.height, expected.events.height)
    assert meta["drawn"].value == json.loads(json.dumps({"series": expected.chart.series,
                                                         "markers": expected.chart.markers}))
    cell = [m for m in grid.asset_materializations_for_node("watchlist_report")
            if m.partition == f"{LAST.isoformat()}|{SYMBOL}"][-1].metadata  # the cell's own, as the UI shows it
    assert (cell["patterns"].value, cell["events"].value) == (expected.patterns.height, expected.events.height)
    faces = {
        "asset": tmp_path / "charts" / "symbols" / f"{SYMBOL}.png",
        "grid": tmp_path / "charts" / "watchlist" / LAST.isoformat() / f"{SYMBOL}.png",
        "cli, servers up": tmp_path / "up.png",
        "cli, servers down": tmp_path / "down.png",
    }
    differing = [face for face, path in faces.items() if path.read_bytes() != expected.png]
    assert not differing, f"these faces drew another picture: {differing}"
