"""``Idempotency-Key`` on POST /contact: one ticket per key, whatever the network does.

The invariant: a key never gets two tickets, and never two executions that may run at once.
Conditional writes on two records make it so (no read-then-write race anywhere):

- the key's record in the idempotency table, ``id`` = ``http#`` + SHA-256 of the key (the key
  itself is never stored), claimed with ``attribute_not_exists``. It holds the SHA-256 of the
  body (another body: 422), the ticket id the API drew for the key, an ``owner`` token and
  ``lockedUntil``: until then the claim's execution may still be running (a resend: 409); after
  it, a resend takes the claim over. ``expiration`` (24 h) is the table's TTL attribute.
- the ticket: the workflow records it under that ticket id with ``attribute_not_exists`` and the
  key's hash (``idempotencyKeyHash``), so a second execution for the key can never write a second
  ticket; it stops with ``ContactForm.TicketAlreadyRecorded`` before any email.

Once the ticket is known (the workflow's output, or the ticket read back after a 502/504 whose
execution went on to record it) the record becomes COMPLETED with that answer, and every resend
of the key and body gets it. An execution that certainly recorded nothing releases the key.

powertools' idempotency utility (used by the SQS and EventBridge consumers) does not fit here: it
deletes its record when the function raises, so after a 504 whose execution still recorded the
ticket, a resend would start a second execution and make a second ticket.
"""
from __future__ import annotations

import hashlib
import json
import math
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Literal, Mapping

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws, settings, tickets
from chalicelib.forms import InvalidSubmissionError, WorkflowInput
from chalicelib.observability import count, logger
from chalicelib.workflow import WorkflowError, WorkflowOutput, parse_output

KEY_HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
EXPIRES_AFTER_SECONDS = 24 * 3600
# How long after a claim its execution may still run or its last write land: the workflow's
# TimeoutSeconds (25) plus its record step's TimeoutSeconds (5), with margin. Also longer than
# the API Lambda's own timeout (30 s), so a claim whose Lambda died is taken over, not kept.
CLAIM_SECONDS = 40
TICKET_ALREADY_RECORDED = "ContactForm.TicketAlreadyRecorded"
IN_PROGRESS: Literal["IN_PROGRESS"] = "IN_PROGRESS"
COMPLETED: Literal["COMPLETED"] = "COMPLETED"
_RECORD_PREFIX = "http#"
_VISIBLE_ASCII = re.compile(r"[!-~]+")
_CONDITION_FAILED = "ConditionalCheckFailedException"
_deserialize = TypeDeserializer().deserialize


class KeyedWorkflowInput(WorkflowInput, total=False):
    """The workflow input of a keyed submission: the ticket id is drawn by the API."""

    ticketId: str
    idempotencyKeyHash: str


class IdempotencyError(Exception):
    """A keyed request that cannot be answered now; the message names the header."""

    field = KEY_HEADER

    def __init__(self, reason: str) -> None:
        super().__init__(f"{KEY_HEADER}: {reason}")
        self.reason = reason


