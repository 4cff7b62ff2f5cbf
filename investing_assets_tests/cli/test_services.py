
from investing_assets import cli


def test_db_migrate(env, capsys):
    assert cli.main(["db", "migrate"]) == 0
    assert "001_market.sql" in capsys.readouterr().out


def test_services_up_uses_the_environment_and_writes_env_file(env, tmp_path, capsys):
    assert cli.main(["services", "up"]) == 0
    text = (tmp_path / "env.sh").read_text()
    assert "INVESTING_DAGSTER_PG_URL=postgresql+psycopg2://" in text
    assert "from the environment" in capsys.readouterr().out
    assert (tmp_path / "dagster" / "dagster.yaml").exists()
