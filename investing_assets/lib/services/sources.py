"""The registry of market sources and the route of each dataset to one of them.

The one place that knows every connector and the demo. Each registered class is checked against the source
contract (lib/sources/protocol.py) when this module loads, so a source that drifts from a protocol fails at import,
not in a run. Routing: `parse_routes("universe=fmp,bars=yahoo,quotes=yahoo", default="demo")` sends each named
dataset to its source and every other one to the default, except that a dataset describing another one's rows
follows it (corporate actions follow bars, index constituents follow the universe) and companions (listings, bar
files, planted patterns) always come from their dataset's source. `MarketSources` builds the routed sources on first
use and hands each dataset out as its typed protocol; a dataset its source does not serve fails with a message
naming the sources that do. A companion is asked of its dataset's source by what it declares
(lib/sources/protocol.declared).

A source can name a Dagster concurrency pool (IBKR's `ibkr`): `Routes.pool_of(dataset)` is the pool of the source a
dataset is routed to, which the assets calling it declare when the code location loads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from investing_assets.lib.core.datasets import COMPANION_OF, FOLLOWS, GROUPS, QUOTE_DATASETS, ROUTED, Dataset
from investing_assets.lib.sources import sec_edgar
from investing_assets.lib.sources.csv_folder import CsvFolderSource
from investing_assets.lib.sources.fmp import FmpSource
from investing_assets.lib.sources.ibkr import DEFAULT_CLIENT_ID, DEFAULT_HOST, DEFAULT_PORT, IbkrSource
from investing_assets.lib.sources.protocol import (
    BarSource,
    ConstituentSource,
    CorporateActionSource,
    DatasetNotServed,
    EstimateSource,
    EtfHoldingSource,
    FundamentalSource,
    NewsSource,
    QuoteSource,
    Source,
    UniverseSource,
    check_conformance,
)
from investing_assets.lib.sources.yahoo import YahooSource
from investing_assets.lib.synthetic.source import DemoSource

DEFAULT_SOURCE = "demo"


@dataclass(frozen=True)
class SourceSettings:
    """What building a source may need: the csv folder, the FMP key (never shown in a repr), the IBKR gateway, the
    demo universe's size (None: the index members)."""

    csv_folder: str | None = None
    fmp_api_key: str | None = field(default=None, repr=False)
    ibkr_host: str = DEFAULT_HOST
    ibkr_port: int = DEFAULT_PORT
    ibkr_client_id: int = DEFAULT_CLIENT_ID
    demo_symbols: int | None = None


def _csv(settings: SourceSettings) -> Source:
    if not settings.csv_folder:
        raise ValueError("the csv source needs a folder (INVESTING_CSV_FOLDER)")
    return CsvFolderSource(Path(settings.csv_folder))


def _fmp(settings: SourceSettings) -> Source:
    if not settings.fmp_api_key:
        raise ValueError("the fmp source needs an API key (FMP_API_KEY)")
    return FmpSource(api_key=settings.fmp_api_key)


def _ibkr(settings: SourceSettings) -> Source:
    # builds without connecting: the gateway is first asked, and its absence told, when bars are
    return IbkrSource(settings.ibkr_host, settings.ibkr_port, settings.ibkr_client_id)


@dataclass(frozen=True)
class Registered:
    """A conforming source class, how the registry builds it, what it serves as built (its class's datasets
    unless the build narrows them), the Dagster concurrency pool of the assets that call it (None: none) and the
    limit that pool is given when the project prepares its Dagster instance (defs/shared/pools.py)."""

    cls: type
    build: Callable[[SourceSettings], Source]
    narrowed: frozenset[Dataset] | None = None
    pool: str | None = None
    pool_limit: int | None = None

    @property
    def datasets(self) -> frozenset[Dataset]:
        return self.cls.datasets if self.narrowed is None else self.narrowed


REGISTRY: dict[str, Registered] = {
    "demo": Registered(check_conformance(DemoSource), lambda settings: DemoSource(universe_size=settings.demo_symbols)),
    "csv": Registered(check_conformance(CsvFolderSource), _csv),
    # built without symbols, so it lists no universe (Yahoo has no listing of one)
    "yahoo": Registered(check_conformance(YahooSource), lambda settings: YahooSource(),
                        YahooSource.datasets - {Dataset.UNIVERSE}),
    "fmp": Registered(check_conformance(FmpSource), _fmp),
    # IBKR's pacing is per gateway session and this project connects with one client id: one step at a time
    "ibkr": Registered(check_conformance(IbkrSource), _ibkr, pool="ibkr", pool_limit=1),
}
SOURCES = tuple(REGISTRY)


