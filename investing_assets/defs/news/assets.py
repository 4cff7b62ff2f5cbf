"""News assets: articles about the universe's symbols, one session's window per partition."""

import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import source_metadata, stored_in, written_results
from investing_assets.defs.shared.partitions import SINGLE_RUN, sessions_of, trading_day
from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
from investing_assets.lib.services.news import write_news
from investing_assets.lib.storage import names

GROUP = "news"


@dg.asset(partitions_def=trading_day, backfill_policy=SINGLE_RUN, group_name=GROUP, deps=[keys.UNIVERSE],
          kinds={"postgres", "polars"}, metadata=stored_in(names.NEWS_ARTICLES),
          description="Company news about universe symbols published after the previous session's day and "
                      "through this one (weekend news lands on Monday); the latest headlines in the metadata.")
def news_articles(context: dg.AssetExecutionContext, market_data: MarketDataResource,
                  warehouse: WarehouseResource):
    sessions, store = sessions_of(context), warehouse.get()
    source = market_data.get().news()
    yield from written_results(context.asset_key, write_news(source, store, sessions), sessions, store,
                               names.NEWS_ARTICLES, labels=source_metadata(source))
