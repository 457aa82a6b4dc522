"""`make bench`: run every benchmark module in turn, then print the issue's targets side by side.

A module that fails is reported and the others still run; `make bench` then exits non-zero.
"""
from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import traceback

import bench
from bench._targets import Target, print_targets


def main() -> int:
    targets: list[Target] = []
    failed: list[str] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("_"):
            continue
        print(f"\n== bench.{module} ==", flush=True)
        try:
            targets.extend(importlib.import_module(f"bench.{module}").main() or [])
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(module)
    print(f"\n== targets (one run, {os.cpu_count()} CPU cores) ==")
    print_targets(targets)
    if failed:
        print(f"\nfailed: {', '.join(f'bench.{name}' for name in failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
