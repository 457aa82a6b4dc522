"""The SQS batch consumer and the EventBridge consumer, with moto and a stubbed workflow.

The stub never records a ticket: a test that needs one recorded (by an earlier delivery or by a
timed-out execution) writes it into moto's tickets table as the workflow's record step would.
"""
from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import ANY

from chalicelib import aws, forms, settings, tickets
from chalicelib.consumers import EVENT_DELIVERY, SQS_DELIVERY, Delivery
from tests.events import load_event
from tests.support.handlers import STATE_MACHINE_ARN, JsonOf, Matches, expect_execution

# The delivery's ticket is read back from moto's DynamoDB.
pytestmark = pytest.mark.usefixtures("aws_services")

WORKFLOW_OUTPUT = json.loads(load_event("sync_execution_succeeded")["output"])
FIRST_MESSAGE_ID = "0b7c6a4e-0000-4000-8000-000000000001"


def record_ticket(delivery: Delivery, *, key_hash: str | None = None) -> dict[str, Any]:
    """The delivery's ticket as the workflow's record step writes it; returns its answer."""
    answer = {**WORKFLOW_OUTPUT, "ticketId": delivery.ticket_id}
    boto3.client("dynamodb").put_item(TableName=settings.tickets_table(), Item={
        "ticketId": {"S": delivery.ticket_id},
        "message": {"S": "Hello"},
        "sentiment": {"S": answer["sentiment"]},
        "sentimentScore": {"M": {name: {"N": str(value)} for name, value in answer["sentimentScore"].items()}},
        "idempotencyKeyHash": {"S": key_hash if key_hash is not None else delivery.key_hash},
    })
    return answer


def failed_execution(error: str) -> dict[str, Any]:
    response = load_event("sync_execution_failed")
    response["error"] = error
    return response


def record_ticket_during_the_execution(delivery: Delivery) -> None:
    """Another consumer (or the execution itself) records the ticket while StartSyncExecution runs."""
    aws.client("stepfunctions").meta.events.register_first(
        "before-parameter-build.sfn.StartSyncExecution", lambda **_: record_ticket(delivery)
    )


def sqs_event(client, *bodies: object) -> dict:
    """An SQS batch whose records have distinct message ids (Chalice's helper repeats one)."""
    raw = [body if isinstance(body, str) else json.dumps(body) for body in bodies]
    event = client.events.generate_sqs_event(message_bodies=raw, queue_name=settings.SUBMISSIONS_QUEUE)
    for number, record in enumerate(event["Records"], start=1):
        record["messageId"] = f"0b7c6a4e-0000-4000-8000-00000000000{number}"
    return event


def submitted_event(client, detail: object) -> dict:
    return client.events.generate_cw_event(
        source=settings.EVENT_SOURCE, detail_type=settings.SUBMITTED_DETAIL_TYPE, detail=detail, resources=[]
    )


@pytest.fixture
def processed_events(aws_services):
    """A queue that receives every ``Contact Form Processed`` event on the default bus."""
    sqs, events = boto3.client("sqs"), boto3.client("events")
    queue_url = sqs.create_queue(QueueName="processed-events")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(
        Name="processed",
        EventPattern=json.dumps({"source": [settings.EVENT_SOURCE], "detail-type": [settings.PROCESSED_DETAIL_TYPE]}),
    )
    events.put_targets(Rule="processed", Targets=[{"Id": "queue", "Arn": queue_arn}])

    def received() -> list[dict]:
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
        return [json.loads(message["Body"]) for message in messages]

    return received


class TestDelivery:
    def test_ticket_id_is_derived_from_the_namespaced_delivery_id(self):
        # GIVEN one delivery id seen as an SQS message and as an EventBridge event
        message, event = Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID), Delivery(EVENT_DELIVERY, FIRST_MESSAGE_ID)
        # THEN each always names the same ticket, in the ticket id format, and the two never share one
        assert message.ticket_id == Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID).ticket_id
        assert tickets.is_ticket_id(message.ticket_id) and tickets.is_ticket_id(event.ticket_id)
        assert message.ticket_id != event.ticket_id
        assert message.ticket_id != Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID[:-1] + "2").ticket_id

    def test_ticket_id_is_the_first_fifty_bits_of_the_sha256_in_crockford_base32(self):
        # GIVEN a digest whose first 50 bits are 0, 1, ..., 31, 0, 1 ... in 5-bit groups, highest first
        digest = format(int("".join(format(n % 32, "05b") for n in range(10)), 2) << 2, "013x") + "f" * 51
        # THEN the id lists the groups lowest first, as new_ticket_id does for random bits
        assert tickets.ticket_id_for(digest) == "CF-9876-5432-10"


