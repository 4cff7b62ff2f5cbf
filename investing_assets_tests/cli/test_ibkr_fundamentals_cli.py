"""`investing ibkr-fundamentals`: the ETL without Dagster, on the demo's reports and against a gateway not there."""

import socket

import pytest

from investing_assets import cli
from investing_assets.lib.storage import names
from investing_assets.lib.storage.warehouse import Warehouse


def test_one_run_on_the_demo_reports_prints_what_it_stored(env, capsys, monkeypatch):
    monkeypatch.setenv("INVESTING_SOURCE", "demo")
    assert cli.main(["ibkr-fundamentals", "--budget", "6", "--symbols", "MSFT", "AAPL", "XOM"]) == 0
    out = capsys.readouterr().out
    assert "from demo: fetched 2 of 2 symbols with 6 of 6 requests" in out
    profiles = Warehouse(env).read_frame(f"SELECT symbol FROM {names.IBKR_PROFILE} ORDER BY 1")
    assert profiles["symbol"].to_list() == ["AAPL", "MSFT"]  # never fetched before: alphabetical, XOM next time
    assert f"{names.IBKR_PROFILE:<32} {2:>9,} rows" in out
    assert cli.main(["ibkr-fundamentals", "--budget", "3", "--symbols", "MSFT", "AAPL", "XOM"]) == 0
    assert "fetched 1 of 1 symbols" in capsys.readouterr().out
    assert Warehouse(env).count(names.IBKR_PROFILE) == 3


def test_a_gateway_not_there_names_every_report_and_exits_1(env, capsys, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("INVESTING_SOURCES", "fundamentals=ibkr")
    monkeypatch.setenv("INVESTING_IBKR_PORT", str(port))
    assert cli.main(["ibkr-fundamentals", "--budget", "3", "--symbols", "AAPL"]) == 1
    captured = capsys.readouterr()
    assert "fetched 0 of 1 symbols with 0 of 3 requests" in captured.out
    assert captured.err.count("refused AAPL Report") == 3
    assert f"stopped asking: ibkr 127.0.0.1:{port}: no TWS or IB Gateway answered" in captured.err


def test_a_budget_below_one_symbol_is_one_line(env):
    with pytest.raises(SystemExit, match="investing ibkr-fundamentals: a budget of 2 requests cannot ask the 3 "
                                         "reports of one symbol"):
        cli.main(["ibkr-fundamentals", "--budget", "2", "--symbols", "AAPL"])
