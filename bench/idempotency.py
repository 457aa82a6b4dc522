"""What an Idempotency-Key costs on POST /contact, and what a replay costs, through `make run`'s stack."""
from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable

import requests

from localdev.harness import running_stack
from localdev.stack import SEED_REQUEST

WARM_UP = 5
REQUESTS = 40


def _latencies(url: str, key_for: Callable[[int], str | None]) -> list[float]:
    """Latencies in ms of sequential seed requests, each with ``key_for(i)`` as its key (or none)."""
    latencies = []
    with requests.Session() as session:
        for index in range(REQUESTS):
            key = key_for(index)
            headers = {"Idempotency-Key": key} if key else {}
            started = time.perf_counter()
            reply = session.post(url, json=SEED_REQUEST, headers=headers, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            reply.raise_for_status()
    return latencies


def main() -> None:
    replayed = str(uuid.uuid4())
    with running_stack() as stack:
        url = f"{stack.api_url}/contact"
        _latencies(url, lambda index: None if index < WARM_UP else replayed)
        rows = [
            ("no key", _latencies(url, lambda index: None)),
            ("fresh key each", _latencies(url, lambda index: str(uuid.uuid4()))),
            ("same key (replay)", _latencies(url, lambda index: replayed)),
        ]
    print("POST /contact, seed request, sequential, chalice local -> local Step Functions -> moto")
    print(f"{'':20} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'vs no key':>10}")
    base = statistics.median(rows[0][1])
    for label, latencies in rows:
        median = statistics.median(latencies)
        p95 = statistics.quantiles(latencies, n=20)[-1]
        print(f"{label:20} {len(latencies):>8} {median:>10.1f} {p95:>8.1f} {median / base:>9.2f}x")


if __name__ == "__main__":
    main()
