"""Every area is wired the same way and registers everything it defines, so nothing exists outside the UI."""

import importlib
import pkgutil

import dagster as dg
import pytest
from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

import investing_assets.defs as defs_package
from investing_assets.definitions import AREAS, defs
from investing_assets.defs.shared import keys

AREA_NAMES = sorted(m.name for m in pkgutil.iter_modules(defs_package.__path__) if m.name != "shared")


def _modules(area: str):
    package = importlib.import_module(f"investing_assets.defs.{area}")
    return [importlib.import_module(f"{package.__name__}.{m.name}") for m in pkgutil.iter_modules(package.__path__)]


def test_every_area_is_in_the_code_location():
    assert sorted(area.__module__.split(".")[2] for area in AREAS) == AREA_NAMES


@pytest.mark.parametrize("area", AREA_NAMES)
def test_area_has_the_template_files(area):
    files = {m.__name__.rsplit(".", 1)[1] for m in _modules(area)}
    assert {"assets", "definitions"} <= files
    if area != "demo":  # the demo's assets are materialized by `make demo`, never on a clock
        assert {"jobs", "schedules"} <= files


@pytest.mark.parametrize("area", AREA_NAMES)
def test_area_registers_every_job_schedule_sensor_and_asset_it_defines(area):
    job_names = {j.name for j in defs.jobs}
    schedule_names = {s.name for s in defs.schedules}
    sensor_names = {s.name for s in defs.sensors}
    graph_keys = defs.resolve_asset_graph().get_all_asset_keys()
    for module in _modules(area):
        for name, value in vars(module).items():
            where = f"{module.__name__}.{name}"
            if isinstance(value, UnresolvedAssetJobDefinition | dg.JobDefinition):
                assert value.name in job_names, f"job {where} is not registered"
            elif isinstance(value, dg.ScheduleDefinition):
                assert value.name in schedule_names, f"schedule {where} is not registered"
            elif isinstance(value, dg.SensorDefinition):
                assert value.name in sensor_names, f"sensor {where} is not registered"
            elif isinstance(value, dg.AssetsDefinition):
                assert set(value.keys) <= graph_keys, f"asset {where} is not registered"


def test_asset_keys_module_names_every_asset_once():
    constants = {v for v in vars(keys).values() if isinstance(v, dg.AssetKey)}
    assert constants == set(defs.resolve_asset_graph().get_all_asset_keys())


def test_jobs_stay_inside_their_area():
    graph = defs.resolve_asset_graph()
    for area in AREA_NAMES:
        jobs = importlib.import_module(f"investing_assets.defs.{area}.jobs") if area != "demo" else None
        for job in getattr(jobs, "JOBS", []):
            selected = job.selection.resolve(graph)
            groups = {graph.get(key).group_name for key in selected}
            assert groups == {area}, f"{job.name} selects assets of {sorted(groups)}"
