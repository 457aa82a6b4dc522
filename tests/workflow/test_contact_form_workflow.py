"""statemachine/contact_form.asl.json, run for real by stepfunctions_local with the app's handlers."""
from __future__ import annotations

import functools
import json

import boto3

from chalicelib import digest, email_quota, settings, tickets

TAKEN_ID = "CF-0000-0000-00"
FRESH_ID = "CF-1111-1111-11"


def output_of(execution: dict) -> dict:
    assert execution["status"] == "SUCCEEDED", (execution.get("error"), execution.get("cause"))
    return json.loads(execution["output"])


def take_ticket_id(ticket_id: str) -> None:
    boto3.client("dynamodb").put_item(
        TableName=settings.tickets_table(),
        Item={"ticketId": {"S": ticket_id}, "message": {"S": "an earlier customer's message"}},
    )


class TestSentimentRouting:
    def test_negative_message_is_recorded_and_emailed_once(self, stack):
        # WHEN an unhappy customer writes
        output = output_of(stack.run({"message": "This is bad service", "source": "api"}))
        # THEN the answer is exactly the contract's, the ticket is stored and one email names it
        assert set(output) == {"ticketId", "sentiment", "sentimentScore"}
        assert output["sentiment"] == "NEGATIVE"
        assert set(output["sentimentScore"]) == {"Positive", "Negative", "Neutral", "Mixed"}
        assert tickets.is_ticket_id(output["ticketId"])
        item = stack.ticket(output["ticketId"])
        assert item["message"] == {"S": "This is bad service"}
        assert item["sentiment"] == {"S": "NEGATIVE"}
        assert item["status"] == {"S": "OPEN"}
        assert item["notificationStatus"] == {"S": "SENT"}
        assert "digestStatus" not in item and "digestUpdatedAt" not in item  # out of the digest index
        assert item["source"] == {"S": "api"}
        assert item["sentimentSource"] == {"S": "COMPREHEND"}
        assert float(item["sentimentScore"]["M"]["Negative"]["N"]) == output["sentimentScore"]["Negative"]
        assert item["executionArn"]["S"].startswith("arn:aws:states:us-east-1:000000000000:express:")
        assert stack.emails_mentioning(output["ticketId"]) == 1

    def test_positive_message_is_recorded_without_email(self, stack):
        # WHEN a happy customer writes, with name and email
        submission = {"message": "I love this, great work!", "name": "Ada", "email": "ada@example.com"}
        output = output_of(stack.run(submission))
        # THEN the ticket is stored with the optional fields and nobody is emailed
        assert output["sentiment"] == "POSITIVE"
        item = stack.ticket(output["ticketId"])
        assert item["notificationStatus"] == {"S": "NOT_REQUIRED"}
        assert "digestStatus" not in item  # never in the sparse digest index
        assert (item["name"], item["email"]) == ({"S": "Ada"}, {"S": "ada@example.com"})
        assert stack.emails_mentioning(output["ticketId"]) == 0

    def test_text_comprehend_cannot_score_falls_back_to_neutral_honestly(self, stack):
        # WHEN a message is longer than Comprehend's 5,000-byte limit (5,000 two-byte letters)
        output = output_of(stack.run({"message": "ü" * 5000}))
        # THEN the ticket exists as NEUTRAL with no invented scores, and the reason is on the ticket
        assert output["sentiment"] == "NEUTRAL"
        assert output["sentimentScore"] == {"Positive": 0, "Negative": 0, "Neutral": 0, "Mixed": 0}
        item = stack.ticket(output["ticketId"])
        assert item["sentimentSource"] == {"S": "FALLBACK:Comprehend.TextSizeLimitExceededException"}


