"""`investing watchlist add|remove|list`: the deep-dive grid's symbols, kept as Dagster dynamic partitions."""

from __future__ import annotations

import argparse

from investing_assets.cli.arguments import ticker
from investing_assets.lib.core.symbols import check_symbol

WATCHLIST = "watchlist"
SYMBOL = "symbol"


def register(sub: argparse._SubParsersAction) -> None:
    watch = sub.add_parser("watchlist", help="the deep-dive grid's symbols (Dagster dynamic partitions)")
    watch.add_argument("action", choices=["add", "remove", "list"])
    watch.add_argument("symbols", nargs="*", type=ticker)
    watch.add_argument("--symbols-too", action="store_true", help="also make sure they are `symbol` partitions")
    watch.set_defaults(func=cmd_watchlist)


def cmd_watchlist(args: argparse.Namespace) -> int:
    """The partitions live in the Dagster instance: the servers and the instance's home are set up first, as
    for `make demo` (so a fresh clone needs no `. .investing/env.sh`)."""
    import dagster as dg

    from investing_assets.cli.common import environment, prepare_environment

    if args.action == "list" and args.symbols:
        raise SystemExit(f"investing watchlist list: takes no symbols (got {' '.join(args.symbols)})")
    if args.action != "list" and not args.symbols:
        raise SystemExit(f"investing watchlist {args.action}: name at least one symbol")
    with environment(prepare_environment()), dg.DagsterInstance.get() as instance:
        names = update_watchlist(instance, args.action, args.symbols, symbols_too=args.symbols_too)
    print(" ".join(names) or "(empty watchlist)")
    return 0


def update_watchlist(instance, action: str, symbols: list[str], *, symbols_too: bool = False) -> list[str]:
    """Add or remove watchlist partitions; returns the watchlist after the change."""
    wanted = [check_symbol(s.upper()) for s in symbols]
    current = set(instance.get_dynamic_partitions(WATCHLIST))
    if action == "add":
        instance.add_dynamic_partitions(WATCHLIST, sorted(set(wanted) - current))
        if symbols_too:
            known = set(instance.get_dynamic_partitions(SYMBOL))
            instance.add_dynamic_partitions(SYMBOL, sorted(set(wanted) - known))
    elif action == "remove":
        for name in set(wanted) & current:
            instance.delete_dynamic_partition(WATCHLIST, name)
    return sorted(instance.get_dynamic_partitions(WATCHLIST))
