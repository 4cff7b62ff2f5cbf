"""`investing etf SYMBOL`: the largest holdings from the warehouse when it stores them, else from the source; one
line for an ETF the source has no list of."""

import datetime as dt

import polars as pl
import pytest

from investing_assets import cli
from investing_assets.lib.services.etf_holdings import write_etf_holdings
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets.lib.synthetic.source import DemoSource

SESSION = dt.date(2026, 11, 20)


def printed_rows(out: str) -> list[list[str]]:
    return [line.split() for line in out.splitlines() if line.lstrip()[:1].isdigit()]


def test_top_holdings_from_the_source(monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    assert cli.main(["etf", "dia", "--top", "3", "--session", SESSION.isoformat()]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "DIA on 2026-11-20: 30 holdings, weights sum to 100.00% (from the source demo)"
    assert lines[1] == f"  {DemoSource.disclaimer}"
    top = DemoSource().etf_holdings(SESSION, ["DIA"]).head(3)
    assert [(row[1], row[-1]) for row in printed_rows(out)] == [
        (s, f"{w * 100:.2f}%") for s, w in top.select("symbol", "weight").rows()]
    assert [row[0] for row in printed_rows(out)] == ["1.", "2.", "3."]


def test_top_holdings_from_the_warehouse_with_cash_lines(env, capsys):
    lists = DemoSource().etf_holdings(SESSION, ["DIA"])
    cash = pl.DataFrame({"etf": ["DIA"], "symbol": [None], "name": ["US DOLLAR"], "weight": [0.5],
                         "shares": [87694655.23], "market_value": [87746247.0], "as_of": [dt.date(2026, 11, 18)]},
                        schema=lists.schema)

    class WithCash(DemoSource):
        def etf_holdings(self, session, etfs=None):
            return pl.concat([super().etf_holdings(session, ["DIA"]).with_columns(weight=pl.col("weight") / 2), cash])

    write_etf_holdings(WithCash(), Warehouse(env), None, [SESSION])
    assert cli.main(["etf", "DIA", "--top", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("DIA on 2026-11-20: 31 holdings, weights sum to 100.00% (from the warehouse, rows "
                                   "of the demo source; the list is of 2026-11-18)")
    rows = printed_rows(out)
    assert rows[0][:4] == ["1.", "-", "US", "DOLLAR"] and rows[0][-3:] == ["50.00%", "87,694,655", "87,746,247"]
    assert rows[1][1] == lists.item(0, "symbol") and rows[1][-1] == f"{lists.item(0, 'weight') * 50:.2f}%"


def test_an_etf_without_a_list_is_one_line(monkeypatch, tmp_path):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    with pytest.raises(SystemExit) as refused:
        cli.main(["etf", "ARKK", "--session", SESSION.isoformat()])
    message = str(refused.value)
    assert message.startswith("investing etf: demo: no holdings of ARKK: the demo holds lists of DIA, QQQ, SPY, ")
    assert "\n" not in message
    with pytest.raises(SystemExit, match="investing etf: 2026-11-21 is not an NYSE session"):
        cli.main(["etf", "SPY", "--session", "2026-11-21"])


def test_top_must_be_positive(capsys):
    with pytest.raises(SystemExit) as refused:
        cli.main(["etf", "SPY", "--top", "0"])
    assert refused.value.code == 2
    assert "argument --top: must be at least 1 (got 0)" in capsys.readouterr().err
