import datetime as dt

import pytest

from investing_assets import cli
from investing_assets.lib.analytics.indicators import compute_indicators
from investing_assets.lib.analytics.scanner import ScanConfig, scan_day
from investing_assets.lib.core import calendar
from investing_assets.lib.synthetic.source import DemoSource


def test_scan_prints_the_same_discoveries_as_the_library(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    session = dt.date(2026, 11, 20)
    assert cli.main(["scan", "--symbols", "JBL", "UPS", "AAPL", "--session", session.isoformat()]) == 0
    out = capsys.readouterr().out
    bars = DemoSource().daily_bars(calendar.sessions_ending(session, ScanConfig().history_sessions),
                                   ["JBL", "UPS", "AAPL"])
    expected = scan_day(bars, None, session)
    assert f"{expected.discoveries.height} discoveries" in out
    for row in expected.discoveries.iter_rows(named=True):
        assert f"{row['symbol']:<7} {row['kind']:<6} {row['pattern']:<28}" in out


def test_chart_writes_a_png(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    out = tmp_path / "aapl.png"
    assert cli.main(["chart", "AAPL", "--session", "2026-11-20", "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"\x89PNG")
    assert "AAPL to 2026-11-20" in capsys.readouterr().out


def test_ta_prints_the_same_values_as_the_library(env, capsys):
    end = dt.date(2026, 11, 20)
    assert cli.main(["ta", "AAPL", "--days", "250", "--session", end.isoformat()]) == 0
    out = capsys.readouterr().out
    bars = DemoSource().daily_bars(calendar.sessions_ending(end, 250), ["AAPL"])
    expected = compute_indicators(bars).tail(1).row(0, named=True)
    assert "AAPL on 2026-11-20 (250 sessions" in out
    assert f"rsi_14       {expected['rsi_14']:,.4f}" in out
    assert f"sma_200      {expected['sma_200']:,.4f}" in out


def test_ta_refuses_a_non_ticker(env):
    with pytest.raises(Exception, match="refused symbol"):
        cli.main(["ta", "AAPL;DROP", "--days", "30"])
