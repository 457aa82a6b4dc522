"""Creates the local resources the app and the delivery expect. Safe to run again on the same services."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from chalice.app import Chalice, CloudWatchEventConfig, SQSEventConfig

from chalicelib import names
from localdev import aws
from localdev.project import LocalSettings, function_name
from localdev.tables import create_tables

MAX_RECEIVE_COUNT = 3
# Short enough that a failed record is retried (and reaches the DLQ) within a minute locally.
VISIBILITY_TIMEOUT_SECONDS = 10
PROCESSED_EVENTS_QUEUE = "contact-form-processed-events"
PROCESSED_EVENTS_LOG_QUEUE = "contact-form-processed-events-log"


@dataclass(frozen=True)
class Consumer:
    """A queue delivery reads, how, and the app handler it feeds (None for a queue that is only logged)."""

    queue_name: str
    queue_url: str
    kind: Literal["sqs", "eventbridge", "log"]
    handler_name: str | None
    batch_size: int


def provision(app: Chalice, settings: LocalSettings, aws_port: int) -> list[Consumer]:
    """Create tables, queues, SES identities and EventBridge rules; return what delivery must poll."""
    _create_tables(aws.client("dynamodb", aws_port), settings)
    ses = aws.client("ses", aws_port)
    for address in (settings.sender_email, settings.admin_email):
        ses.verify_email_identity(EmailAddress=address)
    sqs = aws.client("sqs", aws_port)
    events = aws.client("events", aws_port)
    consumers = [
        Consumer(source.queue, _create_queue_with_dlq(sqs, source.queue), "sqs", source.name, source.batch_size)
        for source in app.event_sources
        if isinstance(source, SQSEventConfig) and source.queue
    ]
    for source in app.event_sources:
        if isinstance(source, CloudWatchEventConfig):
            name = f"{function_name(app, source.name)}-events"
            url = _create_queue_with_dlq(sqs, name)
            _route_events(events, settings.event_bus, name, source.event_pattern, [name])
            consumers.append(Consumer(name, url, "eventbridge", source.name, 1))
    sqs.create_queue(QueueName=PROCESSED_EVENTS_QUEUE)
    log_url = sqs.create_queue(QueueName=PROCESSED_EVENTS_LOG_QUEUE)["QueueUrl"]
    processed = {"source": [names.EVENT_SOURCE], "detail-type": [names.PROCESSED_DETAIL_TYPE]}
    _route_events(
        events, settings.event_bus, PROCESSED_EVENTS_QUEUE, processed,
        [PROCESSED_EVENTS_QUEUE, PROCESSED_EVENTS_LOG_QUEUE],
    )
    consumers.append(Consumer(PROCESSED_EVENTS_LOG_QUEUE, log_url, "log", None, 10))
    return consumers


def _create_tables(dynamodb: Any, settings: LocalSettings) -> None:
    create_tables(
        dynamodb, tickets=settings.tickets_table, idempotency=settings.idempotency_table,
        counters=settings.counters_table,
    )


def _create_queue_with_dlq(sqs: Any, name: str) -> str:
    sqs.create_queue(QueueName=f"{name}-dlq")
    redrive = {"deadLetterTargetArn": aws.queue_arn(f"{name}-dlq"), "maxReceiveCount": str(MAX_RECEIVE_COUNT)}
    return sqs.create_queue(
        QueueName=name,
        Attributes={
            "RedrivePolicy": json.dumps(redrive),
            "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
        },
    )["QueueUrl"]


def _route_events(events: Any, bus: str, rule: str, pattern: dict, queues: list[str]) -> None:
    events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")
    events.put_targets(
        Rule=rule,
        EventBusName=bus,
        Targets=[{"Id": queue, "Arn": aws.queue_arn(queue)} for queue in queues],
    )
