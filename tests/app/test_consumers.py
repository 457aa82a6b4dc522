"""The SQS batch consumer and the EventBridge consumer, with moto and a stubbed workflow."""
from __future__ import annotations

import json

import boto3
import pytest

from chalicelib import aws, forms, settings
from tests.events import load_event
from tests.support.handlers import JsonOf, Matches, expect_execution

# Idempotency records live in moto's DynamoDB.
pytestmark = pytest.mark.usefixtures("aws_services")

WORKFLOW_OUTPUT = json.loads(load_event("sync_execution_succeeded")["output"])


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


class TestQueuedSubmissions:
    def test_each_valid_record_runs_the_workflow(self, client, sfn):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "Hello", "source": "sqs"}),
                         name="sqs-0b7c6a4e-0000-4000-8000-000000000001")
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
        # GIVEN a workflow that fails
        expect_execution(sfn, "sync_execution_failed")
        event = sqs_event(client, {"message": "Hello"})
        # WHEN the batch is processed
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN the record will be delivered again
        assert result == {"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}

    def test_redelivery_does_not_start_a_second_workflow(self, client, sfn):
        # GIVEN a message that was already processed once
        expect_execution(sfn)
        event = sqs_event(client, {"message": "Hello"})
        client.lambda_.invoke("process_queued_submissions", event)
        # WHEN SQS delivers the same message again (no second workflow answer is stubbed)
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN it succeeds from the stored result, without a new execution
        assert result == {"batchItemFailures": []}
        sfn.assert_no_pending_responses()

    def test_concurrent_consumer_of_the_same_message_backs_off(self, client, sfn):
        # GIVEN a second consumer receiving the same message while the first one's workflow runs
        expect_execution(sfn)
        event = sqs_event(client, {"message": "Hello"})
        concurrent: list[dict] = []

        def second_consumer(**_):
            if not concurrent:
                concurrent.append(client.lambda_.invoke("process_queued_submissions", event).payload)

        aws.client("stepfunctions").meta.events.register_first(
            "before-parameter-build.sfn.StartSyncExecution", second_consumer
        )
        # WHEN the first consumer processes the batch
        result = client.lambda_.invoke("process_queued_submissions", event).payload
        # THEN the second one handed the message back instead of starting a second workflow
        assert result == {"batchItemFailures": []}
        assert concurrent == [{"batchItemFailures": [{"itemIdentifier": event["Records"][0]["messageId"]}]}]
        sfn.assert_no_pending_responses()

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


class TestSubmittedEvents:
    def test_event_runs_the_workflow_and_publishes_its_output(self, client, sfn, processed_events):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "This is bad service", "source": "eventbridge"}),
                         name=Matches(r"event-[0-9a-f-]{36}"))
        # WHEN a Contact Form Submitted event arrives
        client.lambda_.invoke("process_submission_event", submitted_event(client, {"message": "This is bad service"}))
        # THEN one Contact Form Processed event carries exactly the workflow output
        [published] = processed_events()
        assert published["source"] == settings.EVENT_SOURCE
        assert published["detail-type"] == settings.PROCESSED_DETAIL_TYPE
        assert published["detail"] == WORKFLOW_OUTPUT

    def test_redelivered_event_publishes_again_without_a_second_workflow(self, client, sfn, processed_events):
        # GIVEN an event that was processed once
        expect_execution(sfn)
        event = submitted_event(client, {"message": "Hello"})
        client.lambda_.invoke("process_submission_event", event)
        # WHEN it is delivered again (no second workflow answer is stubbed)
        client.lambda_.invoke("process_submission_event", event)
        # THEN the same output is published twice, from one execution
        assert [published["detail"] for published in processed_events()] == [WORKFLOW_OUTPUT, WORKFLOW_OUTPUT]
        sfn.assert_no_pending_responses()

    def test_invalid_detail_is_refused_without_a_workflow(self, client, sfn, processed_events):
        # WHEN the event's detail is not a valid submission
        with pytest.raises(forms.InvalidSubmissionError) as refusal:
            client.lambda_.invoke("process_submission_event", submitted_event(client, {"text": "hi"}))
        # THEN the field is named and nothing is published
        assert refusal.value.field == "text"
        assert processed_events() == []
