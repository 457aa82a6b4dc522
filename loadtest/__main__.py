"""python -m loadtest [--clients N] [--duration S] [--max-requests N] — the command behind `make load`."""
from __future__ import annotations

import argparse
import sys

from loadtest.run import format_result, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loadtest", description=__doc__)
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load (default 30)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="stop after this many requests")
    args = parser.parse_args(argv)
    print(f"Starting the local stack, then {args.clients} clients for {args.duration:.0f} s...", flush=True)
    result = run(args.clients, args.duration, args.max_requests)
    print(format_result(result))
    # Exit 1 when the table does not match the answers; error answers are reported, not fatal.
    return 0 if result.consistent and result.exchanges else 1


if __name__ == "__main__":
    sys.exit(main())
