"""The digest: one email listing every NEGATIVE ticket that no immediate email was confirmed for.

Every NEGATIVE ticket carries ``digestStatus`` from the moment the workflow records it:
``AWAITING_EMAIL`` until the workflow notes its immediate email. ``digestStatus`` is the key of the
tickets table's sparse index ``digest``: only tickets that may still need the digest have it, so a
run reads those and nothing else. The workflow then removes it (email sent), or sets it to
``DIGEST`` (held back by the per-minute email quota, or the email failed: ``notificationError``
says why). A ticket still ``AWAITING_EMAIL`` after ``stale_after`` belongs to an execution that
stopped before noting its email (timed out, or crashed); the digest takes it over. A run:

1. claims each ticket it takes with a conditional ``UpdateItem`` (``DIGEST``, or a stale
   ``AWAITING_EMAIL``, -> ``DIGEST_SENDING``, with the run's batch id and the claim time); a
   ticket another run (or its own workflow) marked first fails the condition and is left alone,
   so two overlapping digests never list the same ticket;
2. sends one email listing the claimed tickets (SES throttling retried with backoff);
3. marks each ``SENT``, conditional on its batch id, and removes ``digestStatus`` (it leaves the
   index).

Claim, then send, then mark: a failed send gives the claims back at once. A run that dies
between sending and marking leaves its claims behind; a claim older than any live run can be
(``stale_after``) is claimed again by a later run. So no ticket is ever left unnotified, and a
ticket is emailed twice only after such a crash, or when an execution sent its immediate email and
stopped before noting it; the digest flags both cases on the ticket.
"""
from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, TypedDict

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from chalicelib import aws, settings
from chalicelib.notifications import (
    AdminNotification,
    Backoff,
    InvalidNotificationError,
    NotificationFailedError,
    body_lines,
    send_email,
    text_email,
)
from chalicelib.observability import count, logger

# Written by the workflow's record step on every NEGATIVE ticket, removed once its email is noted.
AWAITING = "AWAITING_EMAIL"
WAITING = "DIGEST"
SENDING = "DIGEST_SENDING"
SENT = "SENT"
# Body text a digest may hold: SES v1 takes messages up to 10 MB after encoding (base64 adds a
# third). Tickets beyond it, or beyond MAX_TICKETS, wait for the next run, so the inbox still
# gets one email per run however large the backlog.
MAX_BODY_BYTES = 4_000_000
MAX_TICKETS = 1000
# A scheduled run has minutes, not the workflow's seconds, to get past SES throttling.
DIGEST_BACKOFF = Backoff(attempts=6, first_delay=1.0, max_delay=8.0)
# Twice the digest Lambda's timeout (.chalice/config.json): no live run holds a claim this old.
# Also well past the longest an execution (TimeoutSeconds 25) plus a notifier it started (Lambda
# timeout 10 s) can run, so no immediate email can still come for an AWAITING_EMAIL ticket this old.
LONGEST_RUN_SECONDS = 120
# notificationError of a ticket the digest took over from an execution that stopped.
STATUS_UNKNOWN = "NotificationStatusUnknown"
_deserialize = TypeDeserializer().deserialize


class DigestResult(TypedDict, total=False):
    batchId: str
    tickets: int
    messageId: str


@dataclass(frozen=True)
class DigestEntry:
    notification: AdminNotification
    received_at: str
    # Claimed again from a run that died after sending: that run's email may have listed it.
    repeated: bool = False
    # Why no immediate email was confirmed (the workflow's error name, or STATUS_UNKNOWN); None when held back.
    error: str | None = None

    def lines(self) -> list[str]:
        notes = ["Note: an unfinished earlier digest may already have listed this ticket."] if self.repeated else []
        if self.error == STATUS_UNKNOWN:
            notes.append("Note: notification status unknown: the workflow stopped before recording it, "
                         "so an immediate email may also have named this ticket.")
        elif self.error:
            notes.append(f"Note: the immediate email was not confirmed ({self.error}); it is listed here instead.")
        return [f"Received: {self.received_at}", *notes, *body_lines(self.notification)]


