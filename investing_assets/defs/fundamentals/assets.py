"""Fundamentals assets: the analyst consensus per session, and the sector/industry aggregates and index
valuations built on it (one computation, two assets)."""

import dagster as dg

from investing_assets import settings
from investing_assets.defs.fundamentals.metadata import (
    aggregate_metadata,
    run_metadata,
    trailing_metadata,
    valuation_metadata,
)
from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import session_results, source_metadata, stored_in, written_results
from investing_assets.defs.shared.partitions import (
    SINGLE_RUN,
    lookback_mapping,
    sessions_of,
    symbol_history_dep,
    trading_day,
)
from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
from investing_assets.lib.services.estimates import write_analyst_estimates
from investing_assets.lib.services.industry import RETURN_SESSIONS, write_industry_aggregates
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.sessions import rows_per_session

GROUP = "fundamentals"
DAILY = dict(partitions_def=trading_day, backfill_policy=SINGLE_RUN, group_name=GROUP)
DAILY_SPEC = dict(partitions_def=trading_day, group_name=GROUP)
# The returns read the bars and their splits and dividends from RETURN_SESSIONS before each session on.
_AGGREGATE_INPUTS = [keys.UNIVERSE, keys.INDICATORS, keys.ANALYST_ESTIMATES, keys.INDEX_CONSTITUENTS,
                     *(dg.AssetDep(key, partition_mapping=lookback_mapping(RETURN_SESSIONS))
                       for key in (keys.DAILY_BARS, keys.CORPORATE_ACTIONS)), symbol_history_dep(),
                     # the SEC week a session falls in (its filings through the session are read point in time;
                     # the week itself is ingested after it ends, so the newest sessions read the week before's)
                     dg.AssetDep(keys.SEC_FINANCIALS, partition_mapping=dg.TimeWindowPartitionMapping(
                         allow_nonexistent_upstream_partitions=True))]


@dg.asset(**DAILY, deps=[keys.UNIVERSE], kinds={"postgres", "polars"}, metadata=stored_in(names.ANALYST_ESTIMATES),
          description="Analyst consensus (revenue, EBITDA, net income, EPS: low/avg/high, analyst counts) for each "
                      "universe symbol's next fiscal years, as published on the session; shows the day's "
                      "largest EPS revisions.")
def analyst_estimates(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                      warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    source = market_data.get().estimates()
    written = write_analyst_estimates(source, store, sessions)
    for note in written.notes:
        context.log.warning(note)
    yield from written_results(context.asset_key, written, sessions, store, names.ANALYST_ESTIMATES,
                               labels=source_metadata(source))


@dg.multi_asset(
    specs=[
        dg.AssetSpec(keys.INDUSTRY_AGGREGATES, deps=_AGGREGATE_INPUTS, kinds={"postgres", "polars"}, **DAILY_SPEC,
                     metadata=stored_in(names.INDUSTRY_AGGREGATES),
                     description="Per sector and industry: members, market cap, cap-weighted 1- and 21-session "
                                 "returns (on adjusted prices by default: a split is no return; `price_basis` in "
                                 "the metadata), forward P/E, trailing P/E, P/B and dividend yield from SEC "
                                 "filings, share above the 50-day SMA, EPS revision breadth."),
        dg.AssetSpec(keys.INDEX_VALUATIONS, deps=_AGGREGATE_INPUTS, kinds={"postgres", "polars"}, **DAILY_SPEC,
                     metadata=stored_in(names.INDEX_VALUATIONS),
                     description="World P/E: each index's forward P/E and earnings yield from its constituent "
                                 "weights and the consensus EPS of the coming fiscal year, and its trailing P/E, P/B "
                                 "and dividend yield from the SEC filings known by the session."),
        dg.AssetSpec(keys.TRAILING_VALUATIONS, deps=_AGGREGATE_INPUTS, kinds={"postgres", "polars"}, **DAILY_SPEC,
                     metadata=stored_in(names.TRAILING_VALUATIONS),
                     description="Per symbol: trailing P/E, P/B and dividend yield on the session's close from SEC "
                                 "filings filed by the session (TTM earnings and dividends, latest book value), "
                                 "with the filing they come from."),
    ],
    backfill_policy=SINGLE_RUN,
    can_subset=False,
)
def industry_aggregation(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    run = write_industry_aggregates(store, sessions, settings.price_basis())
    for note in run.notes:
        context.log.warning(note)
    yield from session_results(keys.INDUSTRY_AGGREGATES, sessions,
                               rows_per_session(store, names.INDUSTRY_AGGREGATES, sessions), run=run_metadata(run),
                               own=lambda session: aggregate_metadata(run, session))
    yield from session_results(keys.INDEX_VALUATIONS, sessions,
                               rows_per_session(store, names.INDEX_VALUATIONS, sessions),
                               own=lambda session: valuation_metadata(run, session))
    yield from session_results(keys.TRAILING_VALUATIONS, sessions,
                               rows_per_session(store, names.TRAILING_VALUATIONS, sessions),
                               own=lambda session: trailing_metadata(run, session))
