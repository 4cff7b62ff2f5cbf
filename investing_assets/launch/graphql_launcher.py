"""Launching through the Dagster webserver's GraphQL API, as its UI does, when a webserver is known
(`INVESTING_DAGSTER_UI_URL`, which `investing dev` sets): one run is `submit_job_execution` of dagster-graphql's
client with the partition's tags (what the launchpad sets), a range is the `launchPartitionBackfill` mutation over
the job's assets, one range per asset (as launch/launcher.py names them, so the indicators' lookback does not pull
in every downstream partition up to today).

The webserver submits to its instance's run queue: runs come back QUEUED and the home's daemon launches them and
steps the backfill. Nothing here waits for them. The allow-list and validation happen before (launch/intents.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

import dagster as dg
from dagster_graphql import DagsterGraphQLClient, DagsterGraphQLClientError

from investing_assets.launch.launcher import (
    LOCATION_NAME,
    NO_RETRY,
    QUIET_RUN,
    Launched,
    LaunchFailed,
    key_ranges,
)

PROBE_SECONDS = 3  # a webserver that does not answer this fast is taken as absent (the instance path is used)
LAUNCH_SECONDS = 120  # planning a backfill of a long range takes the webserver a while
LAUNCH_BACKFILL = """
mutation($params: LaunchBackfillParams!) {
  launchPartitionBackfill(backfillParams: $params) {
    __typename
    ... on LaunchBackfillSuccess { backfillId launchedRunIds }
    ... on Error { message }
  }
}"""


class WebserverUnavailable(RuntimeError):
    """The configured webserver did not answer GraphQL (not running, wrong port)."""


def client(url: str, timeout: int = LAUNCH_SECONDS) -> DagsterGraphQLClient:
    parts = urlsplit(url)
    if not parts.hostname:
        raise WebserverUnavailable(f"INVESTING_DAGSTER_UI_URL is not a URL: {url!r}")
    return DagsterGraphQLClient(parts.hostname, port_number=parts.port, use_https=parts.scheme == "https",
                                timeout=timeout, path_prefix=parts.path.rstrip("/"))


class GraphqlLauncher:
    """The chat's launcher over a running webserver; the same interface as launch/launcher.Launcher."""

    to_daemon = True  # the webserver only submits; its daemon launches
    path = "graphql"
    fallback = None

    def __init__(self, url: str, by: str) -> None:
        self.url, self.by = url, by
        self.client = client(url)

    @classmethod
    def connect(cls, url: str, by: str) -> GraphqlLauncher:
        """The launcher once the webserver answers a GraphQL query; `WebserverUnavailable` if it does not (asked
        before any launch, so a launch is never sent twice, once each way)."""
        try:
            client(url, PROBE_SECONDS)._execute("{ version }")  # noqa: SLF001 - the client's GraphQL execution
        except DagsterGraphQLClientError as down:
            raise WebserverUnavailable(f"the Dagster webserver at {url} did not answer "
                                       f"({str(down).splitlines()[0]})") from None
        return cls(url, by)

    def run_job(self, job_name: str, partition: str | None = None, *,
                tags: Mapping[str, str] | None = None, run_config: Mapping | None = None) -> Launched:
        """One run of the job, queued; its tags are the partition's (every dimension of a grid key) as the UI's
        launchpad sets them."""
        partition_tags = {} if partition is None else _job(job_name).partitions_def.get_tags_for_partition_key(
            partition)
        all_tags = {**partition_tags, "investing/launched_by": self.by, **NO_RETRY, **(tags or {})}
        try:
            run_id = self.client.submit_job_execution(job_name, repository_location_name=LOCATION_NAME,
                                                      repository_name=_repository_name(),
                                                      run_config={**QUIET_RUN, **(run_config or {})},
                                                      tags=all_tags)
            status = self.client.get_run_status(run_id)
        except DagsterGraphQLClientError as refused:
            raise LaunchFailed(f"the webserver at {self.url} did not launch {job_name}: {_first_line(refused)}") \
                from None
        return Launched(None, {run_id: status})

    def materialize(self, selection: Sequence[str], partitions: Sequence[str] | None = None, *,
                    title: str, tags: Mapping[str, str] | None = None,
                    run_config: Mapping | None = None) -> Launched:
        """A backfill of `selection` over `partitions` (more than one), submitted to the webserver."""
        if partitions is None or len(partitions) < 2:
            raise ValueError("through GraphQL one partition is a run of its job (run_job), not a materialization")
        graph = _asset_graph()
        by_asset = [{"assetKey": {"path": dg.AssetKey.from_user_string(name).path},
                     "partitions": {"ranges": [{"start": start, "end": end} for start, end in key_ranges(
                         graph.get(dg.AssetKey.from_user_string(name)).partitions_def, list(partitions))]}}
                    for name in selection]
        all_tags = {"investing/launched_by": self.by, **NO_RETRY, **(tags or {})}
        params: dict[str, Any] = {"partitionsByAssets": by_asset, "title": title,
                                  "tags": [{"key": k, "value": v} for k, v in all_tags.items()],
                                  "runConfigData": {**QUIET_RUN, **(run_config or {})}}
        try:
            result = self.client._execute(LAUNCH_BACKFILL, {"params": params})["launchPartitionBackfill"]  # noqa: SLF001
        except DagsterGraphQLClientError as refused:
            raise LaunchFailed(f"the webserver at {self.url} did not launch backfill {title!r}: "
                               f"{_first_line(refused)}") from None
        if result["__typename"] != "LaunchBackfillSuccess":
            raise LaunchFailed(f"the webserver at {self.url} refused backfill {title!r}: "
                               f"{result['__typename']}: {result.get('message', '').strip()}")
        return Launched(result["backfillId"], {run_id: dg.DagsterRunStatus.QUEUED
                                               for run_id in result.get("launchedRunIds") or []})


def _first_line(error: Exception) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def _definitions() -> dg.Definitions:
    from investing_assets.definitions import defs

    return defs


def _job(name: str) -> dg.JobDefinition:
    return _definitions().get_repository_def().get_job(name)


def _repository_name() -> str:
    return _definitions().get_repository_def().name


def _asset_graph():
    return _definitions().resolve_asset_graph()