class TestQueuedSubmissions:
    def test_each_valid_record_runs_the_workflow_under_its_derived_ticket_id(self, client, sfn):
        # GIVEN a workflow that succeeds
        delivery = Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID)
        expect_execution(sfn, input=JsonOf({"message": "Hello", "source": "sqs", "ticketId": delivery.ticket_id,
                                            "idempotencyKeyHash": delivery.key_hash}),
                         name=f"sqs-{FIRST_MESSAGE_ID}")
        # WHEN one valid record arrives
        result = client.lambda_.invoke("process_queued_submissions", sqs_event(client, {"message": " Hello "})).payload
        # THEN nothing is reported for redelivery
        assert result == {"batchItemFailures": []}
        sfn.assert_no_pending_responses()

    def test_invalid_records_are_reported_as_failures(self, client, sfn):
        # GIVEN a batch with a valid record between a poison one and an invalid one
        expect_execution(sfn)
        event = sqs_event(client, "not json", {"message": "Hello"}, {"message": "hi", "phone": "1"})
        # WHEN the batch is processed
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN only the two bad records go back to the queue (and later to the DLQ)
        assert result == {"batchItemFailures": [
            {"itemIdentifier": event["Records"][0]["messageId"]},
            {"itemIdentifier": event["Records"][2]["messageId"]},
        ]}
        sfn.assert_no_pending_responses()

    def test_failed_workflow_reports_the_record_for_redelivery(self, client, sfn):
        # GIVEN a workflow that fails before its record step
        expect_execution(sfn, "sync_execution_failed")
        event = sqs_event(client, {"message": "Hello"})
        # WHEN the batch is processed
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN the record will be delivered again
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}

    def test_redelivery_of_a_recorded_message_succeeds_without_a_workflow(self, client, sfn):
        # GIVEN a message whose ticket an earlier delivery recorded
        record_ticket(Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID))
        # WHEN SQS delivers it again (no workflow answer is stubbed)
        result = client.lambda_.invoke("process_queued_submissions", sqs_event(client, {"message": "Hello"})).payload
        # THEN it succeeds from the recorded ticket, without a new execution
        assert result == {"batchItemFailures": []}
        sfn.assert_no_pending_responses()

    def test_timed_out_execution_that_recorded_the_ticket_is_a_success(self, client, sfn):
        # GIVEN a workflow that records the ticket, then runs past its time limit
        delivery = Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID)
        expect_execution(sfn, "sync_execution_timed_out")
        record_ticket_during_the_execution(delivery)
        # WHEN the message is processed
        result = client.lambda_.invoke("process_queued_submissions", sqs_event(client, {"message": "Hello"})).payload
        # THEN the message is done: SQS will not deliver it again for a second ticket
        assert result == {"batchItemFailures": []}

    def test_timed_out_execution_that_recorded_nothing_is_redelivered(self, client, sfn):
        # GIVEN a workflow that runs past its time limit before its record step
        expect_execution(sfn, "sync_execution_timed_out")
        event = sqs_event(client, {"message": "Hello"})
        # WHEN the message is processed
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN it goes back to the queue (its redelivery runs under the same ticket id)
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}

    def test_ticket_already_recorded_by_a_concurrent_consumer_is_a_success(self, client, sfn):
        # GIVEN a second consumer holding the same message that records its ticket while this one's workflow runs
        delivery = Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID)
        sfn.add_response("start_sync_execution", failed_execution("ContactForm.TicketAlreadyRecorded"), {
            "stateMachineArn": STATE_MACHINE_ARN, "name": ANY,
            "input": JsonOf({"message": "Hello", "source": "sqs", "ticketId": delivery.ticket_id,
                             "idempotencyKeyHash": delivery.key_hash}),
        })
        record_ticket_during_the_execution(delivery)
        # WHEN this consumer's workflow stops at the taken ticket id
        result = client.lambda_.invoke("process_queued_submissions", sqs_event(client, {"message": "Hello"})).payload
        # THEN the message is done, answered by the recorded ticket
        assert result == {"batchItemFailures": []}
        sfn.assert_no_pending_responses()

    def test_ticket_id_taken_by_another_submission_is_not_taken_for_this_one(self, client, sfn):
        # GIVEN the derived ticket id recorded for another key (a 50-bit collision)
        delivery = Delivery(SQS_DELIVERY, FIRST_MESSAGE_ID)
        record_ticket(delivery, key_hash="0" * 64)
        sfn.add_response("start_sync_execution", failed_execution("ContactForm.TicketAlreadyRecorded"))
        event = sqs_event(client, {"message": "Hello"})
        # WHEN the message is processed
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN it is not answered with the other ticket: it fails (and ends in the DLQ)
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}

    def test_retry_after_a_failed_workflow_runs_it_again(self, client, sfn):
        # GIVEN a message whose first workflow run failed
        expect_execution(sfn, "sync_execution_failed")
        expect_execution(sfn)
        event = sqs_event(client, {"message": "Hello"})
        client.lambda_.invoke("process_queued_submissions", event)
        # WHEN it is delivered again
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN the workflow runs again and succeeds
        assert result == {"batchItemFailures": []}
        sfn.assert_no_pending_responses()

    def test_same_body_in_two_messages_gets_two_ticket_ids(self, client, sfn):
        # GIVEN two customers sending the same text
        inputs: list[dict] = []
        aws.client("stepfunctions").meta.events.register_first(
            "before-parameter-build.sfn.StartSyncExecution",
            lambda params, **_: inputs.append(json.loads(params["input"])),
        )
        expect_execution(sfn)
        expect_execution(sfn)
        # WHEN both messages arrive in one batch
        result = client.lambda_.invoke(
            "process_queued_submissions", sqs_event(client, {"message": "Hello"}, {"message": "Hello"})
        ).payload
        # THEN each runs the workflow under a ticket id of its own
        assert result == {"batchItemFailures": []}
        assert len({document["ticketId"] for document in inputs}) == 2
        sfn.assert_no_pending_responses()


