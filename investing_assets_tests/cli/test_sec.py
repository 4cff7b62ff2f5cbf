import datetime as dt

import pytest

from investing_assets.cli import main
from investing_assets.cli.sec import newest_week
from investing_assets.lib.storage.warehouse import Warehouse


@pytest.mark.parametrize("today, week", [
    (dt.date(2026, 11, 20), dt.date(2026, 11, 7)),  # Friday: its own week ends tomorrow at 02:00
    (dt.date(2026, 11, 21), dt.date(2026, 11, 14)),  # Saturday: that week has just ended
    (dt.date(2026, 11, 23), dt.date(2026, 11, 14)),
])
def test_the_newest_week_is_the_last_one_ended(today, week):
    assert newest_week(today) == week and week.weekday() == 5


def test_ingest_then_reprocess_without_dagster(env, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("INVESTING_SEC_SOURCE", "demo")
    assert main(["sec", "ingest", "--week", "2026-11-14"]) == 0
    out = capsys.readouterr().out
    assert "week of 2026-11-14: 508 tickers, 508 filers" in out and "raw facts: 508 companies" in out
    warehouse = Warehouse(env)
    rows = warehouse.count("fundamentals.sec_financials")
    assert rows > 0 and f"standardized: {rows:,} rows" in out
    assert (tmp_path / "sec" / "2026-11-14" / "companyfacts.zip").exists()
    assert main(["sec", "reprocess"]) == 0
    assert f"nothing downloaded): {rows:,} rows, 508 companies" in capsys.readouterr().out


def test_edgar_without_a_contact_is_refused_in_one_line(env, monkeypatch):
    monkeypatch.setenv("INVESTING_SEC_SOURCE", "edgar")
    monkeypatch.delenv("INVESTING_SEC_USER_AGENT", raising=False)
    with pytest.raises(SystemExit) as refused:
        main(["sec", "ingest", "--week", "2026-11-14"])
    assert str(refused.value).startswith("investing sec ingest: SEC EDGAR: set INVESTING_SEC_USER_AGENT")
    with pytest.raises(SystemExit, match="is a Friday"):
        main(["sec", "ingest", "--week", "2026-11-20"])
