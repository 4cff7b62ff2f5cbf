"""The registry of sources and the routing of each dataset: conformance of every source, the routes a text gives,
and the refusals that name what would be right."""

from __future__ import annotations

import pytest

from investing_assets.lib.core.datasets import QUOTE_DATASETS, ROUTED, Dataset
from investing_assets.lib.services.sources import (
    REGISTRY,
    MarketSources,
    Routes,
    SourceSettings,
    build_source,
    parse_routes,
    serving,
    synthetic_note,
)
from investing_assets.lib.sources.protocol import PROTOCOLS, DatasetNotServed, conformance_problems
from investing_assets.lib.synthetic.source import DemoSource


@pytest.fixture
def settings(tmp_path) -> SourceSettings:
    return SourceSettings(csv_folder=str(tmp_path), fmp_api_key="test-key")


def test_every_registered_source_conforms_to_the_protocols_it_declares(settings):
    assert list(REGISTRY) == ["demo", "csv", "yahoo", "fmp", "ibkr"]
    for name, entry in REGISTRY.items():
        assert conformance_problems(entry.cls) == [], name
        source = build_source(name, settings)
        assert type(source) is entry.cls and source.name == name and source.datasets == entry.datasets
        for dataset in source.datasets:  # the built instance has every member of what it declares
            for member in [*vars(PROTOCOLS[dataset]).get("__annotations__", {}), *vars(PROTOCOLS[dataset])]:
                assert member.startswith("_") or hasattr(source, member), (name, member)


def test_what_each_source_serves():
    assert serving(Dataset.CONSTITUENTS) == ["demo", "fmp"]
    assert serving(Dataset.UNIVERSE) == ["demo", "csv", "fmp"]  # Yahoo lists none when built without symbols
    assert serving(Dataset.BARS) == ["demo", "csv", "yahoo", "fmp", "ibkr"]
    assert serving(Dataset.ETF_HOLDINGS) == ["demo", "fmp"]
    assert serving(Dataset.NEWS) == serving(Dataset.ESTIMATES) == ["demo", "fmp"]
    assert serving(Dataset.BAR_FILES) == ["csv"] and serving(Dataset.PLANTED_PATTERNS) == ["demo"]


def test_building_names_what_is_missing():
    with pytest.raises(ValueError, match="csv source needs a folder"):
        build_source("csv")
    with pytest.raises(ValueError, match="fmp source needs an API key"):
        build_source("fmp")
    with pytest.raises(ValueError, match="unknown market source 'nasdaq'; choose one of demo, csv, yahoo, fmp"):
        build_source("nasdaq")


def test_the_default_serves_every_dataset_not_routed():
    """INVESTING_SOURCE alone still picks one source for everything (the setting before routing)."""
    routes = parse_routes(None, "fmp")
    assert {d: routes.source_for(d) for d in Dataset} == {d: "fmp" for d in Dataset}
    assert routes.text == "" and parse_routes("  ,", "demo") == Routes("demo", {})


def test_routes_by_name_group_and_follow():
    routes = parse_routes(" universe=fmp , bars=yahoo,quotes=yahoo,news=fmp", "demo")
    assert routes.source_for(Dataset.UNIVERSE) == "fmp"
    assert routes.source_for(Dataset.CONSTITUENTS) == "fmp"  # follows the universe
    assert routes.source_for(Dataset.BARS) == "yahoo"
    assert routes.source_for(Dataset.CORPORATE_ACTIONS) == "yahoo"  # follows the bars
    assert {routes.source_for(d) for d in QUOTE_DATASETS.values()} == {"yahoo"}
    assert routes.source_for(Dataset.ESTIMATES) == "demo"  # not routed: the default
    assert routes.source_for(Dataset.LISTINGS) == "fmp" and routes.source_for(Dataset.BAR_FILES) == "yahoo"
    assert routes.text == ("universe=fmp,bars=yahoo,index_quotes=yahoo,etf_quotes=yahoo,commodity_quotes=yahoo,"
                           "crypto_quotes=yahoo,fx_quotes=yahoo,news=fmp")
    assert parse_routes(routes.text, "demo") == routes
    # a dataset that follows can still be routed on its own
    assert parse_routes("bars=csv,corporate_actions=demo").source_for(Dataset.CORPORATE_ACTIONS) == "demo"


