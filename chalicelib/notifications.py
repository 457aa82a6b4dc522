"""The administrator email for a NEGATIVE submission, sent with SES (v1 ``send_email``).

The subject holds only the ticket id and the sentiment, both checked against fixed patterns;
customer text goes only into the body, which SES encodes, and a Reply-To is added only for an
address that passed the form's validation. So no customer input can become a header.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, settings
from chalicelib.forms import is_valid_email
from chalicelib.observability import count, logger
from chalicelib.tickets import is_ticket_id
from chalicelib.workflow import SENTIMENTS


class InvalidNotificationError(ValueError):
    """The notifier was called with an event the workflow never sends."""


class NotificationFailedError(RuntimeError):
    """SES did not accept the email; the workflow retries, then records the failure."""


@dataclass(frozen=True)
class AdminNotification:
    ticket_id: str
    sentiment: str
    message: str
    name: str | None = None
    email: str | None = None

    @classmethod
    def from_event(cls, event: Mapping[str, Any]) -> AdminNotification:
        if not isinstance(event, Mapping):
            raise InvalidNotificationError("the event is not a JSON object")
        ticket_id, sentiment, message = event.get("ticketId"), event.get("sentiment"), event.get("message")
        if not is_ticket_id(ticket_id):
            raise InvalidNotificationError("ticketId is missing or malformed")
        if sentiment not in SENTIMENTS:
            raise InvalidNotificationError("sentiment is missing or unknown")
        if not isinstance(message, str):
            raise InvalidNotificationError("message is missing")
        name, email = event.get("name"), event.get("email")
        return cls(
            ticket_id=ticket_id,
            sentiment=sentiment,
            message=message,
            name=name if isinstance(name, str) and name else None,
            email=email if isinstance(email, str) and is_valid_email(email) else None,
        )


def email_request(notification: AdminNotification, *, sender: str, admin: str) -> dict[str, Any]:
    """The SES ``send_email`` arguments for a notification."""
    lines = [
        f"Ticket: {notification.ticket_id}",
        f"Sentiment: {notification.sentiment}",
        f"Name: {notification.name or '(not given)'}",
        f"Email: {notification.email or '(not given)'}",
        "",
        "Message:",
        notification.message,
    ]
    request: dict[str, Any] = {
        "Source": sender,
        "Destination": {"ToAddresses": [admin]},
        "Message": {
            "Subject": {
                "Data": f"[{notification.ticket_id}] {notification.sentiment} contact form message",
                "Charset": "UTF-8",
            },
            "Body": {"Text": {"Data": "\n".join(lines), "Charset": "UTF-8"}},
        },
    }
    if notification.email:
        request["ReplyToAddresses"] = [notification.email]
    return request


def notify_admin(notification: AdminNotification, *, ses_client: Any = None) -> str:
    """Send the email and return SES's message id; raise ``NotificationFailedError`` otherwise."""
    logger.set_correlation_id(notification.ticket_id)
    client = ses_client or aws.client("ses")
    request = email_request(notification, sender=settings.sender_email(), admin=settings.admin_email())
    try:
        message_id: str = client.send_email(**request)["MessageId"]
    except (ClientError, BotoCoreError) as error:
        reason = error.response["Error"]["Code"] if isinstance(error, ClientError) else type(error).__name__
        count("NotificationFailed")
        logger.warning("admin notification failed", extra={"ticket_id": notification.ticket_id, "reason": reason})
        raise NotificationFailedError(f"SES refused the email: {reason}") from None
    logger.info("admin notified", extra={"ticket_id": notification.ticket_id, "ses_message_id": message_id})
    return message_id
