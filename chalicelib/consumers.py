"""The asynchronous ways into the workflow: SQS batches and EventBridge events.

Both validate with the same forms module as the API. The invariant: one ticket, and at most one
email, per delivered submission, however often it is delivered. A delivery's identity survives
its redeliveries (SQS keeps the message id, EventBridge's retries keep the event id), so it gives
a deterministic ticket id (``Delivery``), passed to the workflow as ``ticketId``. The workflow
records a given id only if it is free and otherwise stops with ``ContactForm.TicketAlreadyRecorded``
before any email; the consumer then answers the recorded ticket. So a redelivery after a success,
after a Lambda timeout, after a TIMED_OUT execution that recorded the ticket, or while another
consumer still holds the message, succeeds with the first ticket and never makes a second one.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib import aws, forms, idempotency, settings, tickets, workflow
from chalicelib.observability import count, logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

SQS_DELIVERY = "sqs"
EVENT_DELIVERY = "eventbridge"


class PublishFailedError(RuntimeError):
    """EventBridge did not accept the processed event."""


@dataclass(frozen=True)
class Delivery:
    """What identifies one delivered submission across redeliveries: ``kind`` and the SQS/event id."""

    kind: str
    delivery_id: str

    @property
    def key_hash(self) -> str:
        """SHA-256 of the namespaced id, recorded on the ticket as ``idempotencyKeyHash``.

        The space cannot occur in an ``Idempotency-Key`` (visible ASCII only), so this hash is never
        an HTTP key's.
        """
        return hashlib.sha256(f"{self.kind} {self.delivery_id}".encode("utf-8")).hexdigest()

    @property
    def ticket_id(self) -> str:
        return tickets.ticket_id_for(self.key_hash)


def run_once(delivery: Delivery, document: forms.WorkflowInput, *, name: str) -> workflow.WorkflowOutput:
    """The answer of the delivery's one ticket: recorded already, or by a workflow run now."""
    ticket_id, key_hash = delivery.ticket_id, delivery.key_hash
    recorded = idempotency.recorded_ticket(ticket_id, key_hash)
    if recorded is not None:
        # A redelivery after the ticket was recorded: no second execution, no Comprehend call.
        count("DuplicateDelivery", source=delivery.kind)
        logger.info("delivery already has its ticket", extra={"ticket_id": ticket_id})
        return recorded
    keyed: idempotency.KeyedWorkflowInput = {**document, "ticketId": ticket_id, "idempotencyKeyHash": key_hash}
    try:
        return workflow.run(keyed, name=name)
    except workflow.WorkflowError as error:
        # TicketAlreadyRecorded (another consumer got there first), or a timeout or lost answer
        # after the record step: the ticket exists, so the delivery is done.
        recorded = idempotency.recorded_ticket(ticket_id, key_hash)
        if recorded is None:
            raise
        count("DuplicateDelivery", source=delivery.kind)
        logger.info("delivery's ticket was recorded", extra={"ticket_id": ticket_id, "error": error.error})
        return recorded


def process_queue_batch(event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
    """Handle an SQS batch; the answer lists the records to redeliver (``batchItemFailures``)."""
    # Powertools' batch utility costs ~20 ms of import: paid by the queue consumer only, on first use.
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    return process_partial_response(
        event=event,
        record_handler=_process_record,
        # Every failed record is listed; failing the whole invocation would add nothing.
        processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
        context=context,
    )


def _process_record(record: SQSRecord) -> workflow.WorkflowOutput:
    logger.set_correlation_id(record.message_id)
    try:
        submission = forms.parse_body(record.body)
    except forms.InvalidSubmissionError as error:
        logger.warning("queued submission refused", extra={"field": error.field, "reason": error.reason})
        raise
    # The message id, not the body: two customers may well send the same text.
    return run_once(
        Delivery(SQS_DELIVERY, record.message_id),
        submission.to_workflow_input("sqs"),
        name=workflow.execution_name(record.message_id, prefix="sqs-"),
    )


def process_submitted_event(event: dict[str, Any]) -> workflow.WorkflowOutput:
    """Handle ``Contact Form Submitted``: one ticket per event id, then publish ``Contact Form Processed``."""
    event_id = event["id"]
    logger.set_correlation_id(event_id)
    try:
        submission = forms.parse_submission(event.get("detail"))
    except forms.InvalidSubmissionError as error:
        logger.warning("submitted event refused", extra={"field": error.field, "reason": error.reason})
        raise
    output = run_once(
        Delivery(EVENT_DELIVERY, event_id),
        submission.to_workflow_input("eventbridge"),
        name=workflow.execution_name(event_id, prefix="event-"),
    )
    # At least once: a redelivered event publishes the recorded ticket's answer again (same ticketId).
    publish_processed(output)
    return output


def publish_processed(output: workflow.WorkflowOutput, *, events_client: Any = None) -> None:
    client = events_client or aws.client("events")
    response = client.put_events(
        Entries=[
            {
                "Source": settings.EVENT_SOURCE,
                "DetailType": settings.PROCESSED_DETAIL_TYPE,
                "Detail": json.dumps(output),
                "EventBusName": settings.event_bus_name(),
            }
        ]
    )
    if response.get("FailedEntryCount"):
        raise PublishFailedError(response["Entries"][0].get("ErrorCode", "unknown error"))
    logger.info("processed event published", extra={"ticket_id": output["ticketId"]})