class TestDirectInput:
    def test_input_without_a_message_fails_clearly_and_stores_nothing(self, stack):
        # WHEN a caller other than the API (the CLI, an SDK) starts the workflow without a message
        execution = stack.run({"text": "This is bad service"})
        # THEN it fails with our own error naming the field, and no ticket exists
        assert execution["status"] == "FAILED"
        assert (execution["error"], execution["cause"]) == (
            "ContactForm.InvalidInput", "message: is required, a string of 1 to 5000 characters after trimming"
        )
        assert stack.ticket_count() == 0

    def test_message_is_trimmed_as_the_api_trims_it(self, stack):
        # WHEN the CLI or an SDK starts the workflow with the seed request as is
        output = output_of(stack.run({"message": " This is bad service"}))
        # THEN the ticket holds the trimmed message, as one submitted through the API would
        assert stack.ticket(output["ticketId"])["message"] == {"S": "This is bad service"}

    def test_only_the_ends_are_trimmed_and_line_breaks_inside_are_kept(self, stack):
        output = output_of(stack.run({"message": "\n\t Line one\n\nline  two \r\n", "name": "  Ada ", "email": None}))
        item = stack.ticket(output["ticketId"])
        assert item["message"] == {"S": "Line one\n\nline  two"}
        assert (item["name"], item["email"]) == ({"S": "Ada"}, {"S": ""})

    def test_blank_or_too_long_message_is_rejected(self, stack):
        # WHEN a message is only whitespace, or longer than the API allows
        blank = stack.run({"message": " \n\t "})
        too_long = stack.run({"message": "a" * 5001})
        wrong_type = stack.run({"message": 42})
        # THEN each fails with our own error and no ticket exists
        assert {blank["error"], too_long["error"], wrong_type["error"]} == {"ContactForm.InvalidInput"}
        assert stack.ticket_count() == 0


class TestNotificationFailure:
    def test_email_failure_is_recorded_and_the_caller_still_gets_the_ticket(self, stack):
        # GIVEN SES refusing the sender (its identity is not verified)
        boto3.client("ses").delete_identity(Identity=settings.sender_email())
        # WHEN an unhappy customer writes
        output = output_of(stack.run({"message": "This is terrible, awful service"}))
        # THEN the workflow succeeds, and the ticket says the email failed and why
        item = stack.ticket(output["ticketId"])
        assert item["notificationStatus"] == {"S": "FAILED"}
        assert item["notificationError"] == {"S": "NotificationFailedError"}
        assert stack.emails_mentioning(output["ticketId"]) == 0
        # AND it waits for the digest, so the admin still hears of it once SES accepts again
        assert item["digestStatus"] == {"S": "DIGEST"}
        # AND the notifier was retried with short, jittered waits
        assert 1 <= len(stack.clock.sleeps) <= 2 and all(wait <= 2 for wait in stack.clock.sleeps)


