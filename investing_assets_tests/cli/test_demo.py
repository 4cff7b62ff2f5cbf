import datetime as dt
import subprocess
import sys

import dagster as dg
from dagster._core.execution.backfill import BulkActionStatus

from investing_assets.cli.common import environment, prepare_environment
from investing_assets.cli.muni import DEMO_SAMPLES
from investing_assets.defs.fixed_income.assets import BATCH_DOCUMENTS
from investing_assets.launch.launcher import LOCATION_NAME


def test_demo_builds_the_market_through_dagster(env, tmp_path):
    """`make demo` end to end, on a short window, in its own process as a user runs it: servers from the env,
    each range a backfill, every run re-executable from the UI, then the summary."""
    done = subprocess.run([sys.executable, "-m", "investing_assets.cli", "demo", "--sessions", "3",
                           "--scan-sessions", "2", "--end", "2026-11-20"], capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-4000:]
    out = done.stdout
    assert "(3 sessions) ==" in out and "(backfill " in out
    assert "Top movers on 2026-11-20" in out
    assert "S&P 500" in out and "Redis cache as of 2026-11-20" in out
    assert "Largest EPS consensus revisions since the previous session" in out
    assert "Latest headlines (2026-11-20)" in out
    assert "Index valuations on 2026-11-20 (forward: the consensus" in out and "SPX" in out
    assert "SEC EDGAR filings (demo archives): the week of 2026-11-07, filed through 2026-11-13" in out
    assert "ttm P/E" in out and "Sector valuations on 2026-11-20" in out
    from investing_assets.lib.storage.warehouse import Warehouse

    warehouse = Warehouse(env)
    symbols = warehouse.count("market.universe", {"session": [dt.date(2026, 11, 20)]})
    assert symbols > 500
    assert warehouse.count("technicals.indicators") == 3 * symbols
    assert warehouse.count("fundamentals.sec_tickers") == symbols  # the demo's ticker map: one CIK per symbol
    assert warehouse.count("fundamentals.sec_financials") > 0
    assert warehouse.count("fundamentals.trailing_valuations", {"session": [dt.date(2026, 11, 20)]}) > 0.9 * symbols
    from investing_assets.lib.synthetic.source import DemoSource

    # the market step includes the ETF holdings: every quoted ETF made of demo stocks, each of the 3 sessions
    assert warehouse.count("market.etf_holdings", {"session": [dt.date(2026, 11, 20)]}) == \
        DemoSource().etf_holdings(dt.date(2026, 11, 20)).height
    with warehouse.connect() as conn:  # the Dagster instance lives in the same PostgreSQL database
        runs = dict(conn.execute("SELECT pipeline_name, count(*) FROM runs WHERE status = 'SUCCESS' "
                                 "GROUP BY 1").fetchall())
        documents = conn.execute("SELECT count(*) FROM muni.documents WHERE status = 'extracted'").fetchone()[0]
        scored = conn.execute("SELECT count(*) FROM muni.risk_scores WHERE source = 'document'").fetchone()[0]
    # the four ranges and the watchlist grid: a single-run backfill each; the SEC week; planted patterns; the two
    # reports' backfill of a run each; the IBKR fundamentals on the demo's reports; muni model and scores; then the
    # sample reports in runs of up to BATCH_DOCUMENTS, as the sensor would launch them, each report its own
    # materialized partition
    assert runs.pop("__ASSET_JOB") == 4 + 1 + 1 + 1 + 2 + 1 + 2
    assert runs == {"muni_document_extraction": -(-DEMO_SAMPLES // BATCH_DOCUMENTS)} and documents == DEMO_SAMPLES
    assert scored > 0  # issuers read from the sample reports are in the scored book
    assert warehouse.count("technicals.pattern_discoveries") > 0
    assert warehouse.count("fundamentals.ibkr_profile") == 20  # the default budget of 60 requests: 20 symbols
    assert warehouse.count("fundamentals.ibkr_statements") > 0
    assert (tmp_path / "charts" / "watchlist" / "2026-11-20" / "JBL.png").exists()
    assert (tmp_path / "charts" / "symbols" / "AAPL.png").exists()
    with environment(prepare_environment()), dg.DagsterInstance.get() as instance:
        backfills = instance.get_backfills()
        launched = instance.get_runs()
        read = instance.get_materialized_partitions(dg.AssetKey("muni_documents"))
    assert {b.status for b in backfills} == {BulkActionStatus.COMPLETED_SUCCESS}
    assert len(read) == DEMO_SAMPLES
    assert sorted(b.title.removeprefix("demo: ").split(":")[0] for b in backfills) == [
        "analyst estimates, news, industry aggregates and index valuations",
        "history bars for the indicator and scanner lookback", "market data and indicators",
        "market scan and correlations", "technical reports", "watchlist grid for 2026-11-20"]
    assert {run.remote_job_origin.location_name for run in launched} == {LOCATION_NAME}
