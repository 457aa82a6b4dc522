"""Faults injected into the real workflow (stepfunctions_local, ManualClock) behind the real API.

For each fault: how often the failing step was tried, what the API answered, and what is stored.
The invariant throughout: a 200 means exactly one complete ticket holds the message; any other
answer means no ticket, or (only for a timeout after the record) one complete ticket the answer
points at through its execution ARN.
"""
from __future__ import annotations

from typing import Any

from chalicelib import digest
from tests.support.offline_stack import NOTIFY_FUNCTION, TICKET_FUNCTION, OfflineStack, Reply

HAPPY = "Thank you, the new release works well"
UNHAPPY = "This is terrible, awful service and I am angry"
TICKET_ATTRIBUTES = {
    "ticketId", "message", "name", "email", "source", "sentiment", "sentimentScore", "sentimentSource",
    "createdAt", "executionArn", "status", "notificationStatus",
}


def only_ticket(stack: OfflineStack, message: str) -> dict[str, Any]:
    """The one ticket holding ``message``, checked to be complete (never half-written)."""
    tickets = stack.tickets_with_message(message)
    assert len(tickets) == 1, tickets
    assert TICKET_ATTRIBUTES <= set(tickets[0]), set(tickets[0])
    return tickets[0]


def assert_refused_without_ticket(stack: OfflineStack, reply: Reply, status: int, error: str) -> None:
    assert reply.status == status, reply.text
    assert reply.json["Error"] == error, reply.json
    assert stack.ticket_count() == 0
    # The answer names what failed, never what the customer wrote.
    assert HAPPY not in reply.text and UNHAPPY not in reply.text


def emails_naming(stack: OfflineStack, ticket_id: str) -> int:
    return sum(ticket_id in email.subject or f"Ticket: {ticket_id}" in email.body for email in stack.emails())


def crash(event: Any, context: Any) -> Any:
    raise RuntimeError("handler crashed")


class TestComprehend:
    def test_throttling_is_retried_and_the_ticket_kept(self, fresh_stack: OfflineStack):
        # GIVEN Comprehend throttles the first two calls
        fresh_stack.sentiment.throttle.arm(2)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the third call succeeds, the customer gets a ticket, and it is stored once with a real score
        assert reply.status == 200, reply.text
        assert fresh_stack.sentiment.calls == 3
        ticket = only_ticket(fresh_stack, HAPPY)
        assert ticket["ticketId"] == reply.json["ticketId"]
        assert ticket["sentimentSource"] == "COMPREHEND"

    def test_throttling_past_the_retries_answers_502_and_stores_nothing(self, fresh_stack: OfflineStack):
        # GIVEN Comprehend throttles every call
        fresh_stack.sentiment.throttle.arm(100)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the first call and three retries fail, and the customer hears the workflow failed
        assert fresh_stack.sentiment.calls == 4
        assert_refused_without_ticket(fresh_stack, reply, 502, "Comprehend.ThrottlingException")
        assert reply.json["ExecutionArn"].startswith("arn:aws:states:us-east-1:000000000000:express:")


class TestDynamoDB:
    def test_throughput_exceeded_is_retried_and_one_ticket_written(self, fresh_stack: OfflineStack):
        # GIVEN DynamoDB refuses the first two writes for lack of throughput
        fault = fresh_stack.dynamodb.fail("PutItem", "ProvisionedThroughputExceededException", 2)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the third write lands: one ticket, the one the customer was told
        assert reply.status == 200, reply.text
        assert fault.fired == 2
        assert only_ticket(fresh_stack, HAPPY)["ticketId"] == reply.json["ticketId"]

    def test_unavailable_answers_502_and_stores_nothing(self, fresh_stack: OfflineStack):
        # GIVEN DynamoDB answers every write with an internal server error
        fault = fresh_stack.dynamodb.fail("PutItem", "InternalServerError", 100)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the write was tried four times, then the customer hears it failed; nothing half-stored
        assert fault.fired == 4
        assert_refused_without_ticket(fresh_stack, reply, 502, "DynamoDB.InternalServerErrorException")

    def test_ticket_id_collision_takes_a_new_id_and_never_overwrites(self, fresh_stack: OfflineStack):
        # GIVEN the first ticket id drawn is already taken
        fault = fresh_stack.dynamodb.fail("PutItem", "ConditionalCheckFailedException", 1)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN a second id is drawn and written once
        assert reply.status == 200, reply.text
        assert fault.fired == 1
        assert fresh_stack.lambdas.invocations.count(TICKET_FUNCTION) == 2
        assert only_ticket(fresh_stack, HAPPY)["ticketId"] == reply.json["ticketId"]


