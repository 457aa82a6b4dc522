"""Idempotency-Key against the `make run` stack over real HTTP: concurrent copies of one request."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.stack_helpers import emails_mentioning, eventually, marker, tickets_mentioning

COPIES = 8


def test_concurrent_copies_of_one_request_make_one_ticket_and_one_email(stack):
    # GIVEN one unhappy submission and its key
    text = marker()
    body = json.dumps({"message": f"This is bad service, {text}"})
    headers = {"Content-Type": "application/json", "Idempotency-Key": f"key-{text}"}

    def send(_: int) -> requests.Response:
        return requests.post(f"{stack.api_url}/contact", data=body, headers=headers, timeout=60)

    # WHEN eight copies of it arrive at once (a client retrying over several connections)
    with ThreadPoolExecutor(COPIES) as pool:
        replies = list(pool.map(send, range(COPIES)))
    # THEN each copy got the ticket or was told the first one still runs, never anything else
    statuses = sorted(reply.status_code for reply in replies)
    assert set(statuses) <= {200, 409}, [reply.text for reply in replies]
    assert 200 in statuses
    assert len({reply.json()["ticketId"] for reply in replies if reply.status_code == 200}) == 1
    # AND one ticket and one email exist
    [ticket] = tickets_mentioning(stack, text)
    assert len(eventually(lambda: emails_mentioning(stack, ticket["ticketId"]))) == 1
    # AND a copy sent afterwards gets that ticket
    assert send(0).json()["ticketId"] == ticket["ticketId"]
