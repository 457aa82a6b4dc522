"""The scheduled digest: every held-back ticket in exactly one email, even when runs overlap or die."""
from __future__ import annotations

import json
from typing import Any
from unittest import mock

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import aws, digest, settings
from chalicelib.notifications import NotificationFailedError
from tests.support.aws_resources import PROJECT_DIR, sent_emails, stage_environment

NOW = 1_800_000_000.0
WORKFLOW = json.loads((PROJECT_DIR / "statemachine" / "contact_form.asl.json").read_text())


@pytest.fixture(autouse=True)
def local_stage(monkeypatch: pytest.MonkeyPatch) -> None:
    """The digest called directly sees the local stage's environment, as its Lambda would."""
    for name, value in stage_environment().items():
        monkeypatch.setenv(name, value)


def hold_back(ticket_id: str, message: str = "This is bad service", created_at: str = "2027-01-15T08:00:00.000Z",
              **extra: str) -> None:
    """A NEGATIVE ticket as the workflow records it once the email quota is used up."""
    item = {
        "ticketId": ticket_id, "message": message, "name": "", "email": "", "source": "api",
        "sentiment": "NEGATIVE", "createdAt": created_at, "status": "OPEN",
        "notificationStatus": "DIGEST", "digestStatus": "DIGEST", "digestUpdatedAt": created_at, **extra,
    }
    boto3.client("dynamodb").put_item(
        TableName=settings.tickets_table(), Item={key: {"S": value} for key, value in item.items()}
    )


def await_email(ticket_id: str, recorded_at: float) -> None:
    """A NEGATIVE ticket as the workflow's record step leaves it, before the email is noted."""
    hold_back(ticket_id, notificationStatus="PENDING", digestStatus=digest.AWAITING,
              digestUpdatedAt=digest.timestamp(recorded_at))


def workflow_notes_email_sent(ticket_id: str) -> bool:
    """The workflow's own "Record notification sent" update, read from the ASL; False when its condition failed."""
    parameters = WORKFLOW["States"]["Record notification sent"]["Parameters"]
    try:
        boto3.client("dynamodb").update_item(
            TableName=settings.tickets_table(), Key={"ticketId": {"S": ticket_id}},
            UpdateExpression=parameters["UpdateExpression"], ConditionExpression=parameters["ConditionExpression"],
            ExpressionAttributeValues=parameters["ExpressionAttributeValues"],
        )
    except boto3.client("dynamodb").exceptions.ConditionalCheckFailedException:
        return False
    return True


def ticket(ticket_id: str) -> dict[str, Any]:
    item = boto3.client("dynamodb").get_item(
        TableName=settings.tickets_table(), Key={"ticketId": {"S": ticket_id}}, ConsistentRead=True
    )["Item"]
    return {key: next(iter(value.values())) for key, value in item.items()}



def scheduled_event(client: Any) -> dict[str, Any]:
    return client.events.generate_cw_event(
        source="aws.events", detail_type="Scheduled Event", detail={},
        resources=["arn:aws:events:us-east-1:000000000000:rule/contact-form-local-send_digest-event"],
    )


