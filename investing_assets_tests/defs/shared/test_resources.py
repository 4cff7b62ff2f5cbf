"""What the code location serves to the UI must never hold a secret: the FMP key stays an unresolved EnvVar."""

import dagster as dg
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