class TestSubmittedEvents:
    def test_event_runs_the_workflow_and_publishes_its_output(self, client, sfn, processed_events):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "This is bad service", "source": "eventbridge",
                                            "ticketId": Matches(tickets.TICKET_ID_PATTERN.pattern),
                                            "idempotencyKeyHash": Matches("[0-9a-f]{64}")}),
                         name=Matches(r"event-[0-9a-f-]{36}"))
        # WHEN a Contact Form Submitted event arrives
        client.lambda_.invoke("process_submission_event", submitted_event(client, {"message": "This is bad service"}))
        # THEN one Contact Form Processed event carries exactly the workflow output
        [published] = processed_events()
        assert published["source"] == settings.EVENT_SOURCE
        assert published["detail-type"] == settings.PROCESSED_DETAIL_TYPE
        assert published["detail"] == WORKFLOW_OUTPUT

    def test_redelivered_event_publishes_the_recorded_ticket_without_a_workflow(self, client, sfn, processed_events):
        # GIVEN an event whose ticket an earlier delivery recorded
        event = submitted_event(client, {"message": "Hello"})
        answer = record_ticket(Delivery(EVENT_DELIVERY, event["id"]))
        # WHEN it is delivered again (no workflow answer is stubbed)
        client.lambda_.invoke("process_submission_event", event)
        # THEN the recorded ticket's answer is published again, from no new execution
        assert [published["detail"] for published in processed_events()] == [answer]
        sfn.assert_no_pending_responses()

    def test_timed_out_execution_that_recorded_the_ticket_publishes_it(self, client, sfn, processed_events):
        # GIVEN a workflow that records the ticket, then runs past its time limit
        event = submitted_event(client, {"message": "Hello"})
        delivery = Delivery(EVENT_DELIVERY, event["id"])
        expect_execution(sfn, "sync_execution_timed_out")
        record_ticket_during_the_execution(delivery)
        # WHEN the event is processed
        client.lambda_.invoke("process_submission_event", event)
        # THEN the recorded ticket is published as processed
        assert [published["detail"]["ticketId"] for published in processed_events()] == [delivery.ticket_id]

    def test_invalid_detail_is_refused_without_a_workflow(self, client, sfn, processed_events):
        # WHEN the event's detail is not a valid submission
        with pytest.raises(forms.InvalidSubmissionError) as refusal:
            client.lambda_.invoke("process_submission_event", submitted_event(client, {"text": "hi"}))
        # THEN the field is named and nothing is published
        assert refusal.value.field == "text"
        assert processed_events() == []
