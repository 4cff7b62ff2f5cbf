"""Find PostgreSQL and Redis: the environment's when set, otherwise embedded ones under `.investing/`."""

from __future__ import annotations

import shlex
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


def write_env_file(path: Path, env: dict[str, str]) -> None:
    """A shell-sourceable file, so `make dev` and a user's shell see the same servers."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in env.items()))
