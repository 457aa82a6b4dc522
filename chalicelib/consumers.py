"""The asynchronous ways into the workflow: SQS batches and EventBridge events.

Both validate with the same forms module as the API and run the workflow at most once per
message/event id (powertools idempotency on DynamoDB): a redelivery, or two consumers holding
the same message, never create a second ticket.

Powertools' batch and idempotency utilities are imported on first use: together they cost
~35 ms of every Lambda cold start, the API's included, which never uses them.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable

from chalicelib import aws, forms, settings, workflow
from chalicelib.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

# Longer than SQS retention (4 days by default) so every redelivery finds the first result.
_IDEMPOTENCY_WINDOW_SECONDS = 7 * 24 * 3600


class PublishFailedError(RuntimeError):
    """EventBridge did not accept the processed event."""


def run_once(
    key: str, operation: Callable[[], workflow.WorkflowOutput], context: Any = None
) -> workflow.WorkflowOutput:
    """Run ``operation`` once per ``key``; later calls get the stored result."""
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    persistence = DynamoDBPersistenceLayer(
        table_name=settings.idempotency_table(), boto3_client=aws.client("dynamodb")
    )
    config = IdempotencyConfig(expires_after_seconds=_IDEMPOTENCY_WINDOW_SECONDS)
    if context is not None:
        # Lets a record left "in progress" by a crashed invocation expire with that invocation.
        config.register_lambda_context(context)

    @idempotent_function(
        data_keyword_argument="idempotency_key",
        persistence_store=persistence,
        config=config,
        key_prefix="contact-form",
    )
    def once(idempotency_key: str) -> workflow.WorkflowOutput:
        return operation()

    result: workflow.WorkflowOutput = once(idempotency_key=key)
    return result


def process_queue_batch(event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
    """Handle an SQS batch; the answer lists the records to redeliver (``batchItemFailures``)."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    return process_partial_response(
        event=event,
        record_handler=lambda record: _process_record(record, context),
        # Every failed record is listed; failing the whole invocation would add nothing.
        processor=BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False),
        context=context,
    )


def _process_record(record: SQSRecord, context: Any) -> workflow.WorkflowOutput:
    logger.set_correlation_id(record.message_id)
    try:
        submission = forms.parse_body(record.body)
    except forms.InvalidSubmissionError as error:
        logger.warning("queued submission refused", extra={"field": error.field, "reason": error.reason})
        raise
    return run_once(
        f"sqs:{record.message_id}",
        lambda: workflow.run(
            submission.to_workflow_input("sqs"),
            name=workflow.execution_name(record.message_id, prefix="sqs-"),
        ),
        context,
    )


def process_submitted_event(event: dict[str, Any], context: Any = None) -> workflow.WorkflowOutput:
    """Handle ``Contact Form Submitted``: run the workflow once, publish ``Contact Form Processed``."""
    event_id = event["id"]
    logger.set_correlation_id(event_id)
    try:
        submission = forms.parse_submission(event.get("detail"))
    except forms.InvalidSubmissionError as error:
        logger.warning("submitted event refused", extra={"field": error.field, "reason": error.reason})
        raise
    output = run_once(
        f"event:{event_id}",
        lambda: workflow.run(
            submission.to_workflow_input("eventbridge"),
            name=workflow.execution_name(event_id, prefix="event-"),
        ),
        context,
    )
    # Outside run_once: a failed publish is retried without running the workflow again.
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