class TestEmailQuota:
    def test_beyond_the_quota_the_ticket_waits_for_the_digest_and_the_digest_sends_it(self, stack, monkeypatch):
        # GIVEN a quota of one immediate admin email a minute, and both submissions in one minute
        monkeypatch.setenv("ADMIN_EMAILS_PER_MINUTE", "1")
        monkeypatch.setattr(email_quota, "take_slot", functools.partial(email_quota.take_slot, clock=lambda: 1.8e9))
        # WHEN two unhappy customers write within the minute
        first = output_of(stack.run({"message": "This is bad service"}))
        second = output_of(stack.run({"message": "This is awful service"}))
        # THEN the first is emailed now; the second is recorded for the digest, in its index
        assert stack.ticket(first["ticketId"])["notificationStatus"] == {"S": "SENT"}
        held = stack.ticket(second["ticketId"])
        assert held["notificationStatus"] == {"S": "DIGEST"}
        assert held["digestStatus"] == {"S": "DIGEST"}
        waiting = boto3.client("dynamodb").query(
            TableName=settings.tickets_table(), IndexName=settings.DIGEST_INDEX,
            KeyConditionExpression="digestStatus = :waiting", ExpressionAttributeValues={":waiting": {"S": "DIGEST"}},
        )["Items"]
        assert [item["ticketId"]["S"] for item in waiting] == [second["ticketId"]]
        assert stack.emails_mentioning(second["ticketId"]) == 0
        # AND the digest then emails it, once
        assert digest.send_digest()["tickets"] == 1
        assert stack.emails_mentioning(second["ticketId"]) == 1
        assert stack.ticket(second["ticketId"])["notificationStatus"] == {"S": "SENT"}

    def test_a_ticket_that_cannot_be_recorded_for_the_digest_is_marked_failed_and_still_digested(
        self, stack, monkeypatch
    ):
        # GIVEN no immediate emails allowed, and a DynamoDB that refuses the first digest record
        monkeypatch.setenv("ADMIN_EMAILS_PER_MINUTE", "0")
        client = stack.runtime.tasks.clients.get("dynamodb")
        refusals: list[str] = []

        def refuse_digest_record(params: dict, **_: object) -> None:
            if "digestStatus = :digest" in params.get("UpdateExpression", "") and not refusals:
                refusals.append(params["UpdateExpression"])
                raise ValueError("injected: DynamoDB refused the update")

        client.meta.events.register("provide-client-params.dynamodb.UpdateItem", refuse_digest_record)
        try:
            # WHEN an unhappy customer writes
            output = output_of(stack.run({"message": "This is bad service"}))
        finally:
            client.meta.events.unregister("provide-client-params.dynamodb.UpdateItem", refuse_digest_record)
        # THEN the caller still gets the ticket, and the ticket says its notification failed
        item = stack.ticket(output["ticketId"])
        assert len(refusals) == 1
        assert item["notificationStatus"] == {"S": "FAILED"}
        # AND it still waits for the digest, which emails it once
        assert item["digestStatus"] == {"S": "DIGEST"}
        assert digest.send_digest()["tickets"] == 1
        assert stack.emails_mentioning(output["ticketId"]) == 1


class TestTicketIdCollision:
    def test_taken_id_is_replaced_by_a_new_one_never_overwritten(self, stack, monkeypatch):
        # GIVEN a ticket generator whose first id is already taken
        take_ticket_id(TAKEN_ID)
        monkeypatch.setattr(tickets, "new_ticket_id", iter([TAKEN_ID, FRESH_ID]).__next__)
        # WHEN a customer writes
        output = output_of(stack.run({"message": "Hello there"}))
        # THEN the new ticket got the fresh id and the earlier ticket is untouched
        assert output["ticketId"] == FRESH_ID
        assert stack.ticket(FRESH_ID)["message"] == {"S": "Hello there"}
        assert stack.ticket(TAKEN_ID)["message"] == {"S": "an earlier customer's message"}

    def test_collisions_are_bounded(self, stack, monkeypatch):
        # GIVEN a ticket generator that only ever returns a taken id
        take_ticket_id(TAKEN_ID)
        monkeypatch.setattr(tickets, "new_ticket_id", lambda: TAKEN_ID)
        # WHEN a customer writes
        execution = stack.run({"message": "Hello there"})
        # THEN the workflow gives up with its own error after three attempts, overwriting nothing
        assert execution["status"] == "FAILED"
        assert execution["error"] == "ContactForm.TicketIdCollision"
        assert stack.ticket_count() == 1


class TestParentWorkflow:
    def test_parent_answers_with_the_child_output(self, stack):
        # WHEN the Standard parent runs the Express workflow nested
        execution = stack.run_parent({"message": "I love this, great work!"})
        # THEN it succeeds with the child's output as JSON
        assert execution["status"] == "SUCCEEDED"
        output = json.loads(execution["output"])
        assert set(output) == {"ticketId", "sentiment", "sentimentScore"}
        assert stack.ticket(output["ticketId"]) is not None

    def test_parent_fails_with_its_own_error_when_the_child_fails(self, stack):
        # WHEN the child gets no message and fails
        execution = stack.run_parent({"name": "Ada"})
        # THEN the parent fails with a clear error of its own
        assert execution["status"] == "FAILED"
        assert execution["error"] == "ContactForm.ChildFailed"
        assert "FAILED" in execution["cause"]

