"""Server URLs carry passwords: never printed, kept out of env.sh, and every file holding one is the owner's only."""

import stat
import subprocess

import pytest

from investing_assets.lib.storage.servers import has_password, redact_url, write_env_file


@pytest.mark.parametrize("url, shown", [
    ("postgresql://app:s3cr%40t@db.example.com:5432/investing?sslmode=verify-full",
     "postgresql://app:***@db.example.com:5432/investing?sslmode=verify-full"),
    ("postgresql+psycopg2://app:s3cr3t@db/investing", "postgresql+psycopg2://app:***@db/investing"),
    ("postgresql://app@db/investing?sslmode=require&password=s3cr3t",
     "postgresql://app@db/investing?sslmode=require&password=***"),
    ("rediss://:s3cr3t@cache.example.com:6380/0?ssl_cert_reqs=required",
     "rediss://:***@cache.example.com:6380/0?ssl_cert_reqs=required"),
    ("redis://default:s3cr3t@cache:6379/0", "redis://default:***@cache:6379/0"),
    ("redis://cache:6379/0?password=s3cr3t", "redis://cache:6379/0?password=***"),
    ("rediss://cache/0?ssl_certfile=/c.pem&ssl_password=s3cr3t", "rediss://cache/0?ssl_certfile=/c.pem&ssl_password=***"),
    ("postgresql://app@db/x?sslkey=/k.pem&sslpassword=s3cr3t", "postgresql://app@db/x?sslkey=/k.pem&sslpassword=***"),
    # no password: shown as given (the embedded servers' socket URLs)
    ("postgresql://postgres:@/postgres?host=/home/.investing/pg", "postgresql://postgres:@/postgres?host=/home/.investing/pg"),
    ("unix:///home/.investing/redis.sock", "unix:///home/.investing/redis.sock"),
    ("postgresql://app@db/investing?sslpasswordless=1", "postgresql://app@db/investing?sslpasswordless=1"),
])
def test_redact_url_hides_every_spelling_of_a_password(url, shown):
    assert redact_url(url) == shown
    assert "s3cr" not in redact_url(url)
    assert has_password(url) == (url != shown)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def sourced(env_sh, name: str) -> str:
    return subprocess.run(["sh", "-c", f'. "$1" && printf %s "${name}"', "sh", str(env_sh)], check=True,
                          capture_output=True, text=True).stdout


def test_env_file_keeps_passwords_in_a_0600_secrets_file_it_sources(tmp_path):
    env_sh = tmp_path / "env.sh"
    env_sh.write_text("export OLD=1\n")
    env_sh.chmod(0o644)  # what an older version left: world-readable
    env = {"INVESTING_PG_URL": "postgresql://app:pg-s3cret@db/investing?sslmode=require",
           "INVESTING_REDIS_URL": "rediss://:redis-s3cret@cache:6380/0",
           "DAGSTER_HOME": str(tmp_path / "dagster")}
    written = write_env_file(env_sh, env)
    secrets = tmp_path / "env.secrets.sh"
    assert written == [env_sh, secrets]
    assert mode(env_sh) == 0o600 and mode(secrets) == 0o600
    assert "s3cret" not in env_sh.read_text() and "DAGSTER_HOME" in env_sh.read_text()
    assert "pg-s3cret" in secrets.read_text() and "redis-s3cret" in secrets.read_text()
    for name, value in env.items():  # sourcing env.sh gives the shell every value, passwords included
        assert sourced(env_sh, name) == value
    assert sorted(p.name for p in tmp_path.iterdir()) == ["env.secrets.sh", "env.sh"]  # no temporary left

    written = write_env_file(env_sh, {"INVESTING_PG_URL": "postgresql://app@db/investing"})
    assert written == [env_sh] and not secrets.exists()  # no password any more: nothing left behind
    assert mode(env_sh) == 0o600
