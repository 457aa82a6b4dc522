"""At-least-once delivery: redelivered, concurrent and poison messages still make one ticket each."""
from __future__ import annotations

import json
import threading
import uuid
from typing import Any

import boto3

from chalicelib import settings
from localdev.aws import queue_arn
from localdev.delivery import Poller, sqs_delivery
from localdev.provision import MAX_RECEIVE_COUNT
from tests.support.offline_stack import TICKET_FUNCTION, OfflineStack

QUEUE = settings.SUBMISSIONS_QUEUE


def sqs_event(message_id: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"Records": [{
        "messageId": message_id,
        "receiptHandle": str(uuid.uuid4()),
        "body": json.dumps(body),
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn(QUEUE),
        "awsRegion": "us-east-1",
    }]}


def failed_ids(result: dict[str, Any]) -> set[str]:
    return {item["itemIdentifier"] for item in result["batchItemFailures"]}


class TestSqs:
    def test_redelivered_message_makes_one_ticket(self, fresh_stack: OfflineStack):
        # GIVEN a message SQS hands out three times (the same message id each time)
        event = sqs_event(str(uuid.uuid4()), {"message": "redelivered message"})
        consume = fresh_stack.handler("process_queued_submissions")
        # WHEN the consumer handles every delivery
        results = [consume(event) for _ in range(3)]
        # THEN every delivery succeeds and exactly one ticket exists
        assert all(result == {"batchItemFailures": []} for result in results)
        assert len(fresh_stack.tickets_with_message("redelivered message")) == 1
        assert fresh_stack.ticket_count() == 1

    def test_two_consumers_at_the_same_moment_make_one_ticket(self, fresh_stack: OfflineStack):
        # GIVEN one message held by two consumers at once: the first is inside the workflow
        event = sqs_event(str(uuid.uuid4()), {"message": "held twice"})
        consume = fresh_stack.handler("process_queued_submissions")
        inside, release = threading.Event(), threading.Event()
        generate = fresh_stack.runtime.lambdas.resolve(TICKET_FUNCTION).handler

        def slow_ticket_id(payload: Any, context: Any) -> Any:
            inside.set()
            release.wait(10)
            return generate(payload, context)

        fresh_stack.runtime.register_lambda(TICKET_FUNCTION, slow_ticket_id)
        first: list[dict[str, Any]] = []
        worker = threading.Thread(target=lambda: first.append(consume(event)))
        worker.start()
        assert inside.wait(10)
        # WHEN the second consumer handles the same message meanwhile
        second = consume(event)
        release.set()
        worker.join(10)
        # THEN the second reports the record for redelivery instead of running it again
        assert failed_ids(second) == {event["Records"][0]["messageId"]}
        assert first == [{"batchItemFailures": []}]
        # AND the redelivery finds the first result: one ticket in all
        assert consume(event) == {"batchItemFailures": []}
        assert fresh_stack.ticket_count() == 1

    def test_poison_message_ends_in_the_dlq_and_the_rest_are_processed(self, fresh_stack: OfflineStack):
        # GIVEN the queue with its DLQ after the configured receives, holding three messages and one poison
        sqs = boto3.client("sqs")
        dlq_url = sqs.create_queue(QueueName=f"{QUEUE}-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        queue_url = sqs.create_queue(QueueName=QUEUE, Attributes={
            # Failed records come back at once instead of after the visibility timeout.
            "VisibilityTimeout": "0",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVE_COUNT)}),
        })["QueueUrl"]
        bodies = [json.dumps({"message": f"queued message {number}"}) for number in range(3)]
        for body in [bodies[0], '{"message": 42}', *bodies[1:]]:
            sqs.send_message(QueueUrl=queue_url, MessageBody=body)
        handler = fresh_stack.handler("process_queued_submissions")
        poller = Poller(sqs, queue_url, 10, sqs_delivery(handler, "process_queued_submissions", QUEUE))
        # WHEN the event source mapping polls until the queue is empty
        for _ in range(MAX_RECEIVE_COUNT + 3):
            if not _visible(sqs, queue_url):
                break
            poller.poll_once()
        # THEN every good message made one ticket and only the poison one sits in the DLQ
        assert fresh_stack.ticket_count() == 3
        assert all(len(fresh_stack.tickets_with_message(json.loads(body)["message"])) == 1 for body in bodies)
        dead = sqs.receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10, AttributeNames=["All"])["Messages"]
        assert [message["Body"] for message in dead] == ['{"message": 42}']
        assert int(dead[0]["Attributes"]["ApproximateReceiveCount"]) >= MAX_RECEIVE_COUNT


def _visible(sqs: Any, queue_url: str) -> int:
    attributes = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


class TestEventBridge:
    def test_same_event_delivered_twice_makes_one_ticket(self, fresh_stack: OfflineStack):
        # GIVEN one Contact Form Submitted event delivered twice (same event id)
        event = fresh_stack.api.events.generate_cw_event(
            source=settings.EVENT_SOURCE, detail_type=settings.SUBMITTED_DETAIL_TYPE,
            detail={"message": "event delivered twice"}, resources=[],
        )
        event["id"] = str(uuid.uuid4())
        consume = fresh_stack.handler("process_submission_event")
        # WHEN the consumer handles both deliveries
        consume(event)
        consume(event)
        # THEN one ticket exists
        assert len(fresh_stack.tickets_with_message("event delivered twice")) == 1
        assert fresh_stack.ticket_count() == 1
