"""Helpers the Dagster-layer tests share (fixtures stay in conftest.py)."""

import datetime as dt

import dagster as dg


def materialize_range(assets, first: dt.date, last: dt.date, resources: dict, instance, *, raise_on_error=True,
                      selection=None):
    """One run over a partition range, as `dagster asset materialize --partition-range` launches it."""
    tags = {
        "dagster/asset_partition_range_start": first.isoformat(),
        "dagster/asset_partition_range_end": last.isoformat(),
    }
    return dg.materialize(assets, resources=resources, instance=instance, tags=tags,
                          raise_on_error=raise_on_error, selection=selection)
