"""The home's daemon lock: a second `investing dev` is refused while one lives, a dead owner's lock is taken."""

import os
import subprocess
import sys

import pytest

from investing_assets import cli
from investing_assets.cli.services import run_child
from investing_assets.launch.home_lock import HomeLock, LockHeld

HOLDER = """
import sys
from pathlib import Path
from investing_assets.launch.home_lock import HomeLock
with HomeLock(Path(sys.argv[1]), "daemon").held("investing dev"):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(tmp_path):
    """Another process holding the lock until its stdin closes."""
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "held"
    yield child
    child.stdin.close()
    child.wait()


def test_a_second_dev_is_refused_with_one_line_naming_the_first(env, tmp_path, holder, capsys):
    assert cli.main(["dev"]) == 1
    err = capsys.readouterr().err.strip()
    assert err == (f"investing dev: a Dagster daemon already runs for {tmp_path} (pid {holder.pid}: investing dev); "
                   "use that one, or stop it first")
    assert not (tmp_path / "dagster").exists()  # refused before starting anything


def test_the_lock_is_free_again_when_its_owner_dies(tmp_path, holder):
    with pytest.raises(LockHeld) as held:
        with HomeLock(tmp_path, "daemon").held("investing dev"):
            pass
    assert held.value.pid == holder.pid
    holder.kill()
    holder.wait()
    assert (tmp_path / "daemon.lock").read_text().startswith(f"{holder.pid} ")  # stale: a dead pid on file
    with HomeLock(tmp_path, "daemon").held("investing dev"):
        assert HomeLock(tmp_path, "daemon").owner() == (os.getpid(), "investing dev")


def test_run_child_returns_the_childs_exit_code(tmp_path):
    assert run_child([sys.executable, "-c", "raise SystemExit(7)"], {}) == 7
