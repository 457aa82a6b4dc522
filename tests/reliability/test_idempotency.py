"""Idempotency-Key against the real workflow (stepfunctions_local, ManualClock) behind the real API.

The fault the key exists for: a 504 whose execution went on to record the ticket (and send the
email). A resend with the same key must get that ticket: no second execution, ticket or email.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

from chalicelib.idempotency import KEY_HEADER
from tests.support.offline_stack import JSON, NOTIFY_FUNCTION, OfflineStack, Reply

UNHAPPY = "This is terrible, awful service and I am angry"


def post_with_key(stack: OfflineStack, body: dict[str, Any], key: str) -> Reply:
    return stack.post(body, headers={**JSON, KEY_HEADER: key})


def emails_naming(stack: OfflineStack, ticket_id: str) -> int:
    return sum(ticket_id in email.subject for email in stack.emails())


def test_resend_after_a_504_whose_execution_recorded_the_ticket_gets_it_with_one_ticket_and_one_email(
    fresh_stack: OfflineStack,
):
    # GIVEN a notifier that sends the email, then takes longer than the workflow has left
    notify = fresh_stack.handler("notify_admin")

    def slow_notifier(event: Any, context: Any) -> Any:
        answer = notify(event, context)
        fresh_stack.clock.advance(30)
        return answer

    fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, slow_notifier)
    key = str(uuid.uuid4())
    # WHEN an unhappy customer's request times out after the record, and the page sends it again
    first = post_with_key(fresh_stack, {"message": UNHAPPY}, key)
    second = post_with_key(fresh_stack, {"message": UNHAPPY}, key)
    # THEN the first answer was a 504, the resend gets the recorded ticket
    assert first.status == 504, first.text
    assert second.status == 200, second.text
    [ticket] = fresh_stack.tickets_with_message(UNHAPPY)
    assert second.json["ticketId"] == ticket["ticketId"]
    assert second.json["sentiment"] == ticket["sentiment"] == "NEGATIVE"
    assert ticket["executionArn"] == first.json["ExecutionArn"]
    # AND one execution ran, and one email names the ticket
    assert fresh_stack.sfn.calls == 1
    assert emails_naming(fresh_stack, ticket["ticketId"]) == 1


def test_same_key_while_the_first_runs_gets_409_and_one_ticket(fresh_stack: OfflineStack):
    # GIVEN the same request arriving again while the first one's workflow runs (its notifier)
    key = str(uuid.uuid4())
    notify = fresh_stack.handler("notify_admin")
    concurrent: list[Reply] = []

    def notifier_meeting_a_resend(event: Any, context: Any) -> Any:
        concurrent.append(post_with_key(fresh_stack, {"message": UNHAPPY}, key))
        return notify(event, context)

    fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, notifier_meeting_a_resend)
    # WHEN the first one completes
    first = post_with_key(fresh_stack, {"message": UNHAPPY}, key)
    # THEN the resend was told to wait, and only one ticket and one email exist
    assert first.status == 200, first.text
    [resend] = concurrent
    assert resend.status == 409 and resend.json["Field"] == KEY_HEADER
    assert int(resend.headers["Retry-After"]) >= 1
    assert len(fresh_stack.tickets_with_message(UNHAPPY)) == 1
    assert emails_naming(fresh_stack, first.json["ticketId"]) == 1


def test_workflow_never_records_a_second_ticket_under_a_given_ticket_id(fresh_stack: OfflineStack):
    # GIVEN a keyed submission whose ticket is recorded
    key = str(uuid.uuid4())
    first = post_with_key(fresh_stack, {"message": UNHAPPY}, key)
    ticket_id = first.json["ticketId"]
    before = fresh_stack.ticket(ticket_id)
    emails = len(fresh_stack.emails())
    # WHEN a second execution is started for the same ticket id (a takeover meeting a late write)
    document = {"message": "another text", "source": "api", "ticketId": ticket_id, "idempotencyKeyHash": "x" * 64}
    answer = fresh_stack.runtime.client().start_sync_execution(
        stateMachineArn=fresh_stack.express_arn, input=json.dumps(document)
    )
    # THEN it stops before the email, and the recorded ticket is untouched
    assert (answer["status"], answer["error"]) == ("FAILED", "ContactForm.TicketAlreadyRecorded")
    assert fresh_stack.ticket(ticket_id) == before
    assert len(fresh_stack.emails()) == emails
