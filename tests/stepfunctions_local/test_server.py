"""The HTTP endpoint speaks AWS JSON 1.0: unchanged boto3 works against it."""
from __future__ import annotations

import json
import urllib.request
from datetime import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from stepfunctions_local import Runtime, serve

from .service_support import create, definition, pass_through


@pytest.fixture(scope="module")
def server():
    running = serve(Runtime(), host="127.0.0.1", port=0)
    yield running
    running.shutdown()


@pytest.fixture
def sfn(server):
    return boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                        config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))


def _post(server, target: str, body: bytes) -> tuple[int, dict]:
    request = urllib.request.Request(server.url, data=body, method="POST", headers={
        "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_boto3_start_sync_execution_round_trip(sfn):
    # GIVEN an Express machine created over HTTP
    arn = create(sfn, "http-flow", definition({"Hi": {"Type": "Pass", "Result": {"hi": "✓"}, "End": True}}))
    # WHEN boto3 runs it synchronously
    response = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
    # THEN boto3 parses the answer, dates included
    assert response["status"] == "SUCCEEDED"
    assert json.loads(response["output"]) == {"hi": "✓"}
    assert isinstance(response["startDate"], datetime)
    assert response["billingDetails"]["billedMemoryUsedInMB"] == 64


def test_boto3_sees_modelled_errors(sfn):
    # GIVEN no such machine
    # WHEN boto3 describes it
    with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
        sfn.describe_state_machine(stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:none")
    # THEN the code and message come through as AWS sends them
    assert error.value.response["Error"]["Message"].startswith("State Machine Does Not Exist")
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_boto3_invalid_definition_is_client_error(sfn):
    # GIVEN a definition with no states
    # WHEN boto3 creates it
    with pytest.raises(ClientError) as error:
        sfn.create_state_machine(name="broken", definition="{}", roleArn="arn:aws:iam::000000000000:role/r")
    # THEN InvalidDefinition arrives
    assert error.value.response["Error"]["Code"] == "InvalidDefinition"


def test_boto3_standard_execution_history_over_http(server, sfn):
    # GIVEN a Standard machine and a finished execution
    arn = create(sfn, "http-standard", pass_through(), "STANDARD")
    execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert server.runtime.wait_for(execution_arn, timeout=10)
    # WHEN boto3 reads the history
    events = sfn.get_execution_history(executionArn=execution_arn)["events"]
    # THEN events with datetimes arrive in order
    assert events[0]["type"] == "ExecutionStarted" and events[-1]["type"] == "ExecutionSucceeded"
    assert isinstance(events[0]["timestamp"], datetime)


def test_unknown_operation_is_aws_error_document(server):
    # GIVEN a raw request for an operation that does not exist
    # WHEN it is posted
    status, body = _post(server, "AWSStepFunctions.Teleport", b"{}")
    # THEN AWS's JSON error document comes back with 400
    assert status == 400
    assert body["__type"] == "UnknownOperationException"


def test_malformed_body_is_serialization_exception(server):
    # GIVEN a request whose body is not JSON
    # WHEN it is posted
    status, body = _post(server, "AWSStepFunctions.ListStateMachines", b"{oops")
    # THEN it is refused as AWS would
    assert (status, body["__type"]) == (400, "SerializationException")


def test_missing_required_parameter_is_validation_exception(server):
    # GIVEN a StartSyncExecution without stateMachineArn
    # WHEN it is posted raw
    status, body = _post(server, "AWSStepFunctions.StartSyncExecution", b"{}")
    # THEN it is a ValidationException
    assert (status, body["__type"]) == (400, "ValidationException")
