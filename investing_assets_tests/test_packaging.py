"""An installed wheel must carry what it needs at run time: the schema files, the instance template and the
demo's reference closes."""

import subprocess
import sys
import uuid
import zipfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def empty_database(pg_admin_url: str):
    name = f"ia_wheel_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(pg_admin_url)
    yield urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))
    with psycopg.connect(pg_admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_wheel_migrates_from_its_own_files(tmp_path: Path, empty_database: str):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "dist"),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "dist").glob("investing_assets-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    sql_files = sorted(p.name for p in (ROOT / "investing_assets" / "sql").glob("*.sql"))
    assert sql_files and all(f"investing_assets/sql/{name}" in names for name in sql_files)
    assert "investing_assets/dagster.yaml" in names
    assert "investing_assets/lib/synthetic/reference_closes.csv" in names  # the demo's reference levels

    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    # an empty database, migrated by the unpacked package from its own sql/ (run outside the checkout)
    code = ("import sys; from investing_assets.lib.storage import warehouse as w; "
            "assert w.SQL_DIR.is_relative_to(sys.argv[1]), w.SQL_DIR; "
            "print(len(w.Warehouse(sys.argv[2]).migrate()))")
    out = subprocess.run([sys.executable, "-c", code, str(site), empty_database], cwd=tmp_path, check=True,
                         capture_output=True, text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert int(out.stdout.strip().splitlines()[-1]) == len(sql_files)
