"""The IBKR fundamentals ETL in Dagster: one unpartitioned asset, its job and the 13:00 New York schedule.

Unpartitioned because IBKR serves only today's reports: the point in time is in the rows (their `known_from`,
sql/027_ibkr_fundamentals.sql), not in a partition. It runs in the `ibkr` concurrency pool whatever source serves
it, so it never shares the gateway's pacing with the bars (give the pool a limit of 1). The work and its rules
(budget, least-recently-fetched rotation, refusals that never fail the run) are lib/services/ibkr_fundamentals.py.
"""


import dagster as dg
import polars as pl

from investing_assets import settings
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import markdown_table, source_metadata, stored_in
from investing_assets.defs.shared.resources import HotCacheResource, MarketDataResource, WarehouseResource
from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.services.ibkr_fundamentals import TABLES, FundamentalsRun, fetch_fundamentals
from investing_assets.lib.sources.protocol import DatasetNotServed
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.market import universe_symbols

IBKR_FUNDAMENTALS = keys.IBKR_FUNDAMENTALS
POOL = "ibkr"


@dg.asset(key=IBKR_FUNDAMENTALS, group_name="fundamentals", deps=[keys.UNIVERSE], pool=POOL,
          kinds={"postgres", "redis"}, metadata=stored_in(names.IBKR_STATEMENTS),
          description="IBKR reqFundamentalData reports (ReportSnapshot, ReportsFinSummary, ReportsFinStatements) "
                      "of the stored universe's least recently fetched symbols, within a request budget a run "
                      "(INVESTING_IBKR_FUNDAMENTALS_BUDGET): company profile, ratios, statements by period, "
                      "EPS/revenue/dividend summary, point in time by the reports' own dates (fundamentals.ibkr_*). "
                      "A refused report, a pacing violation or a missing gateway is a reason per symbol in the "
                      "metadata; the run succeeds for the rest.")
def ibkr_fundamentals(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                      warehouse: WarehouseResource, cache: HotCacheResource) -> dg.MaterializeResult:
    sources = market_data.get()
    today = calendar.in_new_york().date()
    try:
        source = sources.fundamentals()
    except DatasetNotServed:
        line = (f"no IBKR gateway configured: {sources.routes.why(Dataset.FUNDAMENTALS)}, which serves no "
                'fundamentals; set INVESTING_SOURCES="fundamentals=ibkr" (gateway INVESTING_IBKR_HOST/PORT) '
                'or "fundamentals=demo"')
        context.log.warning(line)
        return dg.MaterializeResult(metadata={"status": line, "fetched": 0})
    store = warehouse.get()
    universe = universe_symbols(store, today)
    if not universe:
        line = "no stored universe to fetch fundamentals for: materialize universe first"
        context.log.warning(line)
        return dg.MaterializeResult(metadata={"status": line, "fetched": 0, **source_metadata(source)})
    run = fetch_fundamentals(source, store, cache.get(), universe, budget=settings.ibkr_fundamentals_budget(),
                             today=today)
    for refusal in run.refused:
        context.log.warning(f"{refusal.symbol} {refusal.report}: {refusal.reason}")
    return dg.MaterializeResult(metadata={**run_metadata(run, len(universe)), **source_metadata(source)})


def run_metadata(run: FundamentalsRun, universe: int) -> dict[str, object]:
    """The truth of one run: what was asked, fetched and refused (with IBKR's reasons), and the tables."""
    fetched = sorted(run.fetched)
    status = (f"fetched {len(fetched)} of {len(run.picked)} symbols ({universe} in the universe) with "
              f"{run.requests} of {run.budget} requests")
    if run.stopped:
        status += f"; stopped asking: {run.stopped}"
    meta: dict[str, object] = {
        "status": status,
        "fetched": len(fetched),
        "refused": len(run.refused_symbols),
        "requests": run.requests,
        "budget": run.budget,
        "picked": dg.MetadataValue.text(", ".join(run.picked)),
        "fetched_symbols": dg.MetadataValue.text(", ".join(fetched)),
    }
    if run.refused:
        reasons = pl.DataFrame([(r.symbol, r.report, r.code, r.reason[:300]) for r in run.refused],
                               schema={"symbol": pl.String, "report": pl.String, "code": pl.Int64,
                                       "reason": pl.String}, orient="row")
        meta["refusals"] = dg.MetadataValue.md(markdown_table(reasons, max_rows=100))
    for table in TABLES:
        short = table.split(".")[1]
        meta[f"rows_{short}"] = run.table_rows.get(table, 0)
        meta[f"new_rows_{short}"] = run.new_rows.get(table, 0)
    if run.preview.height:
        meta["preview"] = dg.MetadataValue.md(markdown_table(run.preview))
    return meta


ibkr_fundamentals_update = dg.define_asset_job(
    "ibkr_fundamentals_update", selection=dg.AssetSelection.assets(IBKR_FUNDAMENTALS),
    description="The day's IBKR fundamentals: the least recently fetched symbols within the request budget.")


@dg.schedule(name="ibkr_fundamentals_daily", job=ibkr_fundamentals_update, cron_schedule="0 13 * * *",
             execution_timezone=calendar.TIMEZONE,
             description="13:00 America/New_York every day: the next symbols of the rotation within the budget.")
def ibkr_fundamentals_daily(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    day = calendar.in_new_york(context.scheduled_execution_time).date().isoformat()
    return dg.RunRequest(run_key=f"ibkr_fundamentals_daily:{day}")


JOBS = [ibkr_fundamentals_update]
SCHEDULES = [ibkr_fundamentals_daily]
