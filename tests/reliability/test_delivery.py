"""At-least-once delivery: redelivered, concurrent and poison messages still make one ticket each.

The real ASL (stepfunctions_local) behind the real consumers: a delivery's ticket id is derived from
its message or event id, so every redelivery, even after a timeout past the record step, names the
ticket the first one recorded, and the workflow never records or emails a second one.
"""
from __future__ import annotations

import json
import threading
import uuid
from typing import Any, Callable

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError

from chalicelib import settings
from chalicelib.consumers import EVENT_DELIVERY, SQS_DELIVERY, Delivery
from localdev.aws import queue_arn
from localdev.delivery import Poller, sqs_delivery
from localdev.provision import MAX_RECEIVE_COUNT
from tests.support.offline_stack import NOTIFY_FUNCTION, OfflineStack

QUEUE = settings.SUBMISSIONS_QUEUE
UNHAPPY = "This is terrible, awful service and I am angry"
SUCCESS = {"batchItemFailures": []}


class ConsumerTimedOut(BaseException):
    """The consumer's Lambda stopped mid-invocation (as at its timeout): nothing it held is reported."""


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


def submitted_event(stack: OfflineStack, message: str) -> dict[str, Any]:
    event = stack.api.events.generate_cw_event(
        source=settings.EVENT_SOURCE, detail_type=settings.SUBMITTED_DETAIL_TYPE, detail={"message": message},
        resources=[],
    )
    event["id"] = str(uuid.uuid4())
    return event


def notifier_outliving_the_workflow(stack: OfflineStack) -> None:
    """The admin email is sent, then the notifier takes longer than the workflow has left (TIMED_OUT)."""
    notify = stack.handler("notify_admin")

    def slow_notifier(event: Any, context: Any) -> Any:
        answer = notify(event, context)
        stack.clock.advance(30)
        return answer

    stack.runtime.register_lambda(NOTIFY_FUNCTION, slow_notifier)


