"""`make bench`: run every benchmark module in turn."""
from __future__ import annotations

import importlib
import pkgutil

import bench


def main() -> None:
    for module in sorted(m.name for m in pkgutil.iter_modules(bench.__path__)):
        if module.startswith("_"):
            continue
        print(f"\n== bench.{module} ==", flush=True)
        importlib.import_module(f"bench.{module}").main()


if __name__ == "__main__":
    main()