class TestNotification:
    def test_ses_rejection_keeps_the_ticket_and_records_the_failure(self, fresh_stack: OfflineStack):
        # GIVEN SES rejects every email (the sender is no longer verified)
        fresh_stack.reject_emails()
        # WHEN an unhappy message is submitted
        reply = fresh_stack.post({"message": UNHAPPY})
        # THEN the notifier is tried three times, the customer still gets the ticket, and it says why no email went
        assert reply.status == 200, reply.text
        assert reply.json["sentiment"] == "NEGATIVE"
        assert fresh_stack.lambdas.invocations.count(NOTIFY_FUNCTION) == 3
        ticket = only_ticket(fresh_stack, UNHAPPY)
        assert (ticket["notificationStatus"], ticket["notificationError"]) == ("FAILED", "NotificationFailedError")
        assert fresh_stack.emails() == []
        # AND once SES accepts again, the digest names it in exactly one email
        fresh_stack.accept_emails()
        assert digest.send_digest(clock=fresh_stack.clock.now)["tickets"] == 1
        assert emails_naming(fresh_stack, reply.json["ticketId"]) == 1

    def test_notifier_crash_keeps_the_ticket_and_records_the_failure(self, fresh_stack: OfflineStack):
        # GIVEN the notifier Lambda crashes on every call
        fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, crash)
        # WHEN an unhappy message is submitted
        reply = fresh_stack.post({"message": UNHAPPY})
        # THEN a crash is not retried, the customer gets the ticket, and the ticket records the crash
        assert reply.status == 200, reply.text
        assert fresh_stack.lambdas.invocations.count(NOTIFY_FUNCTION) == 1
        ticket = only_ticket(fresh_stack, UNHAPPY)
        assert (ticket["notificationStatus"], ticket["notificationError"]) == ("FAILED", "RuntimeError")

    def test_notifier_service_error_is_retried_and_the_email_sent_once(self, fresh_stack: OfflineStack):
        # GIVEN Lambda refuses the first notifier invocation
        fresh_stack.lambdas.fail(NOTIFY_FUNCTION, "Lambda.ServiceException", 1)
        # WHEN an unhappy message is submitted
        reply = fresh_stack.post({"message": UNHAPPY})
        # THEN the retry sends exactly one email naming the ticket
        assert reply.status == 200, reply.text
        ticket_id = reply.json["ticketId"]
        assert only_ticket(fresh_stack, UNHAPPY)["notificationStatus"] == "SENT"
        assert sum(ticket_id in email.subject for email in fresh_stack.emails()) == 1


class TestTicketLambda:
    def test_service_error_is_retried_and_one_ticket_written(self, fresh_stack: OfflineStack):
        # GIVEN Lambda refuses the first two ticket-id invocations
        fresh_stack.lambdas.fail(TICKET_FUNCTION, "Lambda.TooManyRequestsException", 2)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the third invocation gives the ticket id
        assert reply.status == 200, reply.text
        assert fresh_stack.lambdas.invocations.count(TICKET_FUNCTION) == 3
        assert only_ticket(fresh_stack, HAPPY)["ticketId"] == reply.json["ticketId"]

    def test_crash_answers_502_and_stores_nothing(self, fresh_stack: OfflineStack):
        # GIVEN the ticket-id Lambda crashes
        fresh_stack.runtime.register_lambda(TICKET_FUNCTION, crash)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN a crash is not retried (it would crash again): 502, and nothing stored
        assert fresh_stack.lambdas.invocations.count(TICKET_FUNCTION) == 1
        assert_refused_without_ticket(fresh_stack, reply, 502, "RuntimeError")


