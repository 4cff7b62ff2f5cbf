"""The concurrency pools the sources need, set on the Dagster instance when the project prepares it.

IBKR's assets run in the pool `ibkr` (lib/services/sources.py), which must have a limit of one: the project connects
to the gateway with one client id, and two steps at once would each spend IBKR's whole pacing budget. Dagster gives a
pool it first sees the instance's `pools: default_limit` (4 in dagster.yaml), so without this the user had to run
`dagster instance concurrency set ibkr 1` by hand.

A limit is written only where nobody chose one: a pool the instance has no row for, or whose row Dagster filled
from the default limit. A limit set on purpose (`dagster instance concurrency set`, the UI), higher or lower, is the
user's and is kept, so running this again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import dagster as dg

from investing_assets.lib.services.sources import pool_limits

__all__ = ["ensure_pool_limits"]


def ensure_pool_limits(instance: dg.DagsterInstance, limits: Mapping[str, int] | None = None) -> dict[str, str]:
    """Give each pool of `limits` (default: the sources' own) its limit unless one was set on purpose; returns
    what happened per pool ("set to 1", "kept 3 (set on purpose)", ...), for the caller to print."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {pool: "not set: this instance's storage has no concurrency pools" for pool in (limits or {})}
    wanted = dict(pool_limits() if limits is None else limits)
    current = {limit.name: limit for limit in storage.get_pool_limits()}
    done = {}
    for pool, limit in wanted.items():
        found = current.get(pool)
        if found is not None and not found.from_default:  # ours from an earlier run, or the user's
            done[pool] = f"already {limit}" if found.limit == limit else f"kept {found.limit} (set on purpose)"
        else:
            storage.set_concurrency_slots(pool, limit)
            done[pool] = f"set to {limit}" + (f" (was the default {found.limit})" if found is not None else "")
    return done
