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

if TYPE_CHECKING:
    from stepfunctions_local.service import Runtime

_DESCRIBE_KEYS = ("executionArn", "input", "inputDetails", "name", "output", "outputDetails", "startDate",
                  "stateMachineArn", "status", "stopDate", "error", "cause", "redriveCount", "redriveStatus")


@lru_cache(maxsize=1)
def _sfn_model() -> Any:
    return botocore.session.get_session().get_service_model("stepfunctions")


def start_execution(runtime: Runtime, parameters: Any, pattern: str) -> dict:
    """``arn:aws:states:::states:startExecution`` with pattern '', '.sync' or '.sync:2'."""
    parameters = parameters or {}
    child_input = parameters.get("Input", {})
    if not isinstance(child_input, str):
        child_input = json.dumps(child_input, separators=(",", ":"), ensure_ascii=False)
    arguments = {"stateMachineArn": parameters.get("StateMachineArn", ""), "input": child_input}
    if "Name" in parameters:
        arguments["name"] = parameters["Name"]
    try:
        if not pattern:
            started = runtime.start_execution(**arguments)
            return {"ExecutionArn": started["executionArn"], "StartDate": _millis(started["startDate"])}
        description = _run_to_completion(runtime, arguments)
    except ApiError as error:
        raise _sdk_v1_error(error) from None
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


def _run_to_completion(runtime: Runtime, arguments: dict) -> dict:
    machine = runtime.describe_state_machine(stateMachineArn=arguments["stateMachineArn"])
    if machine["type"] == "EXPRESS":
        done = runtime.start_sync_execution(**arguments)
        done.pop("billingDetails")
    else:
        arn = runtime.start_execution(**arguments)["executionArn"]
        runtime.wait_for(arn)
        done = runtime.describe_execution(executionArn=arn)
    return {key: done[key] for key in _DESCRIBE_KEYS if key in done}


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
