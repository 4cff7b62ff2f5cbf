"""The source contract's checker: what it refuses, so a source that drifts from a protocol fails at registration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import pytest

from investing_assets.lib.core.datasets import ROUTED, Dataset
from investing_assets.lib.sources.protocol import (
    PROTOCOLS,
    BarSource,
    EstimateSource,
    ListingsSource,
    check_conformance,
    conformance_problems,
    declared,
)


class Bars:
    """A minimal conforming bars source."""

    name = "bars"
    datasets = frozenset({Dataset.BARS})
    synthetic = False
    disclaimer = None

    def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
        return pl.DataFrame()


def test_every_dataset_has_a_protocol():
    assert set(PROTOCOLS) == set(Dataset) and set(ROUTED) < set(Dataset)


def test_a_conforming_source_passes():
    assert conformance_problems(Bars) == [] and check_conformance(Bars) is Bars


def test_a_declared_dataset_without_its_method_is_refused():
    class NoNews(Bars):
        datasets = frozenset({Dataset.BARS, Dataset.NEWS})

    assert conformance_problems(NoNews) == [
        "NoNews declares news but has no method news(self, start: 'dt.datetime', end: 'dt.datetime', "
        "symbols: 'Sequence[str] | None' = None) -> 'pl.DataFrame'"]


def test_a_drifting_signature_is_refused():
    class Drifted(Bars):
        datasets = frozenset({Dataset.BARS, Dataset.ESTIMATES})
        point_in_time_estimates = True

        def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None,
                              period: str = "annual") -> pl.DataFrame:
            return pl.DataFrame()

    (problem,) = conformance_problems(Drifted)
    assert problem.startswith("Drifted.analyst_estimates(self, session: 'dt.date', symbols: 'Sequence[str] | None' "
                              "= None, period: 'str' = 'annual') -> 'pl.DataFrame' is not the estimates signature")


def test_a_renamed_parameter_or_another_default_is_a_drift_too():
    class Renamed(Bars):
        def daily_bars(self, days: Sequence[dt.date], symbols: Sequence[str] | None = None) -> pl.DataFrame:
            return pl.DataFrame()

    class Required(Bars):
        def daily_bars(self, sessions: Sequence[dt.date], symbols: Sequence[str] | None) -> pl.DataFrame:
            return pl.DataFrame()

    for cls in (Renamed, Required):
        assert "is not the bars signature" in conformance_problems(cls)[0], cls


def test_a_stub_of_an_undeclared_dataset_is_refused():
    class Stubbed(Bars):
        def index_constituents(self, session: dt.date) -> pl.DataFrame:
            raise NotImplementedError("use another source")

        def quotes(self, asset_class: str, sessions: Sequence[dt.date],
                   symbols: Sequence[str] | None = None) -> pl.DataFrame:
            raise NotImplementedError

    assert conformance_problems(Stubbed) == [
        "Stubbed has index_constituents() but declares none of constituents: declare what it serves or remove the "
        "method",
        "Stubbed has quotes() but declares none of index_quotes, etf_quotes, commodity_quotes, crypto_quotes, "
        "fx_quotes: declare what it serves or remove the method"]


def test_attributes_a_protocol_needs_are_checked():
    class Estimates(Bars):
        datasets = frozenset({Dataset.BARS, Dataset.ESTIMATES})
        point_in_time_estimates = "no"

        def analyst_estimates(self, session: dt.date, symbols: Sequence[str] | None = None) -> pl.DataFrame:
            return pl.DataFrame()

    class Unnamed(Bars):
        name = None
        synthetic = 0

    assert conformance_problems(Estimates) == ["Estimates declares estimates but has no point_in_time_estimates: "
                                               "bool"]
    assert conformance_problems(Unnamed) == ["Unnamed.name must be str, got None",
                                             "Unnamed.synthetic must be bool, got 0"]
    assert conformance_problems(type("Loose", (), {"datasets": {"bars"}})) == [
        "Loose.datasets must be a frozenset of Dataset, got {'bars'}"]


def test_a_companion_needs_the_dataset_it_describes():
    class Listed:
        name, synthetic, disclaimer = "listed", False, None
        datasets = frozenset({Dataset.LISTINGS})

        def listings(self) -> pl.DataFrame:
            return pl.DataFrame()

    assert conformance_problems(Listed) == [
        "Listed declares listings, which describes universe, without serving universe"]


def test_check_conformance_lists_every_problem():
    class Bad(Bars):
        datasets = frozenset({Dataset.BARS, Dataset.NEWS})
        synthetic = None

    with pytest.raises(TypeError, match=r"Bad does not conform to the source contract:\n  Bad.synthetic .*\n  "
                                        r"Bad declares news"):
        check_conformance(Bad)


def test_declared_is_what_the_source_says_it_serves():
    source = Bars()
    assert declared(source, Dataset.BARS, BarSource) is source
    assert declared(source, Dataset.LISTINGS, ListingsSource) is None
    with pytest.raises(TypeError, match="listings is served through ListingsSource, not EstimateSource"):
        declared(source, Dataset.LISTINGS, EstimateSource)
