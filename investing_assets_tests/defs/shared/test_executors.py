"""Where steps run: the executor each INVESTING_EXECUTOR names, and the Kubernetes files that deploy the same code.

No cluster runs here: these tests hold the wiring (the executor the code location gets, the chart values and
manifests pointing at this package's modules and settings), not a run in pods."""

import re
from pathlib import Path

import pytest
import yaml

from investing_assets import settings
from investing_assets.defs.shared import executors

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"


def test_each_setting_names_its_executor(monkeypatch, redis_url):
    monkeypatch.delenv("INVESTING_EXECUTOR", raising=False)
    assert executors.run_executor().name == "in_process"
    monkeypatch.setenv("INVESTING_EXECUTOR", "k8s")
    assert executors.run_executor().name == "k8s"
    monkeypatch.setenv("INVESTING_EXECUTOR", "celery")
    monkeypatch.setenv("INVESTING_REDIS_URL", redis_url)
    assert executors.run_executor().name == "celery"
    monkeypatch.setenv("INVESTING_EXECUTOR", "pods")
    with pytest.raises(ValueError, match="INVESTING_EXECUTOR='pods' is not one of in_process, celery, k8s"):
        executors.run_executor()


def test_chart_values_run_this_code_location_on_k8s():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    (location,) = values["dagster-user-deployments"]["deployments"]
    module = location["dagsterApiGrpcArgs"][location["dagsterApiGrpcArgs"].index("-m") + 1]
    assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file()
    env = {e["name"]: e["value"] for e in location["env"]}
    assert env["INVESTING_EXECUTOR"] in settings.EXECUTORS
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["postgresql"]["enabled"] is False and values["postgresql"]["postgresqlScheme"] == "postgresql+psycopg2"
    secret = {"name": "investing-assets-env"}
    for pod in (values["dagsterWebserver"], values["dagsterDaemon"], location,
                values["runLauncher"]["config"]["k8sRunLauncher"]):
        assert secret in pod["envSecrets"]


def test_manifests_parse_and_name_only_known_settings():
    documents = [d for f in sorted((DEPLOY / "k8s").glob("*.yaml")) for d in yaml.safe_load_all(f.read_text())]
    assert {d["kind"] for d in documents} == {"Job", "Deployment", "Service"}
    source = (ROOT / "investing_assets" / "settings.py").read_text() + (ROOT / "dagster.yaml").read_text()
    named = set(re.findall(r"^(INVESTING_\w+)=", (DEPLOY / "k8s" / "env.example").read_text(), re.M))
    named |= set(re.findall(r"\b(INVESTING_\w+)\b", (DEPLOY / "k8s" / "api.yaml").read_text()))
    assert named and all(name in source for name in named), named - {n for n in named if n in source}
    job = next(d for d in documents if d["kind"] == "Job")
    command = " ".join(job["spec"]["template"]["spec"]["containers"][0]["args"])
    assert "investing db migrate" in command and "concurrency set ibkr 1" in command
