"""Local POST /contact latency through the whole offline stack (`make run`), sequential and 8 clients."""
from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from localdev.harness import running_stack
from localdev.stack import SEED_REQUEST

WARM_UP = 5
SEQUENTIAL = 40
CLIENTS = 8
PER_CLIENT = 10


def _post_many(url: str, count: int) -> list[float]:
    """Latencies in ms of ``count`` seed requests over one keep-alive session; every answer must be 200."""
    latencies = []
    with requests.Session() as session:
        for _ in range(count):
            started = time.perf_counter()
            reply = session.post(url, json=SEED_REQUEST, timeout=60)
            latencies.append((time.perf_counter() - started) * 1000)
            reply.raise_for_status()
    return latencies


def _measure(url: str, clients: int, per_client: int) -> tuple[list[float], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: _post_many(url, per_client), range(clients)))
    elapsed = time.perf_counter() - started
    latencies = [latency for result in results for latency in result]
    return latencies, len(latencies) / elapsed


def _row(label: str, latencies: list[float], rate: float) -> tuple[str, int, float, float, float]:
    p95 = statistics.quantiles(latencies, n=20)[-1]
    return label, len(latencies), statistics.median(latencies), p95, rate


def main() -> None:
    with running_stack() as stack:
        url = f"{stack.api_url}/contact"
        _post_many(url, WARM_UP)
        rows = [
            _row("sequential (1 client)", *_measure(url, 1, SEQUENTIAL)),
            _row(f"concurrent ({CLIENTS} clients)", *_measure(url, CLIENTS, PER_CLIENT)),
        ]
    print("POST /contact, seed request, chalice local -> local Step Functions -> moto (all on this machine)")
    print(f"{'':24} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
    for label, count, median, p95, rate in rows:
        print(f"{label:24} {count:>8} {median:>10.1f} {p95:>8.1f} {rate:>7.1f}")
    (_, _, median_1, p95_1, rate_1), (_, _, median_n, p95_n, rate_n) = rows
    ratios = f"{median_n / median_1:>9.2f}x {p95_n / p95_1:>7.2f}x {rate_n / rate_1:>6.2f}x"
    print(f"{'ratio concurrent/seq':24} {'':>8} {ratios}")


if __name__ == "__main__":
    main()
