"""What several commands share: the servers, the configured source, bar windows, and launching Dagster."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import polars as pl
import psycopg

from investing_assets import settings
from investing_assets.lib.core import calendar
from investing_assets.lib.core.datasets import Dataset
from investing_assets.lib.services.sources import MarketSources, SourceSettings
from investing_assets.lib.storage import servers as servers_mod
from investing_assets.lib.storage.queries.market import actions_for_bars, read_bars_window
from investing_assets.lib.storage.warehouse import Warehouse


def servers() -> servers_mod.Servers:
    return servers_mod.resolve(settings.home(), settings.pg_url(), settings.redis_url())


def prepare_environment() -> dict[str, str]:
    """Servers up, schema applied, DAGSTER_HOME with dagster.yaml; returns the env for child processes."""
    home = settings.home()
    found = servers()
    env = found.env(home)
    dagster_home = Path(env["DAGSTER_HOME"])
    dagster_home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(settings.DAGSTER_YAML, dagster_home / "dagster.yaml")
    written = servers_mod.write_env_file(home / "env.sh", env)
    Warehouse(found.pg_url).migrate()
    pools = _prepare_pools(dagster_home, env)
    print(f"PostgreSQL {_origin(found.pg_embedded)}: {servers_mod.redact_url(found.pg_url)}")
    print(f"Redis      {_origin(found.redis_embedded)}: {servers_mod.redact_url(found.redis_url)}")
    if pools:
        print("Pools      " + ", ".join(f"{pool} {what}" for pool, what in pools.items()))
    if len(written) > 1:
        print(f"Passwords kept out of {written[0]}: in {written[1]} (mode 0600), which it sources")
    return env


def _prepare_pools(dagster_home: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The sources' concurrency pools on the instance just written (ibkr: 1), unless a limit was set on purpose."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    from investing_assets.defs.shared.pools import ensure_pool_limits

    with environment(env), dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home))) as instance:
        return ensure_pool_limits(instance)


def _origin(embedded: bool) -> str:
    return "embedded" if embedded else "from the environment"


@contextlib.contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
    """`env` in this process for the block (in-process steps then see the servers the child runs see)."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def market_sources() -> MarketSources:
    """Each dataset's configured source, with the same settings the Dagster resource reads."""
    gateway = settings.ibkr_gateway()
    return MarketSources.of(settings.market_routes(), SourceSettings(settings.csv_folder(), settings.fmp_api_key(),
                                                                     gateway.host, gateway.port, gateway.client_id,
                                                                     settings.demo_symbols()))


def bars_window(symbols: list[str] | None, end: dt.date, sessions: int) -> tuple[pl.DataFrame, str]:
    """`sessions` bars up to `end`: from the warehouse when it holds them through `end`, else from the source."""
    if settings.pg_url():  # a configured warehouse is the first place to look
        try:
            bars, _ = read_bars_window(Warehouse(settings.pg_url()), end, end, sessions - 1, symbols)
            if bars.height and bars.get_column("session").max() == end:
                return bars, "warehouse"
        except psycopg.Error as exc:
            print(f"warehouse unavailable ({exc.__class__.__name__}); asking the source", file=sys.stderr)
    source = market_sources().bars()
    return source.daily_bars(calendar.sessions_ending(end, sessions), symbols), f"source {source.name}"


def corporate_actions(bars: pl.DataFrame, origin: str) -> pl.DataFrame | None:
    """The splits and dividends over a `bars_window` read, from where the bars came: the warehouse's
    market.corporate_actions, or the source (None when it serves none), so the CLI adjusts as the assets do."""
    if bars.height == 0:
        return None
    if origin == "warehouse":
        return actions_for_bars(Warehouse(settings.pg_url()), bars)
    sources = market_sources()
    if not sources.serves(Dataset.CORPORATE_ACTIONS):
        return None
    source = sources.corporate_actions()
    sessions = calendar.sessions_between(bars.get_column("session").min(), bars.get_column("session").max())
    return source.corporate_actions(sessions, bars.get_column("symbol").unique().sort().to_list())


def materialize_command(selection: Iterable[str], first: dt.date | str | None,
                        last: dt.date | str | None) -> list[str]:
    """`dagster asset materialize` for a partition, a range (one run), or an unpartitioned asset."""
    command = [
        str(Path(sys.executable).with_name("dagster")), "asset", "materialize",
        "-m", "investing_assets.definitions", "--select", ",".join(selection),
    ]
    first, last = (d.isoformat() if isinstance(d, dt.date) else d for d in (first, last))
    if first is not None:
        command += ["--partition", first] if first == last else ["--partition-range", f"{first}...{last}"]
    return command


def materialize(selection: Iterable[str], first: dt.date | str | None, last: dt.date | str | None,
                env: dict[str, str]) -> None:
    """One `dagster asset materialize` run; its logs are shown only when it fails."""
    selection = list(selection)
    result = subprocess.run(materialize_command(selection, first, last), env=env, cwd=settings.PROJECT_ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"dagster asset materialize failed for {selection}")
