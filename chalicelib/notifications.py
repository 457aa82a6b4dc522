"""The administrator email for a NEGATIVE submission, sent with SES (v1 ``send_email``).

The subject holds only the ticket id and the sentiment, both checked against fixed patterns;
customer text goes only into the body, which SES encodes, and a Reply-To is added only for an
address that passed the form's validation. So no customer input can become a header.

At most ``ADMIN_EMAILS_PER_MINUTE`` emails go out at once (``email_quota``); beyond that the
notifier answers ``DIGEST`` and the workflow records the ticket for the digest
(``chalicelib.digest``), so a flood of submissions cannot flood the administrator's inbox.
SES throttling is retried here with backoff; the SES client itself does not retry.
"""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping, TypedDict

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, email_quota, settings
from chalicelib.forms import is_valid_email
from chalicelib.observability import count, logger
from chalicelib.tickets import is_ticket_id
from chalicelib.workflow import SENTIMENTS, THROTTLING_CODES


@dataclass(frozen=True)
class Backoff:
    """How often and how patiently SES throttling is retried (full jitter, doubling, capped)."""

    attempts: int
    first_delay: float
    max_delay: float

    def delay(self, attempt: int) -> float:
        return random.uniform(0, min(self.max_delay, self.first_delay * 2 ** (attempt - 1)))


# Inside the workflow's 8-second task timeout; the workflow then retries the Lambda twice more.
IMMEDIATE_BACKOFF = Backoff(attempts=3, first_delay=0.25, max_delay=1.0)


class NotifierResult(TypedDict, total=False):
    notificationStatus: Literal["SENT", "DIGEST"]
    messageId: str


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


def body_lines(notification: AdminNotification) -> list[str]:
    """What an email says about one ticket; the digest lists the same lines per ticket."""
    return [
        f"Ticket: {notification.ticket_id}",
        f"Sentiment: {notification.sentiment}",
        f"Name: {notification.name or '(not given)'}",
        f"Email: {notification.email or '(not given)'}",
        "",
        "Message:",
        notification.message,
    ]


def text_email(subject: str, body: str, *, sender: str, admin: str) -> dict[str, Any]:
    """SES ``send_email`` arguments for a plain-text email to the administrator."""
    return {
        "Source": sender,
        "Destination": {"ToAddresses": [admin]},
        "Message": {
            "Subject": {"Data": subject, "Charset": "UTF-8"},
            "Body": {"Text": {"Data": body, "Charset": "UTF-8"}},
        },
    }


def email_request(notification: AdminNotification, *, sender: str, admin: str) -> dict[str, Any]:
    """The SES ``send_email`` arguments for a notification."""
    request = text_email(
        f"[{notification.ticket_id}] {notification.sentiment} contact form message",
        "\n".join(body_lines(notification)),
        sender=sender,
        admin=admin,
    )
    if notification.email:
        request["ReplyToAddresses"] = [notification.email]
    return request


def send_email(
    request: dict[str, Any], backoff: Backoff, *, ses_client: Any = None, sleep: Callable[[float], None] = time.sleep
) -> str:
    """Send through SES, retrying throttling with backoff; ``NotificationFailedError`` otherwise."""
    client = ses_client or aws.client("ses")
    attempt = 1
    while True:
        try:
            message_id: str = client.send_email(**request)["MessageId"]
            return message_id
        except ClientError as error:
            reason = error.response["Error"]["Code"]
            again = reason in THROTTLING_CODES and attempt < backoff.attempts
        except BotoCoreError as error:
            reason, again = type(error).__name__, False
        if not again:
            count("NotificationFailed")
            raise NotificationFailedError(f"SES refused the email: {reason}")
        count("EmailThrottled")
        sleep(backoff.delay(attempt))
        attempt += 1


def notify_admin(
    notification: AdminNotification, *, ses_client: Any = None, sleep: Callable[[float], None] = time.sleep
) -> str:
    """Send the email now and return SES's message id; raise ``NotificationFailedError`` otherwise."""
    logger.set_correlation_id(notification.ticket_id)
    request = email_request(notification, sender=settings.sender_email(), admin=settings.admin_email())
    try:
        message_id = send_email(request, IMMEDIATE_BACKOFF, ses_client=ses_client, sleep=sleep)
    except NotificationFailedError as error:
        logger.warning("admin notification failed", extra={"ticket_id": notification.ticket_id, "reason": str(error)})
        raise
    logger.info("admin notified", extra={"ticket_id": notification.ticket_id, "ses_message_id": message_id})
    return message_id


def notify_or_defer(
    notification: AdminNotification, *, ses_client: Any = None, dynamodb_client: Any = None
) -> NotifierResult:
    """Email now while this minute's quota lasts; otherwise answer DIGEST (the workflow records it)."""
    logger.set_correlation_id(notification.ticket_id)
    try:
        immediate = email_quota.take_slot(settings.admin_emails_per_minute(), dynamodb_client=dynamodb_client)
    except email_quota.QuotaUnavailableError as error:
        # The digest still notifies; sending now could be the flood the quota is there to stop.
        logger.warning("email quota unavailable", extra={"ticket_id": notification.ticket_id, "reason": str(error)})
        immediate = False
    if not immediate:
        count("AdminEmailDeferred")
        logger.info("admin notification deferred to the digest", extra={"ticket_id": notification.ticket_id})
        return {"notificationStatus": "DIGEST"}
    return {"notificationStatus": "SENT", "messageId": notify_admin(notification, ses_client=ses_client)}
