"""chalicelib.workflow on its own: request shape, tracing, what is (not) retried."""
from __future__ import annotations

import json
from unittest.mock import Mock

import boto3
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from chalicelib import aws, workflow
from tests.events import load_event
from tests.support.aws_resources import PROJECT_DIR
from tests.support.handlers import STATE_MACHINE_ARN, JsonOf

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


@pytest.fixture
def stepfunctions():
    client = boto3.client("stepfunctions")
    with Stubber(client) as stubber:
        yield client, stubber


class TestStartSyncExecution:
    def test_trace_header_is_passed_when_tracing_is_on(self, stepfunctions, monkeypatch):
        # GIVEN tracing on and a Lambda trace header
        client, stubber = stepfunctions
        monkeypatch.setenv("TRACING_ENABLED", "true")
        monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
        stubber.add_response(
            "start_sync_execution",
            load_event("sync_execution_succeeded"),
            {"stateMachineArn": STATE_MACHINE_ARN, "name": "api-1", "input": JsonOf({"message": "hi"}),
             "traceHeader": TRACE},
        )
        # WHEN the workflow runs
        workflow.run({"message": "hi"}, name="api-1", boto3_client=client, state_machine_arn=STATE_MACHINE_ARN)
        # THEN the request carried the trace header
        stubber.assert_no_pending_responses()

    def test_trace_header_is_left_out_when_tracing_is_off(self, stepfunctions, monkeypatch):
        # GIVEN tracing off even though a trace header exists
        client, stubber = stepfunctions
        monkeypatch.setenv("TRACING_ENABLED", "false")
        monkeypatch.setenv("_X_AMZN_TRACE_ID", TRACE)
        stubber.add_response(
            "start_sync_execution",
            load_event("sync_execution_succeeded"),
            {"stateMachineArn": STATE_MACHINE_ARN, "name": "api-1", "input": JsonOf({"message": "hi"})},
        )
        # WHEN the workflow runs
        workflow.run({"message": "hi"}, name="api-1", boto3_client=client, state_machine_arn=STATE_MACHINE_ARN)
        # THEN no traceHeader was sent (the Stubber rejects unexpected parameters)
        stubber.assert_no_pending_responses()

    def test_read_timeout_is_never_retried(self):
        # GIVEN a call that times out while the execution may be running
        client = Mock(spec=["start_sync_execution"])
        client.start_sync_execution.side_effect = ReadTimeoutError(endpoint_url="https://sync-states")
        # WHEN the workflow runs
        with pytest.raises(workflow.WorkflowTimedOutError):
            workflow.run({"message": "hi"}, name="api-1", boto3_client=client, state_machine_arn=STATE_MACHINE_ARN)
        # THEN exactly one execution was requested
        assert client.start_sync_execution.call_count == 1

    def test_answer_in_an_unexpected_shape_is_a_failure(self, stepfunctions):
        # GIVEN a workflow that answers without a sentiment
        client, stubber = stepfunctions
        answer = load_event("sync_execution_succeeded")
        answer["output"] = '{"ticketId": "CF-7K3M-Q9ZD-4P"}'
        stubber.add_response("start_sync_execution", answer)
        # WHEN the workflow runs
        with pytest.raises(workflow.WorkflowFailedError) as failure:
            workflow.run({"message": "hi"}, name="api-1", boto3_client=client, state_machine_arn=STATE_MACHINE_ARN)
        # THEN the error says so and names the execution
        assert failure.value.error == "InvalidOutput"
        assert failure.value.execution_arn == answer["executionArn"]

    def test_throttling_backs_off_before_each_retry(self, stepfunctions):
        # GIVEN Step Functions throttling twice
        client, stubber = stepfunctions
        stubber.add_client_error("start_sync_execution", "ThrottlingException", http_status_code=400)
        stubber.add_client_error("start_sync_execution", "ThrottlingException", http_status_code=400)
        stubber.add_response("start_sync_execution", load_event("sync_execution_succeeded"))
        sleeps: list[float] = []
        # WHEN the workflow runs
        output = workflow.run(
            {"message": "hi"}, name="api-1", boto3_client=client, state_machine_arn=STATE_MACHINE_ARN,
            sleep=sleeps.append,
        )
        # THEN it slept (briefly) twice and returned the ticket
        assert len(sleeps) == 2 and all(0 <= delay <= 1 for delay in sleeps)
        assert output["ticketId"] == "CF-7K3M-Q9ZD-4P"


class TestExecutionName:
    def test_name_keeps_the_request_id(self):
        assert workflow.execution_name("c6af9ac6-7b61-11e6-9a41-93e8deadbeef", prefix="api-") == (
            "api-c6af9ac6-7b61-11e6-9a41-93e8deadbeef"
        )

    def test_characters_step_functions_refuses_are_dropped(self):
        assert workflow.execution_name("a b/c:d$e", prefix="sqs-") == "sqs-abcde"

    def test_missing_id_falls_back_to_a_random_name(self):
        first, second = workflow.execution_name(None), workflow.execution_name(None)
        assert first != second and len(first) == 32

    def test_name_is_at_most_80_characters(self):
        assert len(workflow.execution_name("x" * 200, prefix="event-")) == 80


class TestStepFunctionsClient:
    def test_waits_longer_than_the_workflow_and_never_retries_by_itself(self, app_clients):
        # GIVEN the workflow's own time limit
        asl = json.loads((PROJECT_DIR / "statemachine" / "contact_form.asl.json").read_text())
        # WHEN the app creates its Step Functions client
        config = aws.client("stepfunctions").meta.config
        # THEN its read timeout outlasts the workflow, and botocore makes one attempt only
        assert asl["TimeoutSeconds"] < config.read_timeout < 29
        assert config.retries["total_max_attempts"] == 1
        assert aws.client("stepfunctions") is aws.client("stepfunctions")
