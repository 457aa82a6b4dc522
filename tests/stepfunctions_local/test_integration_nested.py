"""Workflows starting workflows in the same Runtime: startExecution, .sync, .sync:2, aws-sdk:sfn."""
from __future__ import annotations

import json

import pytest

from .service_support import create, definition, pass_through, task

CHILD = "arn:aws:states:us-east-1:000000000000:stateMachine:child"


def _run_parent(runtime, sfn, resource: str, parameters: dict, payload: dict) -> dict:
    parent = create(sfn, "parent", task(resource, parameters), "STANDARD")
    arn = sfn.start_execution(stateMachineArn=parent, input=json.dumps(payload))["executionArn"]
    assert runtime.wait_for(arn, timeout=10)
    return sfn.describe_execution(executionArn=arn)


@pytest.mark.parametrize("child_type", ["STANDARD", "EXPRESS"])
def test_sync_returns_describe_execution_with_output_as_text(runtime, sfn, child_type):
    # GIVEN a child machine that adds a field
    create(sfn, "child", definition({"Add": {"Type": "Pass", "Result": "done", "ResultPath": "$.child",
                                             "End": True}}), child_type)
    # WHEN a Standard parent runs it with .sync
    parent = _run_parent(runtime, sfn, "arn:aws:states:::states:startExecution.sync",
                         {"StateMachineArn": CHILD, "Input": {"x.$": "$.x"}}, {"x": 1})
    # THEN the parent's result is DescribeExecution, PascalCase, with Output as JSON text
    output = json.loads(parent["output"])
    assert output["Status"] == "SUCCEEDED"
    assert json.loads(output["Output"]) == {"x": 1, "child": "done"}
    assert output["StateMachineArn"] == CHILD
    assert isinstance(output["StartDate"], int) and isinstance(output["StopDate"], int)


def test_sync2_parses_input_and_output(runtime, sfn):
    # GIVEN a child machine
    create(sfn, "child", pass_through(), "STANDARD")
    # WHEN the parent runs it with .sync:2
    parent = _run_parent(runtime, sfn, "arn:aws:states:::states:startExecution.sync:2",
                         {"StateMachineArn": CHILD, "Input": {"x": 2}}, {})
    # THEN Output and Input are JSON values
    output = json.loads(parent["output"])
    assert output["Output"] == {"x": 2} and output["Input"] == {"x": 2}


def test_child_failure_fails_task_with_describe_execution_cause(runtime, sfn):
    # GIVEN a child that fails
    create(sfn, "child", definition({"No": {"Type": "Fail", "Error": "Child", "Cause": "broken"}}), "STANDARD")
    # WHEN the parent runs it with .sync
    parent = _run_parent(runtime, sfn, "arn:aws:states:::states:startExecution.sync",
                         {"StateMachineArn": CHILD}, {})
    # THEN the parent fails with States.TaskFailed and the child's description as cause
    assert (parent["status"], parent["error"]) == ("FAILED", "States.TaskFailed")
    cause = json.loads(parent["cause"])
    assert (cause["Status"], cause["Error"], cause["Cause"]) == ("FAILED", "Child", "broken")


def test_request_response_start_returns_arn_and_date(runtime, sfn):
    # GIVEN a child machine
    create(sfn, "child", pass_through(), "STANDARD")
    # WHEN the parent only starts it
    parent = _run_parent(runtime, sfn, "arn:aws:states:::states:startExecution",
                         {"StateMachineArn": CHILD, "Name": "kid"}, {})
    # THEN the child's ARN and start date come back, with the SDK's response metadata (AWS-recorded)
    output = json.loads(parent["output"])
    assert output["ExecutionArn"] == "arn:aws:states:us-east-1:000000000000:execution:child:kid"
    assert set(output) == {"ExecutionArn", "StartDate", "SdkHttpMetadata", "SdkResponseMetadata"}


def test_missing_child_is_named_like_the_sdk(runtime, sfn):
    # GIVEN no child machine
    # WHEN the parent starts it
    parent = _run_parent(runtime, sfn, "arn:aws:states:::states:startExecution.sync",
                         {"StateMachineArn": CHILD}, {})
    # THEN the error is the SDK's StateMachineDoesNotExist
    assert parent["error"] == "StepFunctions.StateMachineDoesNotExistException"


def test_aws_sdk_start_sync_execution_runs_express_child(runtime, sfn):
    # GIVEN an Express child
    create(sfn, "child", pass_through(), "EXPRESS")
    # WHEN an Express parent calls aws-sdk:sfn:startSyncExecution
    text = task("arn:aws:states:::aws-sdk:sfn:startSyncExecution",
                {"StateMachineArn": CHILD, "Input.$": "States.JsonToString($)"})
    parent = create(sfn, "parent", text, "EXPRESS")
    response = sfn.start_sync_execution(stateMachineArn=parent, input='{"v": 5}')
    # THEN the child's result comes back PascalCase
    output = json.loads(response["output"])
    assert output["Status"] == "SUCCEEDED"
    assert json.loads(output["Output"]) == {"v": 5}
    assert output["BillingDetails"]["BilledMemoryUsedInMB"] == 64


def test_aws_sdk_sfn_error_is_named_sfn(runtime, sfn):
    # GIVEN a Standard child (StartSyncExecution refuses those)
    create(sfn, "child", pass_through(), "STANDARD")
    # WHEN an Express parent calls startSyncExecution on it
    parent = create(sfn, "parent", task("arn:aws:states:::aws-sdk:sfn:startSyncExecution",
                                        {"StateMachineArn": CHILD}), "EXPRESS")
    response = sfn.start_sync_execution(stateMachineArn=parent)
    # THEN the error uses the SDK v2 name
    assert response["error"] == "Sfn.StateMachineTypeNotSupportedException"
