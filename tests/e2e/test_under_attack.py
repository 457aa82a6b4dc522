"""`make run` under attack: the digest on its timer and RATE_LIMIT_PER_MINUTE, set from the shell."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from unittest import mock

import pytest

from localdev.harness import StackProcess, running_stack
from tests.support.stack_helpers import emails_mentioning, eventually, marker

REQUESTS_PER_MINUTE = 6


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    # As `ADMIN_EMAILS_PER_MINUTE=1 DIGEST_INTERVAL_SECONDS=2 RATE_LIMIT_PER_MINUTE=6 make run`
    shell = {"ADMIN_EMAILS_PER_MINUTE": "1", "DIGEST_INTERVAL_SECONDS": "2",
             "RATE_LIMIT_PER_MINUTE": str(REQUESTS_PER_MINUTE)}
    with mock.patch.dict(os.environ, shell), running_stack() as running:
        yield running


def post(stack: StackProcess, document: dict) -> tuple[int, dict[str, str], dict]:
    request = urllib.request.Request(
        f"{stack.api_url}/contact", data=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_beyond_the_quota_unhappy_messages_reach_the_admin_in_the_next_digest(stack):
    # GIVEN `make run` with one immediate admin email a minute and the digest every 2 seconds
    word = marker()
    # WHEN three unhappy customers write
    answers = [post(stack, {"message": f"This is terrible, awful service {word} {n}"}) for n in range(3)]
    assert [status for status, _, _ in answers] == [200, 200, 200]
    ticket_ids = [body["ticketId"] for _, _, body in answers]
    # THEN within a few digest intervals every ticket is in exactly one email, a digest holding the held-back ones
    def every_ticket_emailed() -> list[dict]:
        emails = emails_mentioning(stack, word)
        return emails if all(sum(t in str(e) for e in emails) == 1 for t in ticket_ids) else []

    emails = eventually(every_ticket_emailed, timeout=30)
    assert emails, stack.output[-3000:]
    assert any("Contact form digest" in str(email) for email in emails)
    assert "send_digest runs every 2 s" in stack.output


def test_a_client_beyond_the_rate_limit_gets_429_with_retry_after(stack):
    # GIVEN `make run` with RATE_LIMIT_PER_MINUTE=6
    # WHEN one client keeps sending (at most two minutes' worth, in case a minute turns over)
    answers = []
    for _ in range(2 * REQUESTS_PER_MINUTE + 1):
        answers.append(post(stack, {"message": "Hello"}))
        if answers[-1][0] == 429:
            break
    # THEN it is throttled in the API's error shape, told when to retry
    status, headers, body = answers[-1]
    assert status == 429
    assert body["Code"] == "TooManyRequestsError"
    assert 1 <= int(headers["Retry-After"]) <= 60
    assert headers["Content-Type"] == "application/json"
