"""`make bench`: run every bench module, print each figure with its target, then a tally."""

from __future__ import annotations

import importlib
import sys
import time
import traceback

MODULES = ["indicators", "warehouse", "pipeline", "muni_model", "muni_extraction", "muni_drop", "scanner",
           "sec_facts", "api", "history_scale", "backfill", "scaling"]


def main(selected: list[str]) -> int:
    figures, missing = [], []
    for name in selected or MODULES:
        try:
            module = importlib.import_module(f"investing_assets.bench.{name}")
        except ModuleNotFoundError:
            missing.append(name)
            continue
        print(f"\n== {name} ==", flush=True)
        started = time.perf_counter()
        try:
            for figure in module.bench():
                figures.append(figure)
                print(figure.line(), flush=True)
        except Exception:  # a broken bench is reported, the others still run
            traceback.print_exc()
            print(f"[FAIL] {name}: the bench itself failed", flush=True)
        print(f"   ({time.perf_counter() - started:.1f} s)")
    met = sum(f.ok for f in figures)
    measured = [f for f in figures if not f.skipped]
    print(f"\n{met} of {len(measured)} figures within target"
          + (f" ({len(figures) - len(measured)} not measured)." if len(measured) < len(figures) else "."))
    if missing:
        print(f"not built yet: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
