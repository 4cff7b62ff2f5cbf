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


def latest_metadata(instance: dg.DagsterInstance, asset: str, partition: str) -> dict:
    """What the UI shows for a partition: the metadata of its latest materialization, read from the instance."""
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=1).records
    assert records, f"{asset} has no materialization for partition {partition}"
    return {key: value.value for key, value in records[0].asset_materialization.metadata.items()}
