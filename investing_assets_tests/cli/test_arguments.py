"""What a user types never ends in a traceback: every argument is checked, and a refusal is one line naming it."""

import subprocess
import sys

import pytest

from investing_assets import cli


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ("INVESTING_PG_URL", "INVESTING_REDIS_URL", "INVESTING_START", "INVESTING_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("INVESTING_HOME", str(tmp_path / "home"))
    return tmp_path


def refusal(argv: list[str], capsys) -> str:
    """The one line a refused command leaves on stderr (argparse's, or the command's SystemExit)."""
    with pytest.raises(SystemExit) as refused:
        cli.main(argv)
    code = refused.value.code
    err = capsys.readouterr().err
    text = err if code == 2 else str(code)
    assert code not in (0, None)
    assert "Traceback" not in err and text.count("\n") <= 1 and text.strip(), text
    return text.strip()


TOO_LONG = "ABCDEFGHIJK"


@pytest.mark.parametrize("argv, message", [
    # symbols: one ticker rule (`.`, `..`, `-`, a trailing newline, 11 characters)
    (["ta", "."], "investing ta: error: argument symbol: refused symbol '.': a ticker is 1-10 of A-Z, 0-9, '.', "
                  "'-', starting with a letter or digit"),
    (["ta", ".."], "argument symbol: refused symbol '..'"),
    (["ta", "-"], "argument symbol: refused symbol '-'"),
    (["ta", "AAPL\n"], "argument symbol: refused symbol 'AAPL\\n'"),
    (["chart", TOO_LONG], f"argument symbol: refused symbol '{TOO_LONG}'"),
    (["scan", "--symbols", "AAPL", ".."], "argument --symbols: refused symbol '..'"),
    (["watchlist", "add", "..", "-"], "investing watchlist: error: argument symbols: refused symbol '..'"),
    (["watchlist", "remove", "-"], "argument symbols: refused symbol '-'"),
    (["watchlist", "list", "AAPL"], "investing watchlist list: takes no symbols (got AAPL)"),
    (["watchlist", "add"], "investing watchlist add: name at least one symbol"),
    # counts
    (["ta", "AAPL", "--days", "-5"], "investing ta: error: argument --days: must be at least 1 (got -5)"),
    (["scan", "--top", "-5"], "argument --top: must be at least 1 (got -5)"),
    (["scan", "--top", "x"], "argument --top: not a whole number: 'x'"),
    (["demo", "--sessions", "0"], "investing demo: error: argument --sessions: must be at least 1 (got 0)"),
    (["demo", "--scan-sessions", "-1"], "argument --scan-sessions: must be at least 1 (got -1)"),
    (["muni", "samples", "--count", "-5"], "investing muni samples: error: argument --count: must be at least 1"),
    (["muni", "samples", "--seed", "-1"], "argument --seed: must be at least 0 (got -1)"),
    (["muni", "score", __file__, "--max-pages", "0"], "argument --max-pages: must be at least 1 (got 0)"),
    (["muni", "score", __file__, "--max-bytes", "1e9"], "argument --max-bytes: not a whole number: '1e9'"),
    (["muni", "score", __file__, "--timeout", "-1"], "argument --timeout: must be a finite number above 0 (got -1)"),
    (["muni", "score", __file__, "--timeout", "nan"], "argument --timeout: must be a finite number above 0 (got nan)"),
    (["dev", "--port", "99999"], "investing dev: error: argument --port: must be at most 65535 (got 99999)"),
    (["dev", "--port", "0"], "argument --port: must be at least 1 (got 0)"),
    # dates and the demo's range
    (["demo", "--end", "2026-13-01"], "investing demo: error: argument --end: not a date: '2026-13-01'"),
    (["demo", "--end", "1900-01-01"], "investing demo: 1900-01-01 is before the calendar's first session 2016-01-04"),
    (["demo", "--end", "2026-11-26"], "investing demo: 2026-11-26 is not an NYSE session (an NYSE holiday"),
    (["demo", "--end", "2099-01-05"], "investing demo: 2099-01-05 is in the future or still trading"),
    (["demo", "--end", "2016-02-01"], "investing demo: --sessions 60 after a lookback of "),
    (["ta", "AAPL", "--session", "1900-01-01"], "investing ta: 1900-01-01 is before the calendar's first session"),
])
def test_a_bad_argument_is_one_line_naming_it(clean_env, capsys, argv, message):
    assert message in refusal(argv, capsys)
    assert not (clean_env / "home" / "pg").exists()  # refused before any server was started


def test_paths_are_checked_before_any_work(clean_env, capsys):
    a_file = clean_env / "a_file"
    a_file.write_text("x")
    assert f"argument --out: {clean_env} is a folder" in refusal(["chart", "AAPL", "--out", str(clean_env)], capsys)
    assert f"argument --out: cannot write {a_file}/x.png: {a_file} is not a writable folder" in \
        refusal(["chart", "AAPL", "--out", str(a_file / "x.png")], capsys)
    assert f"argument --folder: {a_file} is a file, not a folder" in \
        refusal(["muni", "samples", "--folder", str(a_file)], capsys)
    assert f"argument pdf: no such file: {clean_env}/missing.pdf" in \
        refusal(["muni", "score", str(clean_env / "missing.pdf")], capsys)
    assert f"argument pdf: {clean_env} is not a file" in refusal(["muni", "score", str(clean_env)], capsys)


@pytest.mark.parametrize("argv, message", [
    (["demo", "--end", "1900-01-01"], "investing demo: 1900-01-01 is before the calendar's first session"),
    (["watchlist", "add", "..", "-"], "investing watchlist: error: argument symbols: refused symbol '..'"),
    (["ta", "AAPL", "--days", "-5"], "investing ta: error: argument --days: must be at least 1 (got -5)"),
])
def test_the_installed_command_prints_one_line_and_no_traceback(clean_env, argv, message):
    done = subprocess.run([sys.executable, "-m", "investing_assets.cli", *argv], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode in (1, 2)
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert done.stdout == ""
