"""The demo market's ground truth, for measuring the detectors against what was planted."""

import dagster as dg

from investing_assets.defs.shared.metadata import stored_in
from investing_assets.defs.shared.resources import MarketDataResource, WarehouseResource
from investing_assets.lib.services.planted import write_planted_patterns
from investing_assets.lib.storage import names

GROUP = "demo"


@dg.asset(group_name=GROUP, kinds={"postgres"}, metadata=stored_in(names.DEMO_PLANTED_PATTERNS),
          description="The demo market's planted chart patterns (type, start, completion, amplitude): ground "
                      "truth for the detectors' precision and recall; empty for real sources.")
def demo_planted_patterns(market_data: MarketDataResource, warehouse: WarehouseResource) -> dg.MaterializeResult:
    source = market_data.get().bars()  # the patterns are planted in the bars, so only their source has them
    rows = write_planted_patterns(source, warehouse.get())
    return dg.MaterializeResult(metadata={"dagster/row_count": rows or 0,
                                          "note": "source plants no patterns" if rows is None else "demo ground truth"})
