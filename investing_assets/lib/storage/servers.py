"""Find PostgreSQL and Redis: the environment's when set, otherwise embedded ones under `.investing/`.

A URL may carry a password (`postgresql://user:secret@host/db?sslmode=verify-full`, `rediss://:secret@host`,
or a `password=` parameter). It is never printed (`redact_url`), and the shell file that hands the servers to
`make dev` and the user's shell keeps it out of `env.sh`: password-bearing variables go to `env.secrets.sh`
beside it, which `env.sh` sources; both are written mode 0600 from the start.
"""

from __future__ import annotations

import os
import re
import shlex
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from investing_assets.lib.storage import embedded


@dataclass(frozen=True)
class Servers:
    pg_url: str
    redis_url: str
    pg_embedded: bool
    redis_embedded: bool

    @property
    def dagster_pg_url(self) -> str:
        """dagster-postgres 0.29 stores events through SQLAlchemy + psycopg2 (psycopg 3 fails on every event)."""
        return to_psycopg2_url(self.pg_url)

    def env(self, home: Path) -> dict[str, str]:
        return {
            "INVESTING_PG_URL": self.pg_url,
            "INVESTING_REDIS_URL": self.redis_url,
            "INVESTING_DAGSTER_PG_URL": self.dagster_pg_url,
            "DAGSTER_HOME": str(home / "dagster"),
            # a range run writes its per-partition materializations in batches, not one insert each
            "DAGSTER_EVENT_BATCH_SIZE": "1000",
        }


def resolve(home: Path, pg_url: str | None, redis_url: str | None) -> Servers:
    """Use the given URLs, starting embedded servers only for what is missing."""
    pg_embedded = not pg_url
    redis_embedded = not redis_url
    if pg_embedded:
        pg_url = embedded.start_postgres(home)
    if redis_embedded:
        redis_url = embedded.start_redis(home)
    return Servers(pg_url, redis_url, pg_embedded, redis_embedded)


def to_psycopg2_url(url: str) -> str:
    parts = urlsplit(url)
    scheme = "postgresql+psycopg2" if parts.scheme in {"postgres", "postgresql"} else parts.scheme
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def celery_url(redis_url: str) -> str:
    """A redis-py URL spelled for Celery's transport (kombu): a unix socket is `redis+socket://`, its logical
    database `virtual_host`; TCP URLs are the same in both."""
    parts = urlsplit(redis_url)
    if parts.scheme != "unix":
        return redis_url
    params = [p for p in parts.query.split("&") if p]
    db = next((p.split("=", 1)[1] for p in params if p.startswith("db=")), None)
    rest = [p for p in params if not p.startswith("db=")] + ([f"virtual_host={db}"] if db else [])
    return f"redis+socket://{parts.path}" + (f"?{'&'.join(rest)}" if rest else "")


SECRETS_SUFFIX = ".secrets.sh"  # env.sh -> env.secrets.sh
# libpq's and redis-py's URL parameters that carry a password (`?password=...`)
_PASSWORD_PARAM = re.compile(r"(?i)(?<![^?&])((?:ssl_?)?password|passwd)=[^&#]*")


def redact_url(url: str) -> str:
    """`url` with its password (in the user part or a `password=` parameter) shown as ***."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password:
        user, _, host = netloc.rpartition("@")
        netloc = f"{user.split(':', 1)[0]}:***@{host}"
    query = _PASSWORD_PARAM.sub(lambda m: f"{m.group(1)}=***", parts.query)
    if (netloc, query) == (parts.netloc, parts.query):
        return url  # urlunsplit would also respell it (unix:///path -> unix:/path)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def has_password(value: str) -> bool:
    return redact_url(value) != value


def write_env_file(path: Path, env: dict[str, str]) -> list[Path]:
    """A shell-sourceable file, so `make dev` and a user's shell see the same servers; returns the files written.

    Values that carry a password are kept out of it, in `<name>.secrets.sh` beside it (sourced by it, and
    removed when no value needs it); both files are mode 0600."""
    secrets = {k: v for k, v in env.items() if has_password(v)}
    public = {k: v for k, v in env.items() if k not in secrets}
    secrets_path = path.with_name(path.name.removesuffix(".sh") + SECRETS_SUFFIX)
    text = _exports(public)
    written = [path]
    if secrets:
        _write_private(secrets_path, "# Passwords of the servers in env.sh (mode 0600: keep it so, never commit "
                                     "it)\n" + _exports(secrets))
        text += f". {shlex.quote(str(secrets_path))}\n"
        written.append(secrets_path)
    else:
        secrets_path.unlink(missing_ok=True)
    _write_private(path, text)
    return written


def _exports(env: dict[str, str]) -> str:
    return "".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items())


def _write_private(path: Path, text: str) -> None:
    """Write `text` readable by its owner only, at no moment otherwise: a 0600 temporary file renamed over
    `path` (an older, wider file is replaced, not rewritten in place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
