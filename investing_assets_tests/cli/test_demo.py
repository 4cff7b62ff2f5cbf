import datetime as dt

from investing_assets import cli


def test_demo_builds_the_market_through_dagster(env, tmp_path, capsys):
    """`make demo` end to end, on a short window: servers from the env, two single runs, then the summary."""
    assert cli.main(["demo", "--sessions", "3", "--scan-sessions", "2", "--end", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "3 sessions, one run" in out
    assert "Top movers on 2026-11-20" in out
    assert "S&P 500" in out and "Redis cache as of 2026-11-20" in out
    assert "Largest EPS consensus revisions since the previous session" in out
    assert "Latest headlines (2026-11-20)" in out
    assert "Index valuations on 2026-11-20 (forward P/E on the coming fiscal year)" in out and "SPX" in out
    from investing_assets.lib.storage.warehouse import Warehouse

    warehouse = Warehouse(env)
    symbols = warehouse.count("market.universe", {"session": [dt.date(2026, 11, 20)]})
    assert symbols > 500
    assert warehouse.count("technicals.indicators") == 3 * symbols
    with warehouse.connect() as conn:  # the Dagster instance lives in the same PostgreSQL database
        runs = dict(conn.execute("SELECT pipeline_name, count(*) FROM runs WHERE status = 'SUCCESS' "
                                 "GROUP BY 1").fetchall())
        documents = conn.execute("SELECT count(*) FROM muni.documents WHERE status = 'extracted'").fetchone()[0]
        scored = conn.execute("SELECT count(*) FROM muni.risk_scores WHERE source = 'document'").fetchone()[0]
    # market history, market days, scan, estimates and news, planted patterns, watchlist grid, 2 reports, muni
    # model, muni scores; then one run per sample report
    assert runs.pop("__ASSET_JOB") == 10
    assert runs == {"muni_document_extraction": documents} and documents >= 24
    assert scored > 0  # issuers read from the sample reports are in the scored book
    assert warehouse.count("technicals.pattern_discoveries") > 0
    assert (tmp_path / "charts" / "watchlist" / "2026-11-20" / "JBL.png").exists()
    assert (tmp_path / "charts" / "symbols" / "AAPL.png").exists()
