"""What the code location serves to the UI must never hold a secret: the FMP key stays an unresolved EnvVar."""

import json

import dagster as dg
import pytest
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster_shared.serdes import serialize_value

from investing_assets.defs.shared.resources import MarketDataResource, build_resources

SECRET = "sekrit-fmp-key-123"


def _snapshot_text(resources: dict) -> str:
    @dg.asset
    def probe(market_data: MarketDataResource) -> None: ...

    defs = dg.Definitions(assets=[probe], resources=resources)
    return serialize_value(RepositorySnap.from_def(defs.get_repository_def()))


def test_fmp_key_is_an_env_var_in_the_served_snapshot(monkeypatch):
    monkeypatch.setenv("FMP_API_KEY", SECRET)
    monkeypatch.setenv("INVESTING_SOURCE", "fmp")
    resources = build_resources()
    text = _snapshot_text(resources)
    assert SECRET not in text
    assert "FMP_API_KEY" in text  # shown by name, resolved only when a run starts
    assert resources["market_data"].fmp_api_key == dg.EnvVar("FMP_API_KEY")


def test_resolved_key_reaches_the_source_at_run_time(monkeypatch):
    monkeypatch.setenv("FMP_API_KEY", SECRET)
    monkeypatch.setenv("INVESTING_SOURCE", "fmp")
    seen = {}

    @dg.asset
    def probe(market_data: MarketDataResource) -> None:
        seen["key"] = market_data.fmp_api_key

    resources = build_resources()
    assert dg.materialize([probe], resources={"market_data": resources["market_data"]}).success
    assert seen["key"] == SECRET


def test_no_key_configured_leaves_the_field_empty(monkeypatch):
    monkeypatch.delenv("FMP_API_KEY", raising=False)
    monkeypatch.delenv("INVESTING_SOURCE", raising=False)
    market_data = build_resources()["market_data"]
    assert market_data.fmp_api_key is None
    assert market_data.source == "demo"


def test_investing_sources_routes_datasets_over_investing_source(monkeypatch, tmp_path):
    monkeypatch.setenv("INVESTING_SOURCE", "csv")
    monkeypatch.setenv("INVESTING_CSV_FOLDER", str(tmp_path))
    monkeypatch.setenv("INVESTING_SOURCES", "quotes=demo, estimates=demo")
    market_data = build_resources()["market_data"]
    assert (market_data.source, market_data.csv_folder) == ("csv", str(tmp_path))
    assert market_data.sources == ("index_quotes=demo,etf_quotes=demo,commodity_quotes=demo,crypto_quotes=demo,"
                                   "fx_quotes=demo,estimates=demo")
    sources = market_data.get()
    assert [sources.universe().name, sources.bars().name, sources.quotes("etf").name,
            sources.estimates().name] == ["csv", "csv", "demo", "demo"]


def test_investing_source_alone_still_serves_everything(monkeypatch):
    monkeypatch.delenv("INVESTING_SOURCES", raising=False)
    monkeypatch.setenv("INVESTING_SOURCE", "demo")
    market_data = build_resources()["market_data"]
    assert market_data.sources == ""
    sources = market_data.get()
    assert {sources.universe().name, sources.constituents().name, sources.news().name} == {"demo"}


def test_a_wrong_route_is_refused_when_the_resources_are_built(monkeypatch):
    monkeypatch.delenv("INVESTING_SOURCE", raising=False)
    monkeypatch.setenv("INVESTING_SOURCES", "constituents=yahoo")
    with pytest.raises(ValueError, match="yahoo does not serve constituents; it is served by demo, fmp"):
        build_resources()


RESOURCES_PAGE = """query ($repository: RepositorySelector!) {
  allTopLevelResourceDetailsOrError(repositorySelector: $repository) {
    __typename
    ... on ResourceDetailsList { results { name configuredValues { key value type } } }
  }
}"""


def test_the_uis_resources_page_names_the_secrets_variables_never_their_values(monkeypatch, tmp_path):
    """The webserver's own GraphQL query over the real code location, loaded as `dagster dev` loads it, with a key
    and server URLs that carry passwords in the environment."""
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.test_utils import instance_for_test
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster_graphql.test.utils import execute_dagster_graphql

    from investing_assets import settings

    monkeypatch.setenv("FMP_API_KEY", SECRET)
    monkeypatch.setenv("INVESTING_SOURCE", "fmp")
    monkeypatch.setenv("INVESTING_PG_URL", "postgresql://app:pg-sekrit@db.example.com/investing?sslmode=require")
    monkeypatch.setenv("INVESTING_REDIS_URL", "rediss://:redis-sekrit@cache.example.com:6380/0")
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(python_file=str(settings.PACKAGE_ROOT / "definitions.py"), attribute="defs",
                             working_directory=str(settings.PROJECT_ROOT)), location_name="investing")
    with instance_for_test() as instance, \
            WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as workspace:
        result = execute_dagster_graphql(workspace.create_request_context(), RESOURCES_PAGE, {
            "repository": {"repositoryLocationName": "investing", "repositoryName": "__repository__"}})
    page = result.data["allTopLevelResourceDetailsOrError"]
    assert page["__typename"] == "ResourceDetailsList"
    shown = {r["name"]: {v["key"]: (v["type"], v["value"]) for v in r["configuredValues"]} for r in page["results"]}
    assert shown["market_data"]["fmp_api_key"] == ("ENV_VAR", "FMP_API_KEY")
    assert shown["warehouse"]["url"] == ("ENV_VAR", "INVESTING_PG_URL")
    assert shown["cache"]["url"] == ("ENV_VAR", "INVESTING_REDIS_URL")
    assert "sekrit" not in json.dumps(result.data)


def test_the_ibkr_gateway_comes_from_the_environment_and_reaches_the_source(monkeypatch):
    monkeypatch.setenv("INVESTING_SOURCES", "bars=ibkr")
    monkeypatch.setenv("INVESTING_IBKR_HOST", "10.1.2.3")
    monkeypatch.setenv("INVESTING_IBKR_PORT", "4002")
    monkeypatch.setenv("INVESTING_IBKR_CLIENT_ID", "9")
    market_data = build_resources()["market_data"]
    assert (market_data.ibkr_host, market_data.ibkr_port, market_data.ibkr_client_id) == ("10.1.2.3", 4002, 9)
    bars = market_data.get().bars()  # built, not connected: the gateway is asked when bars are
    assert (bars.name, bars.host, bars.port, bars.client_id) == ("ibkr", "10.1.2.3", 4002, 9)

    monkeypatch.delenv("INVESTING_IBKR_HOST")
    monkeypatch.delenv("INVESTING_IBKR_PORT")
    monkeypatch.delenv("INVESTING_IBKR_CLIENT_ID")
    defaults = build_resources()["market_data"]
    assert (defaults.ibkr_host, defaults.ibkr_port, defaults.ibkr_client_id) == ("127.0.0.1", 7497, 17)


@pytest.mark.parametrize("name, value, message", [
    ("INVESTING_IBKR_PORT", "tws", "INVESTING_IBKR_PORT='tws' is not a whole number"),
    ("INVESTING_IBKR_PORT", "70000", "INVESTING_IBKR_PORT=70000 is outside 1..65535"),
    ("INVESTING_IBKR_CLIENT_ID", "-1", "INVESTING_IBKR_CLIENT_ID=-1 is outside 0..2147483647"),
])
def test_a_bad_ibkr_setting_is_refused_by_name(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        build_resources()
