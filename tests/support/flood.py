"""A scripted flood of NEGATIVE submissions against the offline product, and what reached the admin.

The app answers over real HTTP from chalice local's own threaded server, in this process, so the
flood is concurrent as it is under `make run`; behind it the real ASL runs in stepfunctions_local
and moto holds DynamoDB and SES (with each write applied atomically, as DynamoDB does).
"""
from __future__ import annotations

import contextlib
import functools
import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from unittest import mock

import boto3
from chalice.config import Config
from chalice.local import ThreadedHTTPServer, create_local_server

import app as app_module
from chalicelib import settings
from localdev import rate_limit
from localdev.api_server import RateLimitedRequestHandler, RequestHandler
from localdev.ports import free_port
from localdev.schedules import scheduled_event
from tests.support.offline_stack import OfflineStack

UNHAPPY = "This is terrible, awful service, I am very angry"


@dataclass(frozen=True)
class FloodResult:
    marker: str
    statuses: Counter[int]
    ticket_ids: list[str]
    sentiments: Counter[str]
    seconds: float

    @property
    def rate(self) -> float:
        return sum(self.statuses.values()) / self.seconds


@contextlib.contextmanager
def http_api(requests_per_minute: int | None = None) -> Iterator[int]:
    """chalice local's threaded server for app.py in this process, rate-limited as
    `RATE_LIMIT_PER_MINUTE=N make run` when asked; yields its port."""
    app = app_module.app
    original_class = app.__class__
    port = free_port()
    config = Config.create(chalice_stage="local", app_name=app.app_name)
    # create_local_server gives the app a thread-local current_request, as `chalice local` does;
    # the listen backlog and the request handlers are `make run`'s (localdev/api_server.py):
    # socketserver's backlog of 5 resets bursts.
    with mock.patch.object(ThreadedHTTPServer, "request_queue_size", 128):
        server = create_local_server(app, config, "127.0.0.1", port)
    handler = functools.partial(RequestHandler, app_object=app, config=config)
    if requests_per_minute:
        limit = rate_limit.PerClientLimit(requests_per_minute)
        handler = functools.partial(RateLimitedRequestHandler, app_object=app, config=config, limit=limit)
    server.server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, name="flood-api", daemon=True)
    thread.start()
    try:
        yield port
    finally:
        server.shutdown()
        server.server.server_close()
        thread.join(10)
        app.__class__ = original_class


def flood(port: int, submissions: int, clients: int) -> FloodResult:
    """POST ``submissions`` unhappy messages from ``clients`` concurrent keep-alive connections."""
    marker = f"flood{uuid.uuid4().hex[:10]}"
    statuses: Counter[int] = Counter()
    sentiments: Counter[str] = Counter()
    ticket_ids: list[str] = []
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for index in range(number, submissions, clients):
            body = json.dumps({"message": f"{UNHAPPY} ({marker} #{index})"}).encode()
            connection.request("POST", "/contact", body=body, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = json.loads(response.read() or b"{}")
            if response.status == 429:
                assert response.getheader("Retry-After"), "a 429 without Retry-After"
            with lock:
                statuses[response.status] += 1
                if response.status == 200:
                    ticket_ids.append(answer["ticketId"])
                    sentiments[answer["sentiment"]] += 1
        connection.close()

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return FloodResult(marker, statuses, ticket_ids, sentiments, time.perf_counter() - started)


def run_digest(stack: OfflineStack) -> dict:
    """One scheduled run of the digest Lambda, as EventBridge invokes it."""
    name = "contact-form-local-send_digest"
    return stack.handler("send_digest")(scheduled_event(name))


def quota_windows() -> dict[str, int]:
    """Counter item id -> immediate emails taken in that minute."""
    items = boto3.client("dynamodb").scan(TableName=settings.counters_table(), ConsistentRead=True)["Items"]
    return {item["id"]["S"]: int(item["taken"]["N"]) for item in items}
