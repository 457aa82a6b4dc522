"""`make bench`: run every benchmark module in turn, then print the issue's targets side by side."""
from __future__ import annotations

import importlib
import os
import pkgutil

import bench
from bench._targets import Target, print_targets


def main() -> None:
    targets: list[Target] = []
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("_"):
            continue
        print(f"\n== bench.{module} ==", flush=True)
        targets.extend(importlib.import_module(f"bench.{module}").main() or [])
    print(f"\n== targets (one run, {os.cpu_count()} CPU cores) ==")
    print_targets(targets)


if __name__ == "__main__":
    main()