@pytest.mark.parametrize("text, message", [
    ("bars", r"'bars' is not dataset=source \(e.g. bars=yahoo\)"),
    ("bars=", "is not dataset=source"),
    ("prices=yahoo", "unknown dataset 'prices'; datasets: universe, constituents, bars, index_quotes"),
    ("bars=nasdaq", "unknown source 'nasdaq' for bars; choose one of demo, csv, yahoo, fmp"),
    ("listings=csv", "listings always comes from the source of universe; route universe instead"),
    ("bars=csv,bars=yahoo", "bars is routed to both csv and yahoo"),
    ("quotes=yahoo,crypto_quotes=fmp", "crypto_quotes is routed to both yahoo and fmp"),
    ("constituents=csv", "csv does not serve constituents; it is served by demo, fmp"),
    ("universe=yahoo", "yahoo does not serve universe; it is served by demo, csv, fmp"),
    ("quotes=csv", "csv does not serve index_quotes; it is served by demo, yahoo, fmp"),
])
def test_a_wrong_route_is_refused_with_what_would_be_right(text, message):
    with pytest.raises(ValueError, match=message):
        parse_routes(text, "demo")


def test_an_unknown_default_is_refused():
    with pytest.raises(ValueError, match="unknown market source 'yahooo'"):
        parse_routes("bars=demo", "yahooo")


def test_a_dataset_no_configured_source_serves_names_the_sources_that_do(settings):
    sources = MarketSources.of(parse_routes("bars=yahoo,crypto_quotes=yahoo", "csv"), settings)
    with pytest.raises(DatasetNotServed) as refused:
        sources.news()
    assert str(refused.value) == (
        "no configured source serves news: news comes from the default source csv (INVESTING_SOURCE), which serves "
        "universe, bars, corporate_actions; news is served by demo, fmp; set e.g. INVESTING_SOURCES=\"news=fmp\"")
    with pytest.raises(DatasetNotServed, match="constituents follows universe, and universe comes from the default "
                                               "source csv .* constituents is served by demo, fmp"):
        sources.constituents()
    with pytest.raises(ValueError, match="no asset class 'bonds'; known: index, etf, commodity, crypto, fx"):
        sources.quotes("bonds")
    with pytest.raises(DatasetNotServed, match="fx_quotes is served by demo, yahoo, fmp"):
        sources.quotes("fx")
    assert sources.bars().name == "yahoo" and sources.corporate_actions().name == "yahoo"
    assert sources.universe().name == "csv" and sources.quotes("crypto").name == "yahoo"
    assert sources.serves(Dataset.CORPORATE_ACTIONS) and not sources.serves(Dataset.ESTIMATES)


def test_bars_routed_to_ibkr_carry_its_pool_and_corporate_actions_must_be_routed_apart(settings):
    routes = parse_routes("bars=ibkr", "demo")
    assert routes.pool_of(Dataset.BARS) == "ibkr" and routes.pool_of(Dataset.UNIVERSE) is None
    assert parse_routes(None, "demo").pool_of(Dataset.BARS) is None
    sources = MarketSources.of(routes, settings)
    assert sources.bars().name == "ibkr" and sources.etf_holdings().name == "demo"
    with pytest.raises(DatasetNotServed, match="corporate_actions follows bars, and INVESTING_SOURCES routes bars to "
                                               "ibkr, which serves bars, fundamentals; corporate_actions is served by "
                                               "demo, csv, "
                                               "yahoo, fmp; set e.g."):
        sources.corporate_actions()
    routed = MarketSources.of(parse_routes("bars=ibkr,corporate_actions=fmp,etf_holdings=fmp", "demo"), settings)
    assert (routed.corporate_actions().name, routed.etf_holdings().name) == ("fmp", "fmp")


def test_each_source_is_built_once_and_only_when_asked():
    built = []

    def build(name):
        built.append(name)
        return DemoSource()

    sources = MarketSources(parse_routes("bars=demo", "demo"), build)
    assert built == []
    for dataset in ROUTED:
        sources.source_of(dataset)
    assert built == ["demo"]


def test_the_synthetic_note_names_a_made_up_source_wherever_a_dataset_comes_from_one():
    assert synthetic_note("demo") == DemoSource.disclaimer and synthetic_note("yahoo") is None
    routes = parse_routes("bars=yahoo,quotes=yahoo", "demo")
    assert routes.synthetic_note(Dataset.BARS) is None
    assert routes.synthetic_note(Dataset.BARS, Dataset.ESTIMATES) == DemoSource.disclaimer
    assert routes.synthetic_note() == DemoSource.disclaimer
    assert parse_routes(None, "fmp").synthetic_note() is None