class KeyInUseError(IdempotencyError):
    """The key's first request is still being processed (409)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__("a request with this key is still being processed; try again later")
        self.retry_after = max(1, retry_after)


class KeyReusedError(IdempotencyError):
    """The key was used before with another body (422)."""

    def __init__(self) -> None:
        super().__init__("already used with a different request body")


class StoreUnavailableError(IdempotencyError):
    """The idempotency record could not be read or written: nothing was started (503)."""

    def __init__(self) -> None:
        super().__init__("could not be checked right now; send the same request again")


@dataclass(frozen=True)
class IdempotencyKey:
    """A valid key, as hashes only: of the key (the record's id) and of the body (byte for byte)."""

    key_hash: str
    body_hash: str

    @property
    def record_id(self) -> str:
        return _RECORD_PREFIX + self.key_hash


@dataclass(frozen=True)
class Claim:
    """This request owns the key: it may run the workflow for ``ticket_id``."""

    owner: str
    ticket_id: str


@dataclass(frozen=True)
class Answered:
    """The key already has its answer."""

    output: WorkflowOutput


@dataclass(frozen=True)
class _Record:
    status: str
    body_hash: str
    ticket_id: str
    owner: str
    locked_until: float
    response: str | None

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> _Record:
        values = {name: _deserialize(value) for name, value in item.items()}
        return cls(
            status=str(values.get("status", "")),
            body_hash=str(values.get("bodyHash", "")),
            ticket_id=str(values.get("ticketId", "")),
            owner=str(values.get("owner", "")),
            locked_until=float(values.get("lockedUntil", 0)),
            response=values.get("response"),
        )


def parse_key(value: str | None, raw_body: bytes | str | None) -> IdempotencyKey | None:
    """The request's key (None without the header); 400 naming the header when malformed."""
    if value is None:
        return None
    if not value:
        raise InvalidSubmissionError(KEY_HEADER, "must not be empty")
    if len(value) > MAX_KEY_LENGTH:
        raise InvalidSubmissionError(KEY_HEADER, f"must be at most {MAX_KEY_LENGTH} characters")
    if not _VISIBLE_ASCII.fullmatch(value):
        raise InvalidSubmissionError(KEY_HEADER, "must be visible ASCII characters (! to ~) only")
    body = raw_body.encode("utf-8") if isinstance(raw_body, str) else (raw_body or b"")
    return IdempotencyKey(key_hash=_sha256(value.encode("ascii")), body_hash=_sha256(body))


def submit(
    key: IdempotencyKey | None,
    document: WorkflowInput,
    run: Callable[[WorkflowInput], WorkflowOutput],
    *,
    dynamodb_client: Any = None,
    now: Callable[[], float] = time.time,
    new_ticket_id: Callable[[], str] = tickets.new_ticket_id,
) -> WorkflowOutput:
    """Run the workflow for ``document`` at most once per key; a resend gets the first answer."""
    if key is None:
        return run(document)
    store = IdempotencyStore(dynamodb_client, now=now)
    outcome = store.claim(key, new_ticket_id())
    if isinstance(outcome, Answered):
        count("IdempotentReplay")
        logger.info("idempotent replay", extra={"ticket_id": outcome.output["ticketId"]})
        return outcome.output
    keyed: KeyedWorkflowInput = {**document, "ticketId": outcome.ticket_id, "idempotencyKeyHash": key.key_hash}
    try:
        output = run(keyed)
    except WorkflowError as error:
        recorded = store.recorded_ticket(outcome.ticket_id, key)
        if recorded is not None:
            # The execution recorded the ticket before it failed or timed out: a resend gets it.
            store.complete(key, outcome.ticket_id, recorded)
            if error.error == TICKET_ALREADY_RECORDED:
                return recorded
        elif not error.may_still_run:
            store.release(key, outcome)
        raise
    store.complete(key, outcome.ticket_id, output)
    return output


class IdempotencyStore:
    """The key records (idempotency table) and the ticket lookup (tickets table)."""

    def __init__(self, dynamodb_client: Any = None, *, now: Callable[[], float] = time.time) -> None:
        self._client = dynamodb_client or aws.client("dynamodb")
        self._now = now

    def claim(self, key: IdempotencyKey, ticket_id: str) -> Claim | Answered:
        """Own the key, or learn its answer; raises 409, 422 or 503 errors."""
        now = self._now()
        owner = uuid.uuid4().hex
        item = {
            "id": {"S": key.record_id},
            "status": {"S": IN_PROGRESS},
            "bodyHash": {"S": key.body_hash},
            "ticketId": {"S": ticket_id},
            "owner": {"S": owner},
            "lockedUntil": {"N": str(math.ceil(now + CLAIM_SECONDS))},
            "expiration": {"N": str(math.ceil(now + EXPIRES_AFTER_SECONDS))},
        }
        try:
            self._client.put_item(
                TableName=settings.idempotency_table(),
                Item=item,
                # TTL deletes expired items within days, not at once: until then they count as gone.
                ConditionExpression="attribute_not_exists(id) OR expiration < :now",
                ExpressionAttributeValues={":now": {"N": str(math.floor(now))}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
            return Claim(owner, ticket_id)
        except ClientError as error:
            if _code(error) != _CONDITION_FAILED:
                raise self._unavailable(error) from None
            existing = error.response.get("Item")
        except BotoCoreError as error:
            raise self._unavailable(error) from None
        return self._answer_existing(key, _Record.from_item(existing or self._read(key)), now)

    def recorded_ticket(self, ticket_id: str, key: IdempotencyKey) -> WorkflowOutput | None:
        """The answer of the key's ticket, if the workflow recorded it (a strongly consistent read)."""
        try:
            item = self._client.get_item(
                TableName=settings.tickets_table(),
                Key={"ticketId": {"S": ticket_id}},
                ConsistentRead=True,
                ProjectionExpression="ticketId, sentiment, sentimentScore, idempotencyKeyHash",
            ).get("Item")
        except (ClientError, BotoCoreError) as error:
            logger.warning("ticket lookup failed", extra={"reason": _reason(error)})
            return None
        if not item:
            return None
        values = {name: _deserialize(value) for name, value in item.items()}
        # A ticket of another key under the same id would be a 50-bit collision: not ours.
        if values.get("idempotencyKeyHash") != key.key_hash:
            return None
        return parse_output(values)

    def complete(self, key: IdempotencyKey, ticket_id: str, output: WorkflowOutput) -> None:
        """Store the key's answer; a failure only delays it (a resend finds the ticket itself)."""
        try:
            self._client.update_item(
                TableName=settings.idempotency_table(),
                Key={"id": {"S": key.record_id}},
                UpdateExpression="SET #status = :completed, #response = :response REMOVE lockedUntil",
                ConditionExpression="ticketId = :ticket_id",
                ExpressionAttributeNames={"#status": "status", "#response": "response"},
                ExpressionAttributeValues={
                    ":completed": {"S": COMPLETED},
                    ":response": {"S": json.dumps(output, separators=(",", ":"))},
                    ":ticket_id": {"S": ticket_id},
                },
            )
        except (ClientError, BotoCoreError) as error:
            logger.warning("idempotency record not completed", extra={"reason": _reason(error)})

    def release(self, key: IdempotencyKey, claim: Claim) -> None:
        """Forget a claim whose execution certainly recorded nothing, so a resend runs anew."""
        try:
            self._client.delete_item(
                TableName=settings.idempotency_table(),
                Key={"id": {"S": key.record_id}},
                ConditionExpression="#owner = :owner AND #status = :in_progress",
                ExpressionAttributeNames={"#owner": "owner", "#status": "status"},
                ExpressionAttributeValues={":owner": {"S": claim.owner}, ":in_progress": {"S": IN_PROGRESS}},
            )
        except (ClientError, BotoCoreError) as error:
            # The claim then expires by itself (lockedUntil) and is taken over.
            logger.warning("idempotency record not released", extra={"reason": _reason(error)})

    def _answer_existing(self, key: IdempotencyKey, record: _Record, now: float) -> Claim | Answered:
        if record.body_hash != key.body_hash:
            count("IdempotencyKeyReused")
            raise KeyReusedError()
        if record.status == COMPLETED and record.response:
            return Answered(parse_output(json.loads(record.response)))
        if record.locked_until > now:
            count("IdempotencyKeyInUse")
            raise KeyInUseError(math.ceil(record.locked_until - now))
        # The claim's request died or gave up without an answer, and its execution is over.
        recorded = self.recorded_ticket(record.ticket_id, key)
        if recorded is not None:
            self.complete(key, record.ticket_id, recorded)
            return Answered(recorded)
        return self._take_over(key, record, now)

    def _take_over(self, key: IdempotencyKey, record: _Record, now: float) -> Claim:
        """Own a stale claim, keeping its ticket id: a late write of the old execution still wins."""
        owner = uuid.uuid4().hex
        try:
            self._client.update_item(
                TableName=settings.idempotency_table(),
                Key={"id": {"S": key.record_id}},
                UpdateExpression="SET #owner = :owner, lockedUntil = :until",
                ConditionExpression="#owner = :previous AND #status = :in_progress",
                ExpressionAttributeNames={"#owner": "owner", "#status": "status"},
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":previous": {"S": record.owner},
                    ":in_progress": {"S": IN_PROGRESS},
                    ":until": {"N": str(math.ceil(now + CLAIM_SECONDS))},
                },
            )
        except ClientError as error:
            if _code(error) == _CONDITION_FAILED:
                # Another resend took it over (or completed it) a moment ago.
                raise KeyInUseError(1) from None
            raise self._unavailable(error) from None
        except BotoCoreError as error:
            raise self._unavailable(error) from None
        logger.info("idempotency claim taken over", extra={"ticket_id": record.ticket_id})
        return Claim(owner, record.ticket_id)

    def _read(self, key: IdempotencyKey) -> dict[str, Any]:
        """The record, for a DynamoDB that did not return it with the failed condition."""
        try:
            item: dict[str, Any] | None = self._client.get_item(
                TableName=settings.idempotency_table(), Key={"id": {"S": key.record_id}}, ConsistentRead=True
            ).get("Item")
        except (ClientError, BotoCoreError) as error:
            raise self._unavailable(error) from None
        if item is None:
            # Expired and deleted between the two calls: let the client send it again.
            raise KeyInUseError(1)
        return item

    @staticmethod
    def _unavailable(error: Exception) -> StoreUnavailableError:
        logger.warning("idempotency store unavailable", extra={"reason": _reason(error)})
        return StoreUnavailableError()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _reason(error: Exception) -> str:
    return _code(error) if isinstance(error, ClientError) else type(error).__name__
