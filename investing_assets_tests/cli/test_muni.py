"""`investing muni score|samples` without Dagster, through the subcommands `cli.muni.register` adds."""

import argparse
import datetime as dt
import json

import pytest

from investing_assets.cli import muni as cli_muni
from investing_assets.lib.services import muni
from investing_assets.lib.storage.warehouse import Warehouse
from investing_assets_tests.lib.services.muni._helpers import sample_report


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_report(tmp_path_factory.mktemp("muni_sample"))


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="investing")
    cli_muni.register(parser.add_subparsers())
    args = parser.parse_args(list(argv))
    return args.func(args)


@pytest.fixture
def report(tmp_path, sample):
    path = tmp_path / "report.pdf"
    path.write_bytes(sample[0])
    return path


def test_score_prints_figures_with_pages_and_a_model_trained_on_the_spot(monkeypatch, tmp_path, report, sample,
                                                                         capsys):
    monkeypatch.delenv("INVESTING_PG_URL", raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))  # no embedded PostgreSQL there either
    assert run("muni", "score", str(report)) == 0
    out = capsys.readouterr().out
    truth = sample[1]
    assert "Issuer:" in out and "Fiscal year end:  20" in out and "as printed: (amounts in thousands)" in out
    assert "(page 4: " in out  # the fiscal year end says where it was read
    assert f"{truth['total_assets']:,.0f}" in out
    missing = [m for m, v in truth.items() if v is None]
    for metric in missing:
        assert f"{metric}" in out
    assert out.count("not stated") >= len(missing)
    assert "Inputs: " in out and "model features present" in out
    assert "Risk:" in out and "bucket" in out and "top drivers:" in out and "risk)" in out
    assert "coverage " in out and "held-out AUC" in out
    assert "trained on the spot on the synthetic panel" in out and "no embedded PostgreSQL running" in out


def test_score_json_is_the_whole_result(monkeypatch, pg_url, report, sample, capsys):
    monkeypatch.setenv("INVESTING_PG_URL", pg_url)
    model = muni.train_model(Warehouse(pg_url), muni.PanelSpec(issuers=600, years=6),
                             params={"num_boost_round": 30}, trained_at=dt.datetime(2026, 11, 11, tzinfo=dt.UTC))
    assert run("muni", "score", str(report), "--json") == 0
    result = json.loads(capsys.readouterr().out)
    truth = sample[1]
    values = result["extraction"]["values"]
    assert set(values) == set(truth)
    for metric, expected in truth.items():
        if expected is None:
            assert values[metric]["value"] is None and values[metric]["reason"] in ("not_stated", "not_recognised")
        else:
            assert values[metric]["value"] == expected and values[metric]["page"] >= 1
            assert values[metric]["line"] and 0 < values[metric]["confidence"] <= 1
    assert result["extraction"]["fiscal_year_end"]["page"] == 4
    assert result["coverage"]["status"] == result["score"]["status"] == "scored"
    assert set(result["coverage"]["present"]) | set(result["coverage"]["missing"]) == set(result["features"])
    assert 0 < result["score"]["probability"] < 1 and result["score"]["bucket"]
    for driver in result["score"]["drivers"]:
        assert driver["feature"] in result["features"] and driver["value"] == result["features"][driver["feature"]]
        assert driver["direction"] in ("raises risk", "lowers risk")
    assert result["model"]["version"] == model.version  # the stored model, not one trained on the spot
    # the score says what it rests on and how well the stored model does with as many inputs, held out
    level = result["score"]["coverage_level"]
    assert level == result["coverage"]["level"]
    assert result["score"]["held_out_at_level"] == model.at_level(level) and model.at_level(level)["rows"] > 0


def test_score_uses_the_latest_stored_model(monkeypatch, pg_url, report, capsys):
    monkeypatch.setenv("INVESTING_PG_URL", pg_url)
    model = muni.train_model(Warehouse(pg_url), muni.PanelSpec(issuers=600, years=6),
                             params={"num_boost_round": 30}, trained_at=dt.datetime(2026, 11, 10, tzinfo=dt.UTC))
    assert run("muni", "score", str(report)) == 0
    out = capsys.readouterr().out
    assert f"model {model.version}: latest stored model in muni.models" in out


def test_score_says_why_a_file_cannot_be_read(tmp_path, capsys):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    assert run("muni", "score", str(empty)) == 2
    assert "not readable (empty)" in capsys.readouterr().err


def test_samples_land_in_the_drop_folder_without_overwriting(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path))
    monkeypatch.delenv("INVESTING_MUNI_DROP", raising=False)
    assert run("muni", "samples", "--count", "2") == 0
    drop = tmp_path / "muni_drop"
    assert sorted(p.name for p in drop.iterdir()) == ["sample_000_classic.pdf", "sample_001_pre2012.pdf"]
    assert run("muni", "samples", "--count", "1", "--folder", str(drop)) == 0
    assert sorted(p.name for p in drop.iterdir()) == ["sample_000_classic-1.pdf", "sample_000_classic.pdf",
                                                      "sample_001_pre2012.pdf"]
    assert f"into {drop}" in capsys.readouterr().out


def test_ingest_names_a_quarantined_report_apart_from_the_ones_read(env, monkeypatch, sample):
    """What `make demo` relies on: a user's unreadable file fails its own run (the extraction job's, tagged as
    the sensor tags it), and is told apart from a sample that could not be read (which would fail the demo).
    A separate process, as a user runs it: the code it runs reads this test's settings."""
    import os
    import subprocess
    import sys

    import dagster as dg

    from investing_assets.cli.common import environment, prepare_environment

    monkeypatch.delenv("INVESTING_MUNI_DROP", raising=False)
    folder = cli_muni.drop_folder(None)
    (folder.root / "good.pdf").write_bytes(sample[0])
    (folder.root / "broken.pdf").write_bytes(sample[0][:400])
    servers = prepare_environment()
    done = subprocess.run([sys.executable, "-m", "investing_assets.cli", "muni", "ingest"], capture_output=True,
                          text=True, env={**os.environ, **servers}, timeout=600)
    assert done.returncode == 1, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == ("read 1 of 2 new report(s) from the drop folder; 1 quarantined, "
                                                    "0 other run failure(s)")
    with environment(servers), dg.DagsterInstance.get() as instance:
        runs = {run.tags["muni/path"]: run for run in instance.get_runs()}
    assert {path: run.status for path, run in runs.items()} == {"good.pdf": dg.DagsterRunStatus.SUCCESS,
                                                                "broken.pdf": dg.DagsterRunStatus.FAILURE}
    assert {run.job_name for run in runs.values()} == {"muni_document_extraction"}
    assert all(run.remote_job_origin is not None for run in runs.values())  # re-executable from the UI