def timestamp(epoch_seconds: float) -> str:
    """ISO 8601 in UTC with milliseconds, the format of the workflow's ``$$.State.EnteredTime``."""
    moment = datetime.fromtimestamp(epoch_seconds, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def stale_after() -> int:
    """Seconds after which a claim belongs to a run that died, and an AWAITING_EMAIL ticket to an execution."""
    return max(2 * settings.digest_interval_seconds(), LONGEST_RUN_SECONDS)


def send_digest(
    *,
    ses_client: Any = None,
    clock: Callable[[], float] = time.time,
    sleep: Callable[[float], None] = time.sleep,
) -> DigestResult:
    """Claim the waiting tickets, email them in one digest, mark them SENT."""
    batch_id = uuid.uuid4().hex
    logger.set_correlation_id(batch_id)
    now = clock()
    entries = _claim(batch_id, claimed_at=timestamp(now), stale_before=timestamp(now - stale_after()))
    if not entries:
        return {"batchId": batch_id, "tickets": 0}
    request = digest_request(entries, sender=settings.sender_email(), admin=settings.admin_email())
    try:
        message_id = send_email(request, DIGEST_BACKOFF, ses_client=ses_client, sleep=sleep)
    except NotificationFailedError as error:
        logger.warning("digest not sent; tickets released", extra={"tickets": len(entries), "reason": str(error)})
        for entry in entries:
            _release(entry.notification.ticket_id, batch_id)
        raise
    marked = sum(_mark_sent(entry.notification.ticket_id, batch_id, message_id) for entry in entries)
    count("DigestSent")
    logger.info("digest sent", extra={"tickets": len(entries), "marked": marked, "ses_message_id": message_id})
    return {"batchId": batch_id, "tickets": len(entries), "messageId": message_id}


def digest_request(entries: list[DigestEntry], *, sender: str, admin: str) -> dict[str, Any]:
    """The SES ``send_email`` arguments of a digest: no customer data in the subject, no Reply-To."""
    total = len(entries)
    noun = "message" if total == 1 else "messages"
    lines = [
        f"{total} NEGATIVE contact form {noun} not emailed one by one: held back while immediate emails "
        f"were paused (at most {settings.admin_emails_per_minute()} a minute are sent at once), or whose "
        "immediate email was not confirmed (noted below). Oldest first.",
    ]
    for number, entry in enumerate(entries, start=1):
        lines += ["", f"=== {number} of {total} ===", *entry.lines()]
    return text_email(f"Contact form digest: {total} held-back {noun}", "\n".join(lines), sender=sender, admin=admin)


def _claim(batch_id: str, *, claimed_at: str, stale_before: str) -> list[DigestEntry]:
    """Claim stale claims first (they waited longest), then stale AWAITING_EMAIL tickets, then waiting ones,
    within the size budget."""
    entries: list[DigestEntry] = []
    size = 0
    # Lazily: a run reads index pages only until it has its tickets.
    candidates = itertools.chain(
        ((ticket_id, SENDING, stale_before) for ticket_id in _waiting(SENDING, before=stale_before)),
        ((ticket_id, AWAITING, stale_before) for ticket_id in _waiting(AWAITING, before=stale_before)),
        ((ticket_id, WAITING, None) for ticket_id in _waiting(WAITING)),
    )
    for ticket_id, status, before in candidates:
        if len(entries) >= MAX_TICKETS:
            break
        item = _claim_one(ticket_id, batch_id, claimed_at, status, before)
        if item is None:
            continue
        try:
            notification = AdminNotification.from_event(item)
        except InvalidNotificationError as error:
            # Not a ticket the workflow wrote: say so on it, rather than claim it again forever.
            _mark_failed(ticket_id, batch_id, str(error))
            continue
        last_error = item.get("notificationError")
        entry = DigestEntry(notification, str(item.get("createdAt", "")), status == SENDING,
                            last_error if isinstance(last_error, str) else None)
        size += len("\n".join(entry.lines()).encode("utf-8"))
        if size > MAX_BODY_BYTES and entries:
            _release(ticket_id, batch_id)
            break
        entries.append(entry)
    return entries


def _waiting(status: str, before: str | None = None) -> Iterator[str]:
    """Ticket ids in the digest index with ``status``, oldest first (an eventually consistent read)."""
    condition = "digestStatus = :status" + (" AND digestUpdatedAt < :before" if before else "")
    values = {":status": {"S": status}, **({":before": {"S": before}} if before else {})}
    start: dict[str, Any] = {}
    while True:
        page = aws.client("dynamodb").query(
            TableName=settings.tickets_table(),
            IndexName=settings.DIGEST_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=values,
            **start,
        )
        yield from (item["ticketId"]["S"] for item in page["Items"])
        if "LastEvaluatedKey" not in page:
            return
        start = {"ExclusiveStartKey": page["LastEvaluatedKey"]}


def _claim_one(
    ticket_id: str, batch_id: str, claimed_at: str, status: str, stale_before: str | None
) -> dict[str, Any] | None:
    """The claimed ticket, or None when it is no longer ``status`` (claimed, sent or noted meanwhile)."""
    condition = "digestStatus = :from" + (" AND digestUpdatedAt < :before" if stale_before else "")
    update = "SET notificationStatus = :sending, digestStatus = :sending, digestUpdatedAt = :now, digestBatch = :batch"
    values = {
        ":from": {"S": status}, ":sending": {"S": SENDING}, ":now": {"S": claimed_at}, ":batch": {"S": batch_id},
        **({":before": {"S": stale_before}} if stale_before else {}),
    }
    if status == AWAITING:
        # Kept on the ticket, so the note survives a release and says why the digest listed it.
        update += ", notificationError = :unknown"
        values[":unknown"] = {"S": STATUS_UNKNOWN}
    try:
        answer = aws.client("dynamodb").update_item(
            TableName=settings.tickets_table(),
            Key={"ticketId": {"S": ticket_id}},
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return None
        raise
    return {key: _deserialize(value) for key, value in answer["Attributes"].items()}


def _mark_sent(ticket_id: str, batch_id: str, message_id: str) -> bool:
    """True when marked; False when a later run took the claim over (it will list it again)."""
    return _update_claimed(
        ticket_id, batch_id,
        "SET notificationStatus = :sent, digestMessageId = :message REMOVE digestStatus, digestUpdatedAt",
        {":sent": {"S": SENT}, ":message": {"S": message_id}},
    )


def _mark_failed(ticket_id: str, batch_id: str, reason: str) -> bool:
    logger.warning("ticket cannot be listed in a digest", extra={"ticket_id": ticket_id, "reason": reason})
    return _update_claimed(
        ticket_id, batch_id,
        "SET notificationStatus = :failed, notificationError = :error REMOVE digestStatus, digestUpdatedAt",
        {":failed": {"S": "FAILED"}, ":error": {"S": "InvalidTicket"}},
    )


def _release(ticket_id: str, batch_id: str) -> bool:
    """Give a claim back so the next run lists the ticket."""
    return _update_claimed(
        ticket_id, batch_id,
        "SET notificationStatus = :waiting, digestStatus = :waiting REMOVE digestBatch",
        {":waiting": {"S": WAITING}},
    )


def _update_claimed(
    ticket_id: str, batch_id: str, expression: str, values: dict[str, Any]
) -> bool:
    try:
        aws.client("dynamodb").update_item(
            TableName=settings.tickets_table(),
            Key={"ticketId": {"S": ticket_id}},
            UpdateExpression=expression,
            ConditionExpression="digestBatch = :batch",
            ExpressionAttributeValues={**values, ":batch": {"S": batch_id}},
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            # The claim stays and turns stale: the ticket is listed again later, never lost.
            logger.warning("digest claim not updated", extra={"ticket_id": ticket_id,
                                                             "reason": error.response["Error"]["Code"]})
        return False
    return True
