"""One bounded load run against a freshly started `make run` stack, and its table of figures."""
from __future__ import annotations

import collections
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

from chalicelib import settings
from loadtest.audit import Audit, audit
from loadtest.clients import Exchange, drive
from localdev import aws
from localdev.harness import StackProcess, start_stack


@dataclass(frozen=True)
class LoadResult:
    run_id: str
    clients: int
    seconds: float
    exchanges: list[Exchange]
    audit: Audit

    @property
    def statuses(self) -> dict[int, int]:
        return dict(sorted(collections.Counter(exchange.status for exchange in self.exchanges).items()))

    @property
    def failures(self) -> dict[str, int]:
        """Why requests got no HTTP answer, by exception name."""
        return dict(collections.Counter(exchange.failure for exchange in self.exchanges if exchange.failure))

    @property
    def errors(self) -> int:
        return sum(exchange.status != 200 for exchange in self.exchanges)

    def percentile(self, percent: int) -> float:
        latencies = sorted(exchange.seconds for exchange in self.exchanges)
        if len(latencies) < 2:
            return latencies[0] if latencies else 0.0
        return statistics.quantiles(latencies, n=100, method="inclusive")[percent - 1]

    @property
    def consistent(self) -> bool:
        """The table matches the answers exactly: nothing lost, nothing extra, nothing twice."""
        return not self.audit.lost and not self.audit.unanswered and self.audit.duplicated == 0


def run(clients: int = 16, duration: float = 30, max_requests: int = 100_000,
        stack: StackProcess | None = None) -> LoadResult:
    """Load ``stack`` (a new one on free ports, stopped afterwards, when None) and audit its table."""
    own = stack is None
    running = stack or start_stack()
    try:
        run_id = uuid.uuid4().hex[:12]
        started = time.perf_counter()
        exchanges = drive(running.api_url, run_id, clients, duration, max_requests)
        seconds = time.perf_counter() - started
        dynamodb = aws.client("dynamodb", running.ports.aws)
        try:
            found = audit(exchanges, dynamodb, settings.tickets_table(), run_id)
        finally:
            dynamodb.close()
        return LoadResult(run_id, clients, seconds, exchanges, found)
    finally:
        if own:
            _stop(running)


def format_result(result: LoadResult) -> str:
    count = len(result.exchanges)
    rows = [
        ("concurrent clients", f"{result.clients}"),
        ("duration", f"{result.seconds:.1f} s"),
        ("requests", f"{count}"),
        ("throughput", f"{count / result.seconds:.1f} req/s" if result.seconds else "-"),
        ("latency p50", f"{result.percentile(50) * 1000:.0f} ms"),
        ("latency p95", f"{result.percentile(95) * 1000:.0f} ms"),
        ("latency p99", f"{result.percentile(99) * 1000:.0f} ms"),
        ("answers by status", ", ".join(f"{status or 'no answer'}: {n}" for status, n in result.statuses.items())),
        ("errors (not 200)", f"{result.errors}"),
        ("no answer because", ", ".join(f"{name}: {n}" for name, n in result.failures.items()) or "-"),
        ("tickets answered (200)", f"{result.audit.answered}"),
        ("tickets in the table", f"{result.audit.stored}"),
        ("answered but not stored (lost)", f"{len(result.audit.lost)}"),
        ("stored but never answered", f"{len(result.audit.unanswered)}"),
        ("submissions stored twice", f"{result.audit.duplicated}"),
        ("table matches the answers", "yes" if result.consistent else "NO"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def _stop(stack: StackProcess) -> None:
    try:
        stack.stop()
    except subprocess.TimeoutExpired:  # stop() killed it; the figures above are still valid
        print("warning: the stack did not stop within 30 s of SIGTERM and was killed", file=sys.stderr)