def pool_limits() -> dict[str, int]:
    """The concurrency pools the sources name, with the limit each needs (and EDGAR's downloads')."""
    limits = {entry.pool: entry.pool_limit for entry in REGISTRY.values()
              if entry.pool is not None and entry.pool_limit is not None}
    return {**limits, sec_edgar.POOL: sec_edgar.POOL_LIMIT}


def _registered(name: str) -> Registered:
    entry = REGISTRY.get(name)
    if entry is None:
        raise ValueError(f"unknown market source {name!r}; choose one of {', '.join(SOURCES)}")
    return entry


def serving(dataset: Dataset) -> list[str]:
    """The registered sources that can serve `dataset`."""
    return [name for name, entry in REGISTRY.items() if dataset in entry.datasets]


def build_source(name: str, settings: SourceSettings | None = None) -> Source:
    """A source by name, serving exactly what its registration says."""
    entry = _registered(name)
    source = entry.build(settings or SourceSettings())
    if source.datasets != entry.datasets:
        raise TypeError(f"{name}: the built source serves {sorted(source.datasets)}, its registration says "
                        f"{sorted(entry.datasets)}")
    return source


def make_source(name: str, *, csv_folder: str | Path | None = None, fmp_api_key: str | None = None) -> Source:
    """Build a market source by name; the demo source needs nothing and is the default."""
    return build_source(name, SourceSettings(str(csv_folder) if csv_folder else None, fmp_api_key))


def synthetic_note(name: str) -> str | None:
    """What a chart or summary says about a source whose data is made up (the demo); None for real data."""
    cls = _registered(name).cls
    return cls.disclaimer if cls.synthetic else None


# --------------------------------------------------------------------------- routing


@dataclass(frozen=True)
class Routes:
    """Which source each dataset comes from: the ones routed by name, the default for the rest."""

    default: str = DEFAULT_SOURCE
    routed: Mapping[Dataset, str] = field(default_factory=dict)

    def source_for(self, dataset: Dataset) -> str:
        dataset = COMPANION_OF.get(dataset, dataset)
        if dataset in self.routed:
            return self.routed[dataset]
        if dataset in FOLLOWS:
            return self.source_for(FOLLOWS[dataset])
        return self.default

    def why(self, dataset: Dataset) -> str:
        """How `dataset` came to its source, in the words of the settings."""
        dataset = COMPANION_OF.get(dataset, dataset)
        if dataset in self.routed:
            return f"INVESTING_SOURCES routes {dataset} to {self.routed[dataset]}"
        if dataset in FOLLOWS:
            return f"{dataset} follows {FOLLOWS[dataset]}, and {self.why(FOLLOWS[dataset])}"
        return f"{dataset} comes from the default source {self.default} (INVESTING_SOURCE)"

    def pool_of(self, dataset: Dataset) -> str | None:
        """The concurrency pool of the source `dataset` is routed to (None: its assets need none)."""
        return REGISTRY[self.source_for(dataset)].pool

    @property
    def text(self) -> str:
        """The routes as INVESTING_SOURCES spells them, in dataset order."""
        return ",".join(f"{d}={self.routed[d]}" for d in ROUTED if d in self.routed)

    def synthetic_note(self, *datasets: Dataset) -> str | None:
        """The note of the first made-up source among `datasets`' (default: every dataset's); None if all real."""
        for dataset in datasets or ROUTED:
            note = synthetic_note(self.source_for(dataset))
            if note:
                return note
        return None


