from __future__ import annotations

import dagster as dg

from investing_assets.defs.technicals import assets


def definitions() -> dg.Definitions:
    return dg.Definitions(assets=[assets.indicators])