class TestTimeout:
    def test_workflow_past_its_timeout_before_the_record_answers_504_and_stores_nothing(
        self, fresh_stack: OfflineStack
    ):
        # GIVEN sentiment detection takes longer than the whole workflow may (25 s)
        fresh_stack.sentiment.stall_seconds = 30
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the customer hears it timed out, and nothing is stored
        assert_refused_without_ticket(fresh_stack, reply, 504, "States.Timeout")

    def test_workflow_past_its_timeout_after_the_record_keeps_one_complete_ticket(
        self, fresh_stack: OfflineStack
    ):
        # GIVEN the notifier takes longer than the workflow has left
        def slow_notifier(event: Any, context: Any) -> dict[str, str]:
            fresh_stack.clock.advance(30)
            return {"notificationStatus": "SENT", "messageId": "late"}

        fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, slow_notifier)
        # WHEN an unhappy message is submitted
        reply = fresh_stack.post({"message": UNHAPPY})
        # THEN the answer is 504, but the submission is kept once, complete, and the answer points at it
        assert reply.status == 504, reply.text
        ticket = only_ticket(fresh_stack, UNHAPPY)
        assert ticket["executionArn"] == reply.json["ExecutionArn"]
        assert ticket["notificationStatus"] == "PENDING"

    def test_a_ticket_whose_execution_timed_out_after_the_record_is_emailed_once_by_the_digest(
        self, fresh_stack: OfflineStack
    ):
        # GIVEN a notifier that hangs past the workflow's 25 s (and its own timeout) without sending
        def hung_notifier(event: Any, context: Any) -> Any:
            fresh_stack.clock.advance(30)
            raise TimeoutError("Task timed out after 10.00 seconds")

        fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, hung_notifier)
        # WHEN an unhappy message is submitted
        reply = fresh_stack.post({"message": UNHAPPY})
        ticket_id = only_ticket(fresh_stack, UNHAPPY)["ticketId"]
        # THEN the execution stopped after its record step: 504, no email, the ticket left awaiting one
        assert reply.status == 504, reply.text
        assert emails_naming(fresh_stack, ticket_id) == 0
        assert only_ticket(fresh_stack, UNHAPPY)["digestStatus"] == digest.AWAITING
        # AND a digest run within the grace period leaves it to its workflow
        assert digest.send_digest(clock=fresh_stack.clock.now)["tickets"] == 0
        # WHEN digests run after the grace period
        fresh_stack.clock.advance(digest.stale_after())
        runs = [digest.send_digest(clock=fresh_stack.clock.now)["tickets"] for _ in range(2)]
        # THEN the first emails the ticket, flagged as of unknown status, and no run emails it again
        assert runs == [1, 0]
        assert emails_naming(fresh_stack, ticket_id) == 1
        [email] = fresh_stack.emails()
        assert "notification status unknown" in email.body
        assert only_ticket(fresh_stack, UNHAPPY)["notificationStatus"] == "SENT"


class TestStepFunctionsThrottling:
    def test_throttled_start_is_retried_and_one_ticket_written(self, fresh_stack: OfflineStack):
        # GIVEN Step Functions throttles the first two StartSyncExecution calls
        fresh_stack.sfn.throttle.arm(2)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the API's third call runs the workflow once
        assert reply.status == 200, reply.text
        assert fresh_stack.sfn.calls == 3
        assert only_ticket(fresh_stack, HAPPY)["ticketId"] == reply.json["ticketId"]

    def test_throttling_past_the_retries_answers_503_and_stores_nothing(self, fresh_stack: OfflineStack):
        # GIVEN Step Functions throttles every call
        fresh_stack.sfn.throttle.arm(100)
        # WHEN a message is submitted
        reply = fresh_stack.post({"message": HAPPY})
        # THEN the API gives up after three calls with 503 (no execution started, so nothing stored)
        assert fresh_stack.sfn.calls == 3
        assert_refused_without_ticket(fresh_stack, reply, 503, "ThrottlingException")
