
import stat
from urllib.parse import urlsplit, urlunsplit

from investing_assets import cli


def test_db_migrate(env, capsys):
    assert cli.main(["db", "migrate"]) == 0
    assert "001_market.sql" in capsys.readouterr().out


def test_services_up_uses_the_environment_and_writes_env_file(env, tmp_path, capsys):
    assert cli.main(["services", "up"]) == 0
    text = (tmp_path / "env.sh").read_text()
    assert "INVESTING_DAGSTER_PG_URL=postgresql+psycopg2://" in text
    assert stat.S_IMODE((tmp_path / "env.sh").stat().st_mode) == 0o600
    assert not (tmp_path / "env.secrets.sh").exists()  # no password: one file
    assert "from the environment" in capsys.readouterr().out
    assert (tmp_path / "dagster" / "dagster.yaml").exists()


def with_password(url: str, user: str, password: str) -> str:
    """`url` as `user` with a password (nothing connects to Redis here, and the test PostgreSQL trusts every local
    connection, so the password is never checked)."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, f"{parts.username or user}:{password}@{host}", parts.path, parts.query,
                       parts.fragment))


def test_services_up_never_prints_or_spreads_a_password(env, monkeypatch, redis_url, tmp_path, capsys):
    monkeypatch.setenv("INVESTING_PG_URL", with_password(env, "postgres", "pg-s3cret"))
    monkeypatch.setenv("INVESTING_REDIS_URL", with_password(redis_url, "default", "redis-s3cret"))
    assert cli.main(["services", "up"]) == 0
    out = capsys.readouterr().out
    assert "s3cret" not in out
    assert "PostgreSQL from the environment: postgresql://postgres:***@" in out
    assert "Redis      from the environment: redis://default:***@" in out
    env_sh, secrets = tmp_path / "env.sh", tmp_path / "env.secrets.sh"
    assert f"Passwords kept out of {env_sh}: in {secrets} (mode 0600)" in out
    assert stat.S_IMODE(env_sh.stat().st_mode) == 0o600 and stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert "s3cret" not in env_sh.read_text()
    assert "INVESTING_DAGSTER_PG_URL=postgresql+psycopg2://postgres:pg-s3cret@" in secrets.read_text()
