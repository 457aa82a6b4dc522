"""A flood of NEGATIVE submissions against the offline product: throughput, admin emails, digest size and time."""
from __future__ import annotations

import os
import time
from unittest import mock

from localdev.moto_atomic import atomic_moto_writes
from tests.support.flood import flood, http_api, quota_windows, run_digest
from tests.support.offline_stack import offline_stack

SUBMISSIONS = 1000
CLIENTS = 8
LIMIT = 60


def main() -> None:
    # A thousand submissions' INFO logs and metrics lines would bury the figures.
    with mock.patch.dict(os.environ, {"POWERTOOLS_METRICS_DISABLED": "true", "POWERTOOLS_LOG_LEVEL": "WARNING"}):
        _flood_twice()


def _flood_twice() -> None:
    with offline_stack() as stack, atomic_moto_writes(), http_api() as port:
        result = flood(port, SUBMISSIONS, CLIENTS)
        immediate = len(stack.emails())
        windows = quota_windows()
        started = time.perf_counter()
        digest = run_digest(stack)
        digest_seconds = time.perf_counter() - started
        [digest_email] = stack.emails()[immediate:]
    print(f"{SUBMISSIONS} NEGATIVE submissions from {CLIENTS} clients in {result.seconds:.1f} s "
          f"({result.rate:.0f} req/s); answers {dict(result.statuses)}")
    print(f"immediate admin emails: {immediate} over {len(windows)} minute window(s) {sorted(windows.values())}")
    print(f"one digest run: {digest['tickets']} tickets in 1 email of {len(digest_email.body.encode()):,} bytes "
          f"in {digest_seconds:.1f} s")
    with offline_stack() as stack, atomic_moto_writes(), http_api(requests_per_minute=LIMIT) as port:
        limited = flood(port, SUBMISSIONS, CLIENTS)
        stored = stack.ticket_count()
    print(f"RATE_LIMIT_PER_MINUTE={LIMIT}: {SUBMISSIONS} requests from one IP in {limited.seconds:.1f} s; "
          f"answers {dict(limited.statuses)}; tickets stored {stored}")


if __name__ == "__main__":
    main()
