"""The local event source mappings, against moto server with a small stand-in Chalice app."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.app import Chalice

from chalicelib import names
from localdev import aws, delivery
from localdev.ports import free_port
from localdev.project import LocalSettings
from localdev.provision import Consumer, provision


class RecordingApp:
    """A Chalice app with one SQS and one EventBridge handler that record what they receive."""

    def __init__(self, failing_bodies: set[str] = frozenset()) -> None:
        self.sqs_events: list[dict[str, Any]] = []
        self.eventbridge_events: list[dict[str, Any]] = []
        # Logger "contact-form" is the product's (powertools) in this process too: Chalice's own log setup
        # would set it to ERROR and stop its propagation, hiding every app log from later tests.
        self.app = app = Chalice(app_name="contact-form", configure_logs=False)

        @app.on_sqs_message(queue=names.SUBMISSIONS_QUEUE, batch_size=5)
        def process_queued_submissions(event: Any) -> dict[str, Any]:
            self.sqs_events.append(event.to_dict())
            failed = [record.to_dict()["messageId"] for record in event if record.body in failing_bodies]
            return {"batchItemFailures": [{"itemIdentifier": message_id} for message_id in failed]}

        @app.on_cw_event({"source": ["contact-form"], "detail-type": ["Contact Form Submitted"]})
        def process_submission_event(event: Any) -> None:
            self.eventbridge_events.append(event.to_dict())


@pytest.fixture
def aws_port(monkeypatch) -> Iterator[int]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", aws.ACCOUNT_ID)
    port = free_port()
    server = aws.start_moto(port)
    yield port
    # moto's backends live as long as the process: start the next test from empty services.
    urllib.request.urlopen(urllib.request.Request(f"{aws.endpoint(port)}/moto-api/reset", method="POST")).close()
    server.stop()


def _consumer(consumers: list[Consumer], kind: str) -> Consumer:
    return next(consumer for consumer in consumers if consumer.kind == kind)


def _poller(recording: RecordingApp, consumer: Consumer, aws_port: int, deliveries: int = 1) -> delivery.Poller:
    deliver = delivery.delivery_for(lambda: recording.app, consumer)
    return delivery.Poller(aws.client("sqs", aws_port), consumer.queue_url, consumer.batch_size, deliver, deliveries)


def _visible_and_in_flight(aws_port: int, queue_url: str) -> tuple[int, int]:
    attributes = aws.client("sqs", aws_port).get_queue_attributes(
        QueueUrl=queue_url,
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_provisioning_twice_leaves_one_working_set_of_resources(aws_port):
    # GIVEN the resources were provisioned once
    recording = RecordingApp()
    provision(recording.app, LocalSettings(), aws_port)
    # WHEN the stack provisions again on the same services
    consumers = provision(recording.app, LocalSettings(), aws_port)
    # THEN nothing failed and the tables, the redrive policy and the identities are as expected
    dynamodb = aws.client("dynamodb", aws_port)
    assert sorted(dynamodb.list_tables()["TableNames"]) == sorted(
        [names.COUNTERS_TABLE, names.IDEMPOTENCY_TABLE, names.TICKETS_TABLE]
    )
    ttl = dynamodb.describe_time_to_live(TableName="contact-form-idempotency")["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expiration"}
    sqs = aws.client("sqs", aws_port)
    submissions = _consumer(consumers, "sqs")
    redrive = json.loads(
        sqs.get_queue_attributes(QueueUrl=submissions.queue_url, AttributeNames=["RedrivePolicy"])["Attributes"][
            "RedrivePolicy"
        ]
    )
    assert redrive == {"deadLetterTargetArn": aws.queue_arn(names.SUBMISSIONS_DLQ), "maxReceiveCount": 3}
    identities = aws.client("ses", aws_port).list_identities()["Identities"]
    assert sorted(identities) == ["admin@example.com", "no-reply@example.com"]
    assert [(c.kind, c.handler_name, c.batch_size) for c in consumers] == [
        ("sqs", "process_queued_submissions", 5),
        ("eventbridge", "process_submission_event", 1),
        ("log", None, 10),
    ]


def test_sqs_batch_arrives_as_lambda_records_and_only_failed_records_stay(aws_port):
    # GIVEN a handler that reports one of two records as failed
    recording = RecordingApp(failing_bodies={'{"message": "fails"}'})
    submissions = _consumer(provision(recording.app, LocalSettings(), aws_port), "sqs")
    sqs = aws.client("sqs", aws_port)
    for body in ('{"message": "works"}', '{"message": "fails"}'):
        sqs.send_message(QueueUrl=submissions.queue_url, MessageBody=body)
    # WHEN the poller takes one batch
    _poller(recording, submissions, aws_port).poll_once()
    # THEN both records arrived in one Lambda-shaped event and only the failed one is left in flight
    [event] = recording.sqs_events
    assert sorted(record["body"] for record in event["Records"]) == ['{"message": "fails"}', '{"message": "works"}']
    record = event["Records"][0]
    assert record["eventSource"] == "aws:sqs"
    assert record["eventSourceARN"] == aws.queue_arn(names.SUBMISSIONS_QUEUE)
    assert record["attributes"]["ApproximateReceiveCount"] == "1"
    assert set(record) >= {"messageId", "receiptHandle", "md5OfBody", "messageAttributes", "awsRegion"}
    assert _visible_and_in_flight(aws_port, submissions.queue_url) == (0, 1)


def test_two_deliveries_hand_out_the_same_message_twice_then_delete_it(aws_port):
    # GIVEN a poller simulating at-least-once delivery
    recording = RecordingApp()
    submissions = _consumer(provision(recording.app, LocalSettings(), aws_port), "sqs")
    aws.client("sqs", aws_port).send_message(QueueUrl=submissions.queue_url, MessageBody='{"message": "hi"}')
    poller = _poller(recording, submissions, aws_port, deliveries=2)
    # WHEN it polls twice
    poller.poll_once()
    poller.poll_once()
    # THEN the handler saw the same message id on receive 1 and 2, and the queue is empty
    records = [event["Records"][0] for event in recording.sqs_events]
    assert len({record["messageId"] for record in records}) == 1
    assert [record["attributes"]["ApproximateReceiveCount"] for record in records] == ["1", "2"]
    assert _visible_and_in_flight(aws_port, submissions.queue_url) == (0, 0)


def test_submitted_event_reaches_the_handler_in_eventbridge_shape(aws_port):
    # GIVEN the EventBridge rule and its target queue
    recording = RecordingApp()
    consumer = _consumer(provision(recording.app, LocalSettings(), aws_port), "eventbridge")
    # WHEN a client puts a Contact Form Submitted event on the default bus
    aws.client("events", aws_port).put_events(
        Entries=[{"Source": "contact-form", "DetailType": "Contact Form Submitted", "Detail": '{"message": "hi"}'}]
    )
    _poller(recording, consumer, aws_port).poll_once()
    # THEN the handler got the event as EventBridge hands it to Lambda, and the queue is drained
    [event] = recording.eventbridge_events
    assert event["detail"] == {"message": "hi"}
    assert (event["source"], event["detail-type"], event["account"]) == (
        "contact-form", "Contact Form Submitted", aws.ACCOUNT_ID
    )
    assert _visible_and_in_flight(aws_port, consumer.queue_url) == (0, 0)


def test_record_failing_on_every_delivery_ends_in_the_dlq(aws_port):
    # GIVEN a handler that always reports the record as failed, and no wait before redelivery
    recording = RecordingApp(failing_bodies={'{"message": "fails"}'})
    submissions = _consumer(provision(recording.app, LocalSettings(), aws_port), "sqs")
    sqs = aws.client("sqs", aws_port)
    sqs.set_queue_attributes(QueueUrl=submissions.queue_url, Attributes={"VisibilityTimeout": "0"})
    sqs.send_message(QueueUrl=submissions.queue_url, MessageBody='{"message": "fails"}')
    poller = _poller(recording, submissions, aws_port)
    # WHEN the poller keeps polling past the redrive policy's receive count
    for _ in range(4):
        poller.poll_once()
    # THEN the handler saw it three times and it now waits in the DLQ
    assert len(recording.sqs_events) == 3
    dlq_url = sqs.get_queue_url(QueueName=names.SUBMISSIONS_DLQ)["QueueUrl"]
    assert _visible_and_in_flight(aws_port, dlq_url) == (1, 0)
    assert _visible_and_in_flight(aws_port, submissions.queue_url) == (0, 0)
