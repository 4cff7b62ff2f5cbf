"""`investing`: every service without Dagster, plus the demo and dev launchers.

One module per family of commands; each adds its subcommands to the parser (`register`). Commands that work
through Dagster (demo, watchlist, muni ingest) say so in their help.
"""

from __future__ import annotations

import argparse
from typing import NoReturn

from investing_assets.cli import (
    analysis,
    chat,
    demo,
    fundamentals,
    holdings,
    muni,
    sec,
    serve,
    services,
    watchlist,
    workers,
)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "func"):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


class OneLineParser(argparse.ArgumentParser):
    """A refused argument is one line on stderr naming it (exit 2), without the usage block above it: the
    command's subparsers are of this class too (argparse makes them of the parent's)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="investing", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers()
    for family in (services, serve, analysis, holdings, fundamentals, sec, demo, watchlist, muni, chat, workers):
        family.register(sub)
    return parser