def parse_routes(text: str | None, default: str = DEFAULT_SOURCE) -> Routes:
    """`dataset=source` pairs separated by commas (`quotes=` routes the four quote datasets); every problem of the
    text is refused with the names that would be right."""
    _registered(default)
    routed: dict[Dataset, str] = {}
    keys = [d.value for d in ROUTED] + list(GROUPS)
    for piece in (text or "").split(","):
        if not piece.strip():
            continue
        key, sep, name = (part.strip() for part in piece.partition("="))
        if not sep or not key or not name:
            raise ValueError(f"INVESTING_SOURCES: {piece.strip()!r} is not dataset=source (e.g. bars=yahoo)")
        if key in COMPANION_OF:
            raise ValueError(f"INVESTING_SOURCES: {key} always comes from the source of {COMPANION_OF[Dataset(key)]}; "
                             f"route {COMPANION_OF[Dataset(key)]} instead")
        if key not in keys:
            raise ValueError(f"INVESTING_SOURCES: unknown dataset {key!r}; datasets: {', '.join(keys)}")
        if name not in REGISTRY:
            raise ValueError(f"INVESTING_SOURCES: unknown source {name!r} for {key}; choose one of {', '.join(SOURCES)}")
        for dataset in GROUPS[key] if key in GROUPS else (Dataset(key),):
            if routed.get(dataset, name) != name:
                raise ValueError(f"INVESTING_SOURCES: {dataset} is routed to both {routed[dataset]} and {name}")
            if dataset not in REGISTRY[name].datasets:
                raise DatasetNotServed(f"INVESTING_SOURCES: {name} does not serve {dataset}; it is served by "
                                       f"{', '.join(serving(dataset))}")
            routed[dataset] = name
    return Routes(default, routed)


class MarketSources:
    """Each dataset's source, built on first use (once per name) and handed out as the protocol it serves."""

    def __init__(self, routes: Routes, build: Callable[[str], Source]) -> None:
        self.routes = routes
        self._build = build
        self._built: dict[str, Source] = {}

    @classmethod
    def of(cls, routes: Routes, settings: SourceSettings | None = None) -> MarketSources:
        return cls(routes, lambda name: build_source(name, settings))

    def _source(self, name: str) -> Source:
        if name not in self._built:
            self._built[name] = self._build(name)
        return self._built[name]

    def serves(self, dataset: Dataset) -> bool:
        """Whether the source `dataset` is routed to serves it (as configured)."""
        return dataset in self._source(self.routes.source_for(dataset)).datasets

    def source_of(self, dataset: Dataset) -> Source:
        """The source of a routed dataset; one that does not serve it fails naming those that do."""
        name = self.routes.source_for(dataset)
        source = self._source(name)
        if dataset not in source.datasets:
            served = ", ".join(d.value for d in ROUTED if d in source.datasets) or "nothing"
            others = serving(dataset)
            real = [n for n in others if not REGISTRY[n].cls.synthetic] or others
            fix = f'; set e.g. INVESTING_SOURCES="{dataset}={real[0]}"' if real else ""
            raise DatasetNotServed(f"no configured source serves {dataset}: {self.routes.why(dataset)}, which "
                                   f"serves {served}; {dataset} is served by {', '.join(others) or 'no source'}"
                                   f"{fix}")
        return source

    def universe(self) -> UniverseSource:
        return cast(UniverseSource, self.source_of(Dataset.UNIVERSE))

    def constituents(self) -> ConstituentSource:
        return cast(ConstituentSource, self.source_of(Dataset.CONSTITUENTS))

    def bars(self) -> BarSource:
        return cast(BarSource, self.source_of(Dataset.BARS))

    def quotes(self, asset_class: str) -> QuoteSource:
        dataset = QUOTE_DATASETS.get(asset_class)
        if dataset is None:
            raise ValueError(f"no asset class {asset_class!r}; known: {', '.join(QUOTE_DATASETS)}")
        return cast(QuoteSource, self.source_of(dataset))

    def corporate_actions(self) -> CorporateActionSource:
        return cast(CorporateActionSource, self.source_of(Dataset.CORPORATE_ACTIONS))

    def estimates(self) -> EstimateSource:
        return cast(EstimateSource, self.source_of(Dataset.ESTIMATES))

    def news(self) -> NewsSource:
        return cast(NewsSource, self.source_of(Dataset.NEWS))

    def etf_holdings(self) -> EtfHoldingSource:
        return cast(EtfHoldingSource, self.source_of(Dataset.ETF_HOLDINGS))

    def fundamentals(self) -> FundamentalSource:
        return cast(FundamentalSource, self.source_of(Dataset.FUNDAMENTALS))