@pytest.mark.usefixtures("aws_services")
class TestDigest:
    def test_one_email_lists_every_held_back_ticket_and_marks_them_sent(self, client):
        # GIVEN three tickets held back for the digest, and one that was emailed at once
        for number, ticket_id in enumerate(["CF-AAAA-BBBB-01", "CF-AAAA-BBBB-02", "CF-AAAA-BBBB-03"]):
            hold_back(ticket_id, message=f"complaint number {number}", created_at=f"2027-01-15T08:00:0{number}.000Z")
        hold_back("CF-AAAA-BBBB-04", notificationStatus="SENT")
        boto3.client("dynamodb").update_item(
            TableName=settings.tickets_table(), Key={"ticketId": {"S": "CF-AAAA-BBBB-04"}},
            UpdateExpression="REMOVE digestStatus, digestUpdatedAt",
        )
        # WHEN the scheduled digest runs
        result = client.lambda_.invoke("send_digest", scheduled_event(client)).payload
        # THEN one email lists the three, oldest first, with id, sentiment, time and message
        [email] = sent_emails()
        assert result["tickets"] == 3 and result["messageId"] == email.id
        assert email.destinations["ToAddresses"] == ["admin@example.com"]
        assert email.subject == "Contact form digest: 3 held-back messages"
        positions = [email.body.index(f"Ticket: CF-AAAA-BBBB-0{n}") for n in (1, 2, 3)]
        assert positions == sorted(positions)
        assert "Sentiment: NEGATIVE" in email.body and "Received: 2027-01-15T08:00:01.000Z" in email.body
        assert all(f"complaint number {n}" in email.body for n in range(3))
        assert "CF-AAAA-BBBB-04" not in email.body
        # AND each is SENT, out of the digest index, with the digest's message id
        for ticket_id in ("CF-AAAA-BBBB-01", "CF-AAAA-BBBB-02", "CF-AAAA-BBBB-03"):
            record = ticket(ticket_id)
            assert record["notificationStatus"] == "SENT"
            assert "digestStatus" not in record
            assert record["digestMessageId"] == email.id

    def test_customer_text_stays_out_of_the_subject_and_headers(self):
        # GIVEN a held-back ticket whose name and email try to add headers
        hold_back("CF-AAAA-BBBB-05", name="Eve\r\nBcc: evil@example.com", email="eve@example.com")
        # WHEN the digest runs
        digest.send_digest()
        # THEN the customer text is only in the body and the digest has no Reply-To
        [email] = sent_emails()
        assert "Eve" not in email.subject and "evil" not in email.subject
        assert "Bcc: evil@example.com" in email.body
        assert not getattr(email, "reply_to", None)

    def test_nothing_waiting_sends_nothing(self):
        # WHEN the digest runs with no held-back ticket
        result = digest.send_digest()
        # THEN no email is sent
        assert result["tickets"] == 0
        assert sent_emails() == []

    def test_a_second_run_does_not_list_tickets_again(self):
        # GIVEN a digest already sent
        hold_back("CF-AAAA-BBBB-06")
        digest.send_digest()
        # WHEN the next run comes
        result = digest.send_digest()
        # THEN it has nothing to send
        assert result["tickets"] == 0
        assert len(sent_emails()) == 1

    def test_overlapping_runs_never_list_the_same_ticket(self):
        # GIVEN six held-back tickets, and a second digest run that starts while the first one
        # claims its third ticket
        ids = [f"CF-AAAA-CCCC-0{n}" for n in range(6)]
        for number, ticket_id in enumerate(ids):
            hold_back(ticket_id, created_at=f"2027-01-15T08:00:0{number}.000Z")
        claim_one = digest._claim_one
        claims = {"count": 0}
        second: dict[str, Any] = {}

        def claim_then_overlap(*args: Any) -> Any:
            claims["count"] += 1
            if claims["count"] == 3 and not second:
                second.update(digest.send_digest())
            return claim_one(*args)

        # WHEN both runs finish
        with mock.patch.object(digest, "_claim_one", claim_then_overlap):
            first = digest.send_digest()
        # THEN the two emails list every ticket exactly once between them
        assert first["tickets"] + second["tickets"] == 6
        bodies = [email.body for email in sent_emails()]
        assert len(bodies) == 2
        for ticket_id in ids:
            assert sum(body.count(f"Ticket: {ticket_id}") for body in bodies) == 1, ticket_id
            assert ticket(ticket_id)["notificationStatus"] == "SENT"

    def test_a_failed_send_gives_the_tickets_back_to_the_next_run(self):
        # GIVEN a held-back ticket and SES that rejects the sender
        hold_back("CF-AAAA-BBBB-07")
        boto3.client("ses").delete_identity(Identity="no-reply@example.com")
        # WHEN the digest runs
        with pytest.raises(NotificationFailedError):
            digest.send_digest()
        # THEN the ticket waits again, not claimed
        assert ticket("CF-AAAA-BBBB-07")["notificationStatus"] == "DIGEST"
        assert "digestBatch" not in ticket("CF-AAAA-BBBB-07")
        # AND the next run, with SES back, sends it
        boto3.client("ses").verify_email_identity(EmailAddress="no-reply@example.com")
        assert digest.send_digest()["tickets"] == 1
        assert ticket("CF-AAAA-BBBB-07")["notificationStatus"] == "SENT"

    def test_ses_throttling_is_retried_by_the_digest(self):
        # GIVEN SES that throttles once, then accepts
        hold_back("CF-AAAA-BBBB-08")
        ses = aws.client("ses")
        waits: list[float] = []
        with Stubber(ses) as stubber:
            stubber.add_client_error("send_email", "Throttling", "Maximum sending rate exceeded.")
            stubber.add_response("send_email", {"MessageId": "digest-1"})
            # WHEN the digest runs
            result = digest.send_digest(ses_client=ses, sleep=waits.append)
        # THEN it waited once and then sent the digest
        assert result["messageId"] == "digest-1"
        assert len(waits) == 1
        assert ticket("CF-AAAA-BBBB-08")["notificationStatus"] == "SENT"

    def test_a_run_that_died_after_sending_is_finished_by_a_later_run(self):
        # GIVEN a run that claimed and emailed a ticket, then died before marking it
        hold_back("CF-AAAA-BBBB-09")
        with mock.patch.object(digest, "_mark_sent", side_effect=SystemExit("Lambda timed out")):
            with pytest.raises(SystemExit):
                digest.send_digest(clock=lambda: NOW)
        assert ticket("CF-AAAA-BBBB-09")["notificationStatus"] == "DIGEST_SENDING"
        # WHEN a run comes before the claim is stale, and another after
        early = digest.send_digest(clock=lambda: NOW + 30)
        late = digest.send_digest(clock=lambda: NOW + digest.stale_after() + 1)
        # THEN only the late one lists it again, flagged as possibly repeated, and marks it SENT
        assert early["tickets"] == 0
        assert late["tickets"] == 1
        assert "may already have listed this ticket" in sent_emails()[-1].body
        assert ticket("CF-AAAA-BBBB-09")["notificationStatus"] == "SENT"

    def test_a_large_backlog_is_spread_over_runs_one_email_each(self, monkeypatch):
        # GIVEN more held-back tickets than one digest may list
        monkeypatch.setattr(digest, "MAX_TICKETS", 3)
        ids = [f"CF-AAAA-DDDD-0{n}" for n in range(5)]
        for number, ticket_id in enumerate(ids):
            hold_back(ticket_id, created_at=f"2027-01-15T08:00:0{number}.000Z")
        # WHEN the digest runs twice
        counts = [digest.send_digest()["tickets"], digest.send_digest()["tickets"]]
        # THEN the oldest go first, one email per run, and every ticket is listed once
        assert counts == [3, 2]
        bodies = [email.body for email in sent_emails()]
        assert "CF-AAAA-DDDD-00" in bodies[0] and "CF-AAAA-DDDD-04" in bodies[1]
        assert all(sum(f"Ticket: {t}" in body for body in bodies) == 1 for t in ids)

    def test_an_email_too_large_for_ses_leaves_the_rest_for_the_next_run(self, monkeypatch):
        # GIVEN two long held-back messages and a size budget only one fits in
        monkeypatch.setattr(digest, "MAX_BODY_BYTES", 6000)
        hold_back("CF-AAAA-EEEE-01", message="x" * 5000, created_at="2027-01-15T08:00:01.000Z")
        hold_back("CF-AAAA-EEEE-02", message="y" * 5000, created_at="2027-01-15T08:00:02.000Z")
        # WHEN the digest runs
        assert digest.send_digest()["tickets"] == 1
        # THEN the second waits, unclaimed, for the next run
        assert ticket("CF-AAAA-EEEE-02")["notificationStatus"] == "DIGEST"
        assert digest.send_digest()["tickets"] == 1

    def test_a_malformed_ticket_is_marked_failed_and_does_not_block_the_others(self):
        # GIVEN a waiting ticket without a sentiment the email could name, and a normal one
        hold_back("CF-AAAA-FFFF-01", sentiment="ANGRY", created_at="2027-01-15T08:00:01.000Z")
        hold_back("CF-AAAA-FFFF-02", created_at="2027-01-15T08:00:02.000Z")
        # WHEN the digest runs
        result = digest.send_digest()
        # THEN the normal one is sent and the malformed one says why it was not
        assert result["tickets"] == 1
        assert ticket("CF-AAAA-FFFF-02")["notificationStatus"] == "SENT"
        malformed = ticket("CF-AAAA-FFFF-01")
        assert (malformed["notificationStatus"], malformed["notificationError"]) == ("FAILED", "InvalidTicket")
        assert "digestStatus" not in malformed