def processed_events() -> Callable[[], list[dict[str, Any]]]:
    """A queue that receives every ``Contact Form Processed`` event on the default bus."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue_url = sqs.create_queue(QueueName="processed-events")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="processed",
        EventPattern=json.dumps({"source": [settings.EVENT_SOURCE], "detail-type": [settings.PROCESSED_DETAIL_TYPE]}),
    )
    events.put_targets(Rule="processed", Targets=[{"Id": "queue", "Arn": arn}])

    def received() -> list[dict[str, Any]]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"])["detail"] for message in messages]

    return received


class TestSqs:
    def test_redelivered_message_makes_one_ticket_and_one_email(self, fresh_stack: OfflineStack):
        # GIVEN an unhappy message SQS hands out three times (the same message id each time)
        message_id = str(uuid.uuid4())
        event = sqs_event(message_id, {"message": UNHAPPY})
        consume = fresh_stack.handler("process_queued_submissions")
        # WHEN the consumer handles every delivery
        results = [consume(event) for _ in range(3)]
        # THEN every delivery succeeds, and one ticket, under the message's derived id, and one email exist
        assert results == [SUCCESS] * 3
        [ticket] = fresh_stack.tickets()
        assert ticket["ticketId"] == Delivery(SQS_DELIVERY, message_id).ticket_id
        assert len(fresh_stack.emails()) == 1
        # AND the redeliveries read the ticket back instead of running the workflow again
        assert fresh_stack.sfn.calls == 1

    def test_timeout_after_the_record_then_a_redelivery_make_one_ticket_and_one_email(
        self, fresh_stack: OfflineStack
    ):
        # GIVEN a workflow that records the ticket and sends the email, then times out
        notifier_outliving_the_workflow(fresh_stack)
        event = sqs_event(str(uuid.uuid4()), {"message": UNHAPPY})
        consume = fresh_stack.handler("process_queued_submissions")
        # WHEN the message is delivered, and (as if its deletion were lost) delivered again
        results = [consume(event), consume(event)]
        # THEN both deliveries succeed: the timed-out execution's ticket is the message's one ticket
        assert results == [SUCCESS, SUCCESS]
        [ticket] = fresh_stack.tickets()
        assert ticket["notificationStatus"] == "PENDING"  # the execution stopped before noting the email
        assert len(fresh_stack.emails()) == 1
        assert fresh_stack.sfn.calls == 1

    def test_consumer_that_died_after_the_record_leaves_one_ticket_for_the_redelivery(self, fresh_stack: OfflineStack):
        # GIVEN a consumer whose Lambda times out after its workflow recorded the ticket and sent the email
        run = fresh_stack.sfn.start_sync_execution

        def run_then_die(**request: Any) -> Any:
            run(**request)
            raise ConsumerTimedOut()

        fresh_stack.sfn.start_sync_execution = run_then_die  # type: ignore[method-assign]
        event = sqs_event(str(uuid.uuid4()), {"message": UNHAPPY})
        consume = fresh_stack.handler("process_queued_submissions")
        with pytest.raises(ConsumerTimedOut):
            consume(event)
        del fresh_stack.sfn.start_sync_execution
        # WHEN SQS delivers the message again after its visibility timeout
        result = consume(event)
        # THEN it succeeds with the recorded ticket: no second execution, ticket or email
        assert result == SUCCESS
        assert len(fresh_stack.tickets()) == 1
        assert len(fresh_stack.emails()) == 1
        assert fresh_stack.sfn.calls == 1

    def test_answer_lost_after_the_record_is_a_success(self, fresh_stack: OfflineStack):
        # GIVEN a StartSyncExecution whose execution completes but whose answer never arrives (read timeout)
        run = fresh_stack.sfn.start_sync_execution

        def run_then_lose_the_answer(**request: Any) -> Any:
            run(**request)
            raise ReadTimeoutError(endpoint_url="https://sync-states.us-east-1.amazonaws.com/")

        fresh_stack.sfn.start_sync_execution = run_then_lose_the_answer  # type: ignore[method-assign]
        # WHEN the message is processed
        result = fresh_stack.handler("process_queued_submissions")(sqs_event(str(uuid.uuid4()), {"message": UNHAPPY}))
        # THEN the ticket read back makes it a success: SQS will not redeliver it
        assert result == SUCCESS
        assert len(fresh_stack.tickets()) == 1
        assert len(fresh_stack.emails()) == 1

    def test_two_consumers_at_the_same_moment_make_one_ticket_and_one_email(self, fresh_stack: OfflineStack):
        # GIVEN one message held by two consumers at once: the first is inside the workflow, before its record
        event = sqs_event(str(uuid.uuid4()), {"message": UNHAPPY})
        consume = fresh_stack.handler("process_queued_submissions")
        inside, release = threading.Event(), threading.Event()

        def hold_the_first(text: str) -> None:
            if not inside.is_set():
                inside.set()
                release.wait(10)

        fresh_stack.sentiment.before = hold_the_first
        first: list[dict[str, Any]] = []
        worker = threading.Thread(target=lambda: first.append(consume(event)))
        worker.start()
        assert inside.wait(10)
        # WHEN the second consumer handles the same message meanwhile, then the first goes on
        second = consume(event)
        release.set()
        worker.join(10)
        # THEN both succeed: the first's execution found the ticket taken and stopped before any email
        assert (first, second) == ([SUCCESS], SUCCESS)
        assert fresh_stack.sfn.calls == 2
        assert len(fresh_stack.tickets()) == 1
        assert len(fresh_stack.emails()) == 1

    def test_two_messages_with_the_same_body_make_two_tickets(self, fresh_stack: OfflineStack):
        # GIVEN two customers sending the same text (two messages, two message ids)
        consume = fresh_stack.handler("process_queued_submissions")
        # WHEN both are processed
        results = [consume(sqs_event(str(uuid.uuid4()), {"message": UNHAPPY})) for _ in range(2)]
        # THEN each has its own ticket and email
        assert results == [SUCCESS, SUCCESS]
        assert len(fresh_stack.tickets_with_message(UNHAPPY)) == 2
        assert len(fresh_stack.emails()) == 2

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
    def test_same_event_delivered_twice_makes_one_ticket_and_publishes_it_twice(self, fresh_stack: OfflineStack):
        # GIVEN one unhappy Contact Form Submitted event delivered twice (same event id)
        published = processed_events()
        event = submitted_event(fresh_stack, UNHAPPY)
        consume = fresh_stack.handler("process_submission_event")
        # WHEN the consumer handles both deliveries
        consume(event)
        consume(event)
        # THEN one ticket and one email exist, and both deliveries publish its answer (at least once)
        [ticket] = fresh_stack.tickets()
        assert ticket["ticketId"] == Delivery(EVENT_DELIVERY, event["id"]).ticket_id
        answers = published()
        assert [answer["ticketId"] for answer in answers] == [ticket["ticketId"]] * 2
        assert answers[0] == answers[1]
        assert len(fresh_stack.emails()) == 1

    def test_retry_after_a_timeout_past_the_record_makes_one_ticket(self, fresh_stack: OfflineStack):
        # GIVEN a workflow that records the ticket and sends the email, then times out
        notifier_outliving_the_workflow(fresh_stack)
        published = processed_events()
        event = submitted_event(fresh_stack, UNHAPPY)
        consume = fresh_stack.handler("process_submission_event")
        # WHEN the event is handled, and EventBridge retries it (same event id)
        consume(event)
        consume(event)
        # THEN both publish the recorded ticket; one ticket, one email, one execution
        [ticket] = fresh_stack.tickets()
        assert [answer["ticketId"] for answer in published()] == [ticket["ticketId"]] * 2
        assert len(fresh_stack.emails()) == 1
        assert fresh_stack.sfn.calls == 1

    def test_two_events_with_the_same_detail_make_two_tickets(self, fresh_stack: OfflineStack):
        # GIVEN two submitted events carrying the same text (two event ids)
        published = processed_events()
        consume = fresh_stack.handler("process_submission_event")
        # WHEN both are handled
        for _ in range(2):
            consume(submitted_event(fresh_stack, UNHAPPY))
        # THEN each has its own ticket, and each is published
        assert len(fresh_stack.tickets_with_message(UNHAPPY)) == 2
        assert len({answer["ticketId"] for answer in published()}) == 2
