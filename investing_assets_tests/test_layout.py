"""Rules of the layout that import-linter cannot see: SQL text lives in storage, settings are read in one place."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "investing_assets"
SQL = re.compile(r"\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+\.\w+ SET|CREATE TABLE)\b")


def _sources(*rooms: str):
    for room in rooms:
        yield from sorted((PACKAGE / room).rglob("*.py"))


def test_services_wiring_and_faces_hold_no_sql_text():
    offenders = [f"{path.relative_to(PACKAGE)}:{n}" for path in _sources("lib/services", "defs", "cli", "api", "launch")
                 for n, line in enumerate(path.read_text().splitlines(), 1) if SQL.search(line)]
    assert offenders == [], "SQL belongs in lib/storage/queries: " + ", ".join(offenders)


def test_only_settings_reads_the_environment():
    readers = [str(path.relative_to(PACKAGE)) for path in _sources("lib", "defs", "cli", "api", "launch")
               if re.search(r"os\.environ\.get|os\.getenv|EnvVar\([^)]*\)\.get_value", path.read_text())]
    assert readers == []
