"""The offline stack (`make run`) as a user meets it: the first POST after "Ready", then warm figures.

Measured against the stack's own floor in the same run: ``GET /`` (the page, answered by
chalice local alone) against the sample ``POST /contact`` (chalice local -> local Step Functions
-> the app's Lambdas and moto). CPU per submission sums every process `make run` started.
"""
from __future__ import annotations

import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench._proc import tree_cpu_seconds
from bench._targets import Target
from localdev.harness import start_stack
from localdev.logs import DEFAULT_LEVEL
from localdev.stack import SEED_REQUEST

WARM_UP = 5
SEQUENTIAL = 60
# CPU is read from /proc in 10 ms ticks, with the stack's idle threads in it: 200 POSTs keep both small
CPU_POSTS = 200
CLIENTS = 8
PER_CLIENT = 12


def _timed(call) -> float:
    started = time.perf_counter()
    reply = call()
    elapsed = (time.perf_counter() - started) * 1000
    reply.raise_for_status()
    return elapsed


def _post_many(url: str, count: int) -> list[float]:
    """Latencies in ms of ``count`` seed requests over one keep-alive session; every answer must be 200."""
    with requests.Session() as session:
        return [_timed(lambda: session.post(url, json=SEED_REQUEST, timeout=60)) for _ in range(count)]


def _side_by_side(api_url: str, count: int) -> tuple[list[float], list[float]]:
    """GET / and the sample POST alternated on one session, so both see the same machine load."""
    gets, posts = [], []
    with requests.Session() as session:
        for _ in range(count):
            gets.append(_timed(lambda: session.get(f"{api_url}/", timeout=60)))
            posts.append(_timed(lambda: session.post(f"{api_url}/contact", json=SEED_REQUEST, timeout=60)))
    return gets, posts


def _throughput(url: str, clients: int, per_client: int) -> tuple[list[float], float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda _: _post_many(url, per_client), range(clients)))
    elapsed = time.perf_counter() - started
    latencies = [latency for result in results for latency in result]
    return latencies, len(latencies) / elapsed


def main() -> list[Target]:
    # At `make run`'s default log level (the harness asks for INFO, for the tests' sake).
    os.environ.setdefault("LOG_LEVEL", DEFAULT_LEVEL)
    stack = start_stack()
    try:
        url = f"{stack.api_url}/contact"
        # The harness returns as soon as "Ready" is printed: this is a user's first submission.
        first = _post_many(url, 1)[0]
        _post_many(url, WARM_UP)
        gets, posts = _side_by_side(stack.api_url, SEQUENTIAL)
        cpu_before = tree_cpu_seconds(stack.process.pid)
        _post_many(url, CPU_POSTS)
        cpu_ms = (tree_cpu_seconds(stack.process.pid) - cpu_before) * 1000 / CPU_POSTS
        one, rate_one = _throughput(url, 1, CLIENTS * PER_CLIENT)
        many, rate_many = _throughput(url, CLIENTS, PER_CLIENT)
    finally:
        stack.stop()
    get_ms, post_ms = statistics.median(gets), statistics.median(posts)
    print("chalice local -> local Step Functions -> moto, all on this machine; seed request", SEED_REQUEST)
    print(f"{'':28} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'req/s':>7}")
    for label, latencies, rate in (
        ("GET / (page)", gets, None),
        ("POST /contact, sequential", posts, None),
        ("POST /contact, 1 client", one, rate_one),
        (f"POST /contact, {CLIENTS} clients", many, rate_many),
    ):
        p95 = statistics.quantiles(latencies, n=20)[-1]
        rate_text = f"{rate:>7.1f}" if rate else f"{'':>7}"
        print(f"{label:28} {len(latencies):>8} {statistics.median(latencies):>10.2f} {p95:>8.1f} {rate_text}")
    print(f"{'first POST after Ready':28} {1:>8} {first:>10.1f}")
    print(f"{'CPU per POST, all processes':28} {CPU_POSTS:>8} {cpu_ms:>10.2f}")
    return [
        Target("sample POST median / page GET median", f"{post_ms:.2f} ms / {get_ms:.2f} ms",
               post_ms / get_ms, "<= 12"),
        Target("CPU per sample POST, all make-run processes", f"{cpu_ms:.2f} ms / 1 ms", cpu_ms, "<= 6",
               "ratio = ms of CPU"),
        Target("first POST after Ready / warm POST median", f"{first:.1f} ms / {post_ms:.2f} ms",
               first / post_ms, "<= 3"),
        Target(f"throughput {CLIENTS} clients / 1 client", f"{rate_many:.1f} /s / {rate_one:.1f} /s",
               rate_many / rate_one, ">= 1.8", "needs the cores; see the core count above"),
    ]


if __name__ == "__main__":
    from bench._targets import print_targets

    print_targets(main())
