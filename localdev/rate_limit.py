"""A per-client request limit for `make run`: `RATE_LIMIT_PER_MINUTE=N make run`.

On AWS the gateway throttles (stage limits, the optional WAF per-IP rule; deploy/resources.yaml)
and the app never sees the request; offline the gateway is chalice local, so the limit sits in
its request handler, before the app. A client (its socket's IP, as API Gateway's ``sourceIp``)
gets N requests in each clock minute; beyond them the answer is API Gateway's throttled answer:
429, ``Retry-After`` and the API's JSON error shape. Off by default, so load tests measure the
stack and not the limit.
"""
from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Mapping
from typing import Any, Callable

from chalice import local

VARIABLE = "RATE_LIMIT_PER_MINUTE"
WINDOW_SECONDS = 60
# The same answer deploy/resources.yaml gives API Gateway's THROTTLED response.
CODE = "TooManyRequestsError"
MESSAGE = "Too many requests: wait for the seconds in Retry-After, then try again"


def limit_from_environment(env: Mapping[str, str]) -> int | None:
    """Requests a client may make a minute, or None when unset or 0 (no limit)."""
    value = env.get(VARIABLE, "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValueError(f"{VARIABLE} must be a whole number of requests a minute (0 or unset: no limit)")
    return int(value) or None


class PerClientLimit:
    """Counts requests per client in fixed clock-minute windows (thread-safe)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.time) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._lock = threading.Lock()
        self._window = -1
        self._taken: dict[str, int] = {}

    def take(self, client: str) -> int | None:
        """None when the request may pass; otherwise the seconds until the client may retry."""
        now = self._clock()
        window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
        with self._lock:
            if window != self._window:
                # One window for every client: a new minute forgets them all at once.
                self._window, self._taken = window, {}
            taken = self._taken.get(client, 0)
            if taken >= self.per_minute:
                return max(1, math.ceil(window + WINDOW_SECONDS - now))
            self._taken[client] = taken + 1
            return None


def too_many_requests(retry_after: int) -> tuple[dict[str, str], bytes]:
    """Headers and body of the throttled answer."""
    body = json.dumps({"Code": CODE, "Message": MESSAGE}).encode("utf-8")
    return {"Content-Type": "application/json", "Retry-After": str(retry_after)}, body


class RateLimitedHandler(local.ChaliceRequestHandler):
    """chalice local's request handler, answering 429 once a client used its minute's requests."""

    def __init__(self, request: Any, client_address: tuple[str, int], server: Any, *, limit: PerClientLimit,
                 **chalice: Any) -> None:
        # Set before the base class's __init__, which handles the request.
        self._limit = limit
        super().__init__(request, client_address, server, **chalice)

    def _limited_handle(self) -> None:
        retry_after = self._limit.take(self.client_address[0])
        if retry_after is None:
            self._generic_handle()
            return
        self._parse_payload()  # read the body, so the kept-alive connection can carry the next request
        headers, body = too_many_requests(retry_after)
        self._send_http_response(429, headers, body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _limited_handle
