"""Technical analysis assets."""


import dagster as dg

from investing_assets.defs.market.assets import daily_bars
from investing_assets.defs.market.checks import unique_key_result
from investing_assets.defs.shared.metadata import written_metadata
from investing_assets.defs.shared.partitions import lookback_mapping, sessions_of, trading_day
from investing_assets.defs.shared.resources import WarehouseResource
from investing_assets.lib.analytics.indicators import lookback_sessions
from investing_assets.lib.services.indicators import write_indicators

GROUP = "technicals"


@dg.asset(
    partitions_def=trading_day,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name=GROUP,
    kinds={"postgres", "polars"},
    ins={"daily_bars": dg.AssetIn(key=daily_bars.key, partition_mapping=lookback_mapping(lookback_sessions()),
                                  dagster_type=dg.Nothing)},
    check_specs=[dg.AssetCheckSpec("unique_symbol_session", asset="indicators", blocking=True,
                                   description="no duplicate (symbol, session)")],
    description="SMA, EMA, RSI, MACD, Bollinger, ATR, ADX, OBV, Stochastic (TA-Lib) per symbol and session.",
)
def indicators(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    sessions = sessions_of(context)
    store = warehouse.get()
    written, gaps = write_indicators(store, sessions)
    for note in written.notes:
        context.log.warning(note)
    yield dg.MaterializeResult(metadata=written_metadata(
        written, lookback_complete=gaps.complete, lookback_sessions=gaps.window_sessions,
        lookback_start=gaps.window_start, symbols_with_short_window=gaps.symbols_with_short_window,
    ))
    yield unique_key_result(store, "technicals.indicators", "indicators", sessions)