@pytest.mark.usefixtures("aws_services")
class TestExecutionThatStoppedBeforeNotingItsEmail:
    def test_a_stale_awaiting_ticket_is_listed_once_flagged_and_marked_sent(self):
        # GIVEN a NEGATIVE ticket whose execution recorded it, then stopped before noting its email
        await_email("CF-AAAA-GGGG-01", recorded_at=NOW)
        # WHEN the digest runs after the grace period
        result = digest.send_digest(clock=lambda: NOW + digest.stale_after() + 1)
        # THEN one email lists it, saying honestly that its notification status was unknown
        [email] = sent_emails()
        assert result["tickets"] == 1
        assert email.body.count("Ticket: CF-AAAA-GGGG-01") == 1
        assert "notification status unknown: the workflow stopped before recording it" in email.body
        # AND it is SENT, out of the index, and says why the digest listed it
        record = ticket("CF-AAAA-GGGG-01")
        assert (record["notificationStatus"], record["notificationError"]) == ("SENT", digest.STATUS_UNKNOWN)
        assert "digestStatus" not in record
        # AND a later run does not list it again
        assert digest.send_digest(clock=lambda: NOW + 10 * digest.stale_after())["tickets"] == 0
        assert len(sent_emails()) == 1

    def test_a_fresh_awaiting_ticket_is_left_to_its_workflow(self):
        # GIVEN a NEGATIVE ticket recorded 30 s ago whose execution may still be emailing
        await_email("CF-AAAA-GGGG-02", recorded_at=NOW)
        # WHEN the digest runs within the grace period
        result = digest.send_digest(clock=lambda: NOW + 30)
        # THEN it lists nothing and leaves the ticket waiting for its workflow
        assert result["tickets"] == 0
        assert sent_emails() == []
        assert ticket("CF-AAAA-GGGG-02")["digestStatus"] == digest.AWAITING

    def test_an_immediate_email_noted_first_is_not_sent_again(self):
        # GIVEN a stale AWAITING_EMAIL ticket, and its (very slow) workflow noting its email after the
        # digest found the ticket in the index but before the digest claims it
        await_email("CF-AAAA-GGGG-03", recorded_at=NOW)
        claim_one = digest._claim_one

        def noted_first(*args: Any) -> Any:
            assert workflow_notes_email_sent("CF-AAAA-GGGG-03")
            return claim_one(*args)

        # WHEN the digest runs
        with mock.patch.object(digest, "_claim_one", noted_first):
            result = digest.send_digest(clock=lambda: NOW + digest.stale_after() + 1)
        # THEN its claim fails: no digest email, and the ticket stays as the workflow noted it
        assert result["tickets"] == 0
        assert sent_emails() == []
        record = ticket("CF-AAAA-GGGG-03")
        assert record["notificationStatus"] == "SENT"
        assert "digestStatus" not in record and "notificationError" not in record

    def test_a_digest_claim_first_keeps_a_late_workflow_from_overwriting_it(self):
        # GIVEN the digest took over a stale AWAITING_EMAIL ticket
        await_email("CF-AAAA-GGGG-04", recorded_at=NOW)
        assert digest.send_digest(clock=lambda: NOW + digest.stale_after() + 1)["tickets"] == 1
        # WHEN its workflow, later still, tries to note an immediate email
        noted = workflow_notes_email_sent("CF-AAAA-GGGG-04")
        # THEN the workflow's conditional update fails and the digest's record stands
        assert noted is False
        record = ticket("CF-AAAA-GGGG-04")
        assert (record["notificationStatus"], record["notificationError"]) == ("SENT", digest.STATUS_UNKNOWN)
        assert record["digestMessageId"] == sent_emails()[0].id

    def test_a_failed_immediate_email_is_listed_with_its_reason(self):
        # GIVEN a ticket whose immediate email failed, recorded for the digest by the workflow
        hold_back("CF-AAAA-GGGG-05", notificationStatus="FAILED", notificationError="NotificationFailedError")
        # WHEN the digest runs
        assert digest.send_digest()["tickets"] == 1
        # THEN the email lists it with the reason no immediate email was confirmed
        [email] = sent_emails()
        assert "the immediate email was not confirmed (NotificationFailedError)" in email.body
        assert ticket("CF-AAAA-GGGG-05")["notificationStatus"] == "SENT"

    def test_the_grace_period_outlasts_any_execution_and_the_notifier_it_started(self):
        # GIVEN the workflow's time limit and the notifier Lambda's timeout, as deployed
        config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
        notifier_timeout = config["stages"]["local"]["lambda_functions"]["notify_admin"]["lambda_timeout"]
        # WHEN the digest decides an AWAITING_EMAIL ticket was left behind
        grace = digest.stale_after()
        # THEN no immediate email can still be on its way by then
        assert grace > WORKFLOW["TimeoutSeconds"] + notifier_timeout
