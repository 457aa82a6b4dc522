"""The `make run` stack on loopback: a short load run with a ticket audit, and a scan of every log line.

`make load` is the long form (python -m loadtest: 16 clients for 30 s).
"""
from __future__ import annotations

import json
import time
import uuid
from typing import Iterator

import pytest

from chalicelib import settings
from loadtest import audit, format_result, run
from loadtest.clients import post, submission
from localdev import aws
from localdev.harness import StackProcess, start_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    running = start_stack()
    yield running
    running.stop()


def test_short_load_keeps_every_answered_ticket_and_no_other(stack: StackProcess):
    # GIVEN the local stack
    # WHEN 4 clients submit for 3 seconds (at most 300 requests)
    result = run(clients=4, duration=3, max_requests=300, stack=stack)
    # THEN every answer was a ticket, every ticket answered is in the table, and no other ticket of the run is
    assert result.exchanges, "no request completed"
    assert result.errors == 0, format_result(result)
    assert result.consistent, format_result(result)


def test_no_customer_data_in_any_log_line_of_a_full_run(stack: StackProcess):
    # GIVEN text, names and emails carrying a unique marker, sent every way in (API, SQS, EventBridge),
    # valid and invalid
    marker = uuid.uuid4().hex[:12]
    documents = [submission(marker, client, number) for client, number in ((0, 1), (1, 1), (2, 1))]
    sqs, events = aws.client("sqs", stack.ports.aws), aws.client("events", stack.ports.aws)
    queue_url = sqs.get_queue_url(QueueName=settings.SUBMISSIONS_QUEUE)["QueueUrl"]
    # WHEN they are processed
    status, body = post(f"{stack.api_url}/contact", documents[0])
    assert status == 200, body
    assert post(f"{stack.api_url}/contact", {**documents[0], "email": f"{marker}@@bad"})[0] == 400
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(documents[1]))
    sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({**documents[1], "name": 7}))
    events.put_events(Entries=[{"Source": settings.EVENT_SOURCE, "DetailType": settings.SUBMITTED_DETAIL_TYPE,
                                "Detail": json.dumps(documents[2])}])
    # Open keep-alive connections would hold up the stack's shutdown (see docs/reliability.md).
    sqs.close()
    events.close()
    # THEN all three valid submissions are stored (the stack did log their processing)...
    assert _wait_for_tickets(stack, marker, 3, timeout=60) == 3
    # ...and no line printed by any process of the stack carries the text, name or email
    leaked = [line for line in stack.output.splitlines() if marker in line]
    assert leaked == []
    assert "ticket created" in stack.output


def _wait_for_tickets(stack: StackProcess, marker: str, count: int, timeout: float) -> int:
    dynamodb = aws.client("dynamodb", stack.ports.aws)
    deadline = time.monotonic() + timeout
    try:
        while True:
            stored = audit([], dynamodb, settings.tickets_table(), marker).stored
            if stored >= count or time.monotonic() > deadline:
                return stored
            time.sleep(0.5)
    finally:
        dynamodb.close()
