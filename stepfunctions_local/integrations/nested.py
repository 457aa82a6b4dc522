"""Workflows started from workflows, in the same Runtime.

``states:startExecution`` (request/response, ``.sync``, ``.sync:2``) goes through the SDK v1 in
Step Functions: dates are epoch milliseconds. ``aws-sdk:sfn:*`` goes through the SDK v2:
ISO dates, errors named ``Sfn.<Code>Exception``.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import botocore.session

from stepfunctions_local.api_errors import OPERATIONS, ApiError
from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.integrations.aws_sdk import from_boto, to_boto
from stepfunctions_local.integrations.optimized import sdk_metadata
from stepfunctions_local.types import Submitted

if TYPE_CHECKING:
    from stepfunctions_local.service import Runtime

_DESCRIBE_KEYS = ("executionArn", "input", "inputDetails", "name", "output", "outputDetails", "startDate",
                  "stateMachineArn", "status", "stopDate", "error", "cause", "redriveCount", "redriveDate",
                  "redriveStatus", "redriveStatusReason")


@lru_cache(maxsize=1)
def _sfn_model() -> Any:
    return botocore.session.get_session().get_service_model("stepfunctions")


def start_execution(runtime: Runtime, parameters: Any, pattern: str) -> Any:
    """``arn:aws:states:::states:startExecution`` with pattern '', '.sync' or '.sync:2'."""
    parameters = parameters or {}
    child_input = parameters.get("Input", {})
    if child_input is None:  # AWS-recorded: a null Input starts the child on {}
        child_input = {}
    if not isinstance(child_input, str):
        child_input = json.dumps(child_input, separators=(",", ":"), ensure_ascii=False)
    arguments = {"stateMachineArn": parameters.get("StateMachineArn", ""), "input": child_input}
    if "Name" in parameters:
        arguments["name"] = parameters["Name"]
    try:
        machine = runtime.describe_state_machine(stateMachineArn=arguments["stateMachineArn"]) if pattern else None
        if machine is not None and machine["type"] == "EXPRESS":
            done = runtime.start_sync_execution(**arguments)
            done.pop("billingDetails")
            return _result(done, pattern)
        started = runtime.start_execution(**arguments)
    except ApiError as error:
        raise _sdk_v1_error(error) from None
    if not pattern:
        return _started(started)
    # AWS-recorded: a .sync task records the StartExecution answer (TaskSubmitted) before it waits
    return Submitted(_started(started), lambda: _result(_finished(runtime, started["executionArn"]), pattern))


def _started(started: dict) -> dict:
    """StartExecution's answer through the SDK v1, with its response metadata (AWS-recorded)."""
    body = json.dumps({"executionArn": started["executionArn"], "startDate": started["startDate"].timestamp()},
                      separators=(",", ":"))
    return {"ExecutionArn": started["executionArn"], "StartDate": _millis(started["startDate"]),
            **sdk_metadata("application/x-amz-json-1.0", "connection", str(uuid.uuid4()), len(body))}


def _finished(runtime: Runtime, arn: str) -> dict:
    runtime.wait_for(arn)
    return runtime.describe_execution(executionArn=arn)


def _result(done: dict, pattern: str) -> dict:
    """The finished child as DescribeExecution through the SDK v1 (``.sync:2``: input and output as JSON)."""
    description = {key: done[key] for key in _DESCRIBE_KEYS if key in done}
    if pattern == ".sync:2":
        for key in ("input", "output"):
            if key in description:
                description[key] = json.loads(description[key])
    result = {key[:1].upper() + key[1:]: _v1_value(value) for key, value in description.items()}
    for details in ("InputDetails", "OutputDetails"):
        if details in result:
            result[details] = {"Included": result[details]["included"]}
    if description["status"] != "SUCCEEDED":
        raise StatesError("States.TaskFailed", json.dumps(result, separators=(",", ":"), ensure_ascii=False))
    return result


def call_sfn_sdk(runtime: Runtime, action: str, parameters: Any) -> Any:
    """``arn:aws:states:::aws-sdk:sfn:<action>`` answered by this Runtime instead of over HTTP."""
    model = _sfn_model()
    operation_name = next((name for name in OPERATIONS if name.lower() == action.lower()), None)
    if operation_name is None:
        raise StatesError("States.Runtime", f"The API action '{action}' is not supported for service 'sfn'")
    operation = model.operation_model(operation_name)
    try:
        response = runtime.invoke(operation_name, to_boto(parameters or {}, operation.input_shape))
    except ApiError as error:
        raise StatesError(f"Sfn.{error.code}Exception",
                          f"{error.message} (Service: Sfn, Status Code: 400, Request ID: {uuid.uuid4()})") from None
    return from_boto(response, operation.output_shape)


def _sdk_v1_error(error: ApiError) -> StatesError:
    cause = (f"{error.message} (Service: AWSStepFunctions; Status Code: 400; Error Code: {error.code}; "
             f"Request ID: {uuid.uuid4()}; Proxy: null)")
    return StatesError(f"StepFunctions.{error.code}Exception", cause)


def _v1_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return _millis(value)
    return value


def _millis(value: datetime) -> int:
    return int(value.timestamp() * 1000)
