"""The source contract: one Protocol per dataset, one exact signature each, and the check that holds sources to it.

Every source says which datasets it serves (`datasets`); it implements exactly the protocols of those and nothing
that pretends to serve the others (no stubs raising NotImplementedError). `conformance_problems` compares a
source class with the protocols of what it declares, parameter by parameter, so a drifting signature fails when
the registry (lib/services/sources.py) takes the class in, not when a run first calls it. Services take the
narrow protocol they need; a companion capability is asked for with `declared`, i.e. by what the source says,
never by probing for an attribute.

`None` for `symbols` means every symbol the source knows (its own universe, or the symbols it was configured
with); frames are those of lib/core/schemas.py.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Iterator, Sequence
from typing import Protocol, TypeVar, cast

import polars as pl

from investing_assets.lib.core.datasets import COMPANION_OF, Dataset
from investing_assets.lib.core.fundamental_reports import ReportAnswer

__all__ = [
    "PROTOCOLS",
    "BarFileSource",
    "BarSource",
    "ConstituentSource",
    "CorporateActionSource",
    "Dataset",
    "DatasetNotServed",
    "EstimateSource",
    "EtfHoldingSource",
    "FundamentalSource",
    "ListingsSource",
    "NewsSource",
    "PlantedPatternSource",
    "QuoteSource",
    "Source",
    "UniverseSource",
    "check_conformance",
    "conformance_problems",
    "declared",
]


class Source(Protocol):
    """What every source carries: its name (stored in each row's `source`), the datasets it serves, and whether
    its data is made up (the demo), with the sentence that says so wherever its rows are shown."""

    name: str
    datasets: frozenset[Dataset]
    synthetic: bool
    disclaimer: str | None


class UniverseSource(Source, Protocol):
    def universe(self, session: dt.date) -> pl.DataFrame:
        """UNIVERSE: the tradable symbols on `session`, with name, sector, industry and shares outstanding."""
        ...


class ListingsSource(Source, Protocol):
    def listings(self) -> pl.DataFrame:
        """LISTINGS: the first and last session of the symbols that do not trade on every session."""
        ...


class ConstituentSource(Source, Protocol):
    def index_constituents(self, session: dt.date) -> pl.DataFrame:
        """INDEX_CONSTITUENTS: SPX, NDX and DJI members on `session` with weights summing to 1 per index."""
        ...


class BarSource(Source, Protocol):
    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """DAILY_BARS of `symbols` on `sessions`, sorted by (symbol, session); a source whose bars may be priced in
        another currency than USD serves VENDOR_BARS (each bar's currency named), one without that column dollars."""
        ...


class BarFileSource(Source, Protocol):
    def origin_of(self, symbol: str) -> str:
        """Where the symbol's bars are read from (its file), for a refusal to name."""
        ...

    def off_calendar_rows(self, start: dt.date, end: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """(symbol, session) of rows dated start..end on days that are not NYSE sessions."""
        ...


class QuoteSource(Source, Protocol):
    def quotes(self, asset_class: str, sessions: Sequence[dt.date],
               symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """QUOTES of one asset class (index, etf, commodity, crypto, fx) on `sessions`; `symbols` narrows the class's
        instruments (lib/core/instruments.py)."""
        ...


class CorporateActionSource(Source, Protocol):
    def corporate_actions(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """CORPORATE_ACTIONS: splits and dividends with ex-dates among `sessions`."""
        ...


class EstimateSource(Source, Protocol):
    point_in_time_estimates: bool  # False: only today's consensus, so a past session cannot be filled

    def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """ANALYST_ESTIMATES: the consensus published on `session` for each symbol's coming fiscal periods."""
        ...


class NewsSource(Source, Protocol):
    def news(self, start: dt.datetime, end: dt.datetime, symbols: Sequence[str] | None = None) -> pl.DataFrame:
        """NEWS_ARTICLES published in [start, end) (timezone-aware bounds)."""
        ...


class EtfHoldingSource(Source, Protocol):
    def etf_holdings(self, session: dt.date, etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """ETF_HOLDINGS of `etfs` (None: every ETF the project quotes that the source holds a list of) as known on
        `session`, sorted by (etf, weight descending)."""
        ...

    def etf_holdings_range(self, sessions: Sequence[dt.date], etfs: Sequence[str] | None = None) -> pl.DataFrame:
        """ETF_HOLDINGS_BY_SESSION: `etf_holdings` of each of `sessions` (any of them, not only consecutive ones) in
        one frame, sorted by (session, etf, weight descending); a backfill asks for thousands of sessions at once."""
        ...


class FundamentalSource(Source, Protocol):
    def fundamental_reports(self, symbols: Sequence[str], reports: Sequence[str]) -> Iterator[ReportAnswer]:
        """One ReportAnswer per (symbol, report), symbol-major and in the order asked: the report's XML as IBKR's
        reqFundamentalData gives it (ReportSnapshot, ReportsFinSummary, ReportsFinStatements), or why not. A
        refusal is an answer, never an exception, so one symbol's failure cannot cost the others theirs."""
        ...


class PlantedPatternSource(Source, Protocol):
    def planted_patterns(self) -> pl.DataFrame:
        """PLANTED_PATTERNS: the chart patterns planted in the bars (the detectors' ground truth)."""
        ...


PROTOCOLS: dict[Dataset, type] = {
    Dataset.UNIVERSE: UniverseSource,
    Dataset.LISTINGS: ListingsSource,
    Dataset.CONSTITUENTS: ConstituentSource,
    Dataset.BARS: BarSource,
    Dataset.BAR_FILES: BarFileSource,
    Dataset.INDEX_QUOTES: QuoteSource,
    Dataset.ETF_QUOTES: QuoteSource,
    Dataset.COMMODITY_QUOTES: QuoteSource,
    Dataset.CRYPTO_QUOTES: QuoteSource,
    Dataset.FX_QUOTES: QuoteSource,
    Dataset.CORPORATE_ACTIONS: CorporateActionSource,
    Dataset.ESTIMATES: EstimateSource,
    Dataset.NEWS: NewsSource,
    Dataset.ETF_HOLDINGS: EtfHoldingSource,
    Dataset.FUNDAMENTALS: FundamentalSource,
    Dataset.PLANTED_PATTERNS: PlantedPatternSource,
}


class DatasetNotServed(ValueError):
    """A dataset was asked of a source that does not serve it; the message names the sources that do."""


P = TypeVar("P")


def declared(source: Source, dataset: Dataset, protocol: type[P]) -> P | None:
    """`source` as `protocol` when it declares `dataset`, else None: a capability is what a source says it serves."""
    if PROTOCOLS[dataset] is not protocol:
        raise TypeError(f"{dataset} is served through {PROTOCOLS[dataset].__name__}, not {protocol.__name__}")
    return cast(P, source) if dataset in source.datasets else None


# --------------------------------------------------------------------------- conformance

_MISSING = object()
_BASE_TYPES = {"name": (str,), "synthetic": (bool,), "disclaimer": (str, type(None))}


def _own_members(protocol: type) -> tuple[dict[str, object], dict[str, str]]:
    """(methods, attributes with their annotation) a protocol adds to `Source`."""
    methods = {k: v for k, v in vars(protocol).items() if inspect.isfunction(v) and not k.startswith("_")}
    attributes = {k: v for k, v in vars(protocol).get("__annotations__", {}).items()}
    return methods, attributes


def _shape(function: object) -> tuple:
    """A signature as compared: every parameter's name, kind, default and annotation text, and the return's."""
    def text(annotation: object) -> str:
        if annotation is inspect.Parameter.empty:
            return ""
        return " ".join((annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)).split())

    signature = inspect.signature(function)  # type: ignore[arg-type]
    return (tuple((p.name, p.kind, p.default, text(p.annotation)) for p in signature.parameters.values()),
            text(signature.return_annotation))


def _describe(function: object) -> str:
    return str(inspect.signature(function))  # type: ignore[arg-type]


def conformance_problems(cls: type) -> list[str]:
    """Every way `cls` breaks the contract of the datasets it declares; empty when it conforms.

    Checked: the base attributes and their types; for each declared dataset, its protocol's methods with exactly
    the protocol's signature and its attributes; no method of an undeclared dataset's protocol (a stub pretending
    to serve it); a companion only with the dataset it describes."""
    datasets = inspect.getattr_static(cls, "datasets", _MISSING)
    if not isinstance(datasets, frozenset) or not all(isinstance(d, Dataset) for d in datasets):
        return [f"{cls.__name__}.datasets must be a frozenset of Dataset, got {datasets!r}"]
    problems = _base_problems(cls)
    required = _declared_problems(cls, datasets, problems)
    return problems + _undeclared_problems(cls, required)


def _base_problems(cls: type) -> list[str]:
    problems = []
    for attribute, types in _BASE_TYPES.items():
        value = inspect.getattr_static(cls, attribute, _MISSING)
        if value is _MISSING or not isinstance(value, types):
            problems.append(f"{cls.__name__}.{attribute} must be {' or '.join(t.__name__ for t in types)}, "
                            f"got {value!r}")
    return problems


def _declared_problems(cls: type, datasets: frozenset[Dataset], problems: list[str]) -> set[str]:
    """Adds to `problems` what the declared datasets' protocols find missing or different; returns the methods
    they require."""
    label = cls.__name__
    by_protocol: dict[type, list[str]] = {}
    for dataset in sorted(datasets):
        by_protocol.setdefault(PROTOCOLS[dataset], []).append(dataset.value)
        parent = COMPANION_OF.get(dataset)
        if parent is not None and parent not in datasets:
            problems.append(f"{label} declares {dataset}, which describes {parent}, without serving {parent}")
    required: set[str] = set()
    for protocol, names in by_protocol.items():
        what = ", ".join(names)
        methods, attributes = _own_members(protocol)
        for method, expected in methods.items():
            required.add(method)
            actual = inspect.getattr_static(cls, method, _MISSING)
            if actual is _MISSING or not inspect.isfunction(actual):
                problems.append(f"{label} declares {what} but has no method {method}{_describe(expected)}")
            elif _shape(actual) != _shape(expected):
                problems.append(f"{label}.{method}{_describe(actual)} is not the {what} signature "
                                f"{method}{_describe(expected)}")
        for attribute, annotation in attributes.items():
            value = inspect.getattr_static(cls, attribute, _MISSING)
            if value is _MISSING or (annotation == "bool" and not isinstance(value, bool)):
                problems.append(f"{label} declares {what} but has no {attribute}: {annotation}")
    return required


def _undeclared_problems(cls: type, required: set[str]) -> list[str]:
    """A method of a protocol whose datasets the class does not declare: a stub pretending to serve them."""
    served_by: dict[str, list[str]] = {}
    for dataset, protocol in PROTOCOLS.items():
        for method in _own_members(protocol)[0]:
            served_by.setdefault(method, []).append(dataset.value)
    return [f"{cls.__name__} has {method}() but declares none of {', '.join(names)}: declare what it serves or "
            "remove the method"
            for method, names in served_by.items()
            if method not in required and inspect.getattr_static(cls, method, _MISSING) is not _MISSING]


def check_conformance(cls: type) -> type:
    """`cls` unchanged when it conforms; otherwise a TypeError listing every problem."""
    problems = conformance_problems(cls)
    if problems:
        raise TypeError(f"{cls.__name__} does not conform to the source contract:\n  " + "\n  ".join(problems))
    return cls
