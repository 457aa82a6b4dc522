"""The ticket-id and notifier Lambdas, invoked through the Chalice test client."""
from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from chalicelib import notifications, tickets
from chalicelib.notifications import AdminNotification, NotificationFailedError
from tests.events import load_event
from tests.support.aws_resources import sent_emails
from tests.support.handlers import SENDER

ADMIN = "admin@example.com"  # the local stage's ADMIN_EMAIL


class TestGenerateTicketId:
    def test_lambda_returns_a_crockford_ticket_id(self, client):
        # WHEN the Lambda is invoked as the workflow does
        result = client.lambda_.invoke("generate_ticket_id", {}).payload
        # THEN it returns one well-formed id
        assert set(result) == {"ticketId"}
        assert tickets.is_ticket_id(result["ticketId"])

    def test_ids_use_only_unambiguous_symbols_and_do_not_repeat(self):
        # WHEN many ids are generated
        ids = {tickets.new_ticket_id() for _ in range(5000)}
        # THEN none repeats and none contains I, L, O or U
        assert len(ids) == 5000
        assert not any(set(ticket_id[3:]) & set("ILOU") for ticket_id in ids)
        assert all(tickets.is_ticket_id(ticket_id) for ticket_id in ids)


@pytest.mark.usefixtures("aws_services")
class TestNotifyAdmin:
    def test_negative_message_is_emailed_to_the_admin(self, client):
        # GIVEN a verified sender (fixture) and the workflow's notifier payload
        event = load_event("notify_admin")
        # WHEN the notifier runs
        result = client.lambda_.invoke("notify_admin", event).payload
        # THEN exactly one email reached the admin with ticket, sentiment and message
        [email] = sent_emails()
        assert result == {"notificationStatus": "SENT", "messageId": email.id}
        assert email.source == SENDER
        assert email.destinations["ToAddresses"] == [ADMIN]
        assert event["ticketId"] in email.subject and "NEGATIVE" in email.subject
        assert event["message"] not in email.subject and event["name"] not in email.subject
        assert event["ticketId"] in email.body and event["message"] in email.body

    def test_unverified_sender_makes_the_notifier_fail(self, client):
        # GIVEN SES without the sender's identity (SES "down" for us)
        boto3.client("ses").delete_identity(Identity=SENDER)
        # WHEN the notifier runs
        # THEN it raises, so the workflow's retry and catch take over
        with pytest.raises(NotificationFailedError, match="MessageRejected"):
            client.lambda_.invoke("notify_admin", load_event("notify_admin"))
        assert sent_emails() == []

    def test_malformed_payload_is_refused(self, client):
        # GIVEN a payload without a valid ticket id
        event = load_event("notify_admin") | {"ticketId": "CF-1234\r\nBcc: x@example.com"}
        # WHEN / THEN the notifier refuses it and sends nothing
        with pytest.raises(notifications.InvalidNotificationError):
            client.lambda_.invoke("notify_admin", event)
        assert sent_emails() == []

    def test_payload_that_is_not_an_object_is_refused(self, client):
        # WHEN the notifier is invoked with a JSON list
        # THEN it refuses it as invalid instead of crashing, and sends nothing
        with pytest.raises(notifications.InvalidNotificationError):
            client.lambda_.invoke("notify_admin", ["CF-7K3M-Q9ZD-4P"])
        assert sent_emails() == []


def email_request_for(**fields):
    notification = AdminNotification.from_event(load_event("notify_admin") | fields)
    return notifications.email_request(notification, sender=SENDER, admin=ADMIN)


class TestAdminEmailRequest:
    def test_ses_receives_exactly_the_email_request(self, monkeypatch):
        # GIVEN the stage's addresses and an SES client that checks the exact request
        monkeypatch.setenv("SENDER_EMAIL", SENDER)
        monkeypatch.setenv("ADMIN_EMAIL", ADMIN)
        ses = boto3.client("ses")
        with Stubber(ses) as stubber:
            stubber.add_response("send_email", {"MessageId": "m-1"}, email_request_for())
            # WHEN the notification is sent
            message_id = notifications.notify_admin(
                AdminNotification.from_event(load_event("notify_admin")), ses_client=ses
            )
        # THEN SES's message id comes back
        assert message_id == "m-1"

    def test_reply_to_is_the_customer_when_an_email_was_given(self):
        # WHEN a notification with a customer address is built
        request = email_request_for()
        # THEN replies go to the customer, the email to the admin
        assert request["ReplyToAddresses"] == ["ada@example.com"]
        assert request["Source"] == SENDER
        assert request["Destination"] == {"ToAddresses": [ADMIN]}

    @pytest.mark.parametrize("email", ["", "not-an-address", "a@example.com\r\nBcc: evil@example.com"])
    def test_no_reply_to_without_a_valid_address(self, email):
        # WHEN the customer's address is missing or could smuggle a header
        request = email_request_for(email=email)
        # THEN there is no Reply-To, and the subject holds only ticket id and sentiment
        assert "ReplyToAddresses" not in request
        assert request["Message"]["Subject"]["Data"] == "[CF-7K3M-Q9ZD-4P] NEGATIVE contact form message"

    def test_line_breaks_in_the_name_stay_in_the_body(self):
        # WHEN the name tries to start a new header
        request = email_request_for(name="Ada\r\nBcc: evil@example.com")
        # THEN it appears only in the body text
        assert "evil" not in request["Message"]["Subject"]["Data"]
        assert "Bcc: evil@example.com" in request["Message"]["Body"]["Text"]["Data"]
