"""Lambda functions as registered Python callables, invoked in-process the way Lambda would."""
from __future__ import annotations

import base64
import json
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from stepfunctions_local.exceptions import StatesError

Handler = Callable[[Any, Any], Any]


@dataclass(frozen=True)
class LambdaFunction:
    name: str
    arn: str
    handler: Handler
    timeout: int
    memory_size: int


class LambdaContext:
    """The attributes and method of the Python runtime's context object that handlers use."""

    def __init__(self, function: LambdaFunction, request_id: str) -> None:
        self.function_name = function.name
        self.function_version = "$LATEST"
        self.invoked_function_arn = function.arn
        self.memory_limit_in_mb = str(function.memory_size)
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{function.name}"
        today = datetime.now(timezone.utc).strftime("%Y/%m/%d")
        self.log_stream_name = f"{today}/[$LATEST]{uuid.uuid4().hex}"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + function.timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    payload: Any
    request_id: str


class LambdaRegistry:
    """Functions by name; resolves names, partial ARNs and ARNs, with or without a qualifier."""

    def __init__(self, region: str, account_id: str) -> None:
        self._region = region
        self._account_id = account_id
        self._functions: dict[str, LambdaFunction] = {}
        self._lock = threading.Lock()

    def register(self, name_or_arn: str, handler: Handler, *, timeout: int = 60, memory_size: int = 128) -> str:
        name = _split(name_or_arn)[0]
        arn = f"arn:aws:lambda:{self._region}:{self._account_id}:function:{name}"
        with self._lock:
            self._functions[name] = LambdaFunction(name, arn, handler, timeout, memory_size)
        return arn

    def resolve(self, function_name: str) -> LambdaFunction:
        name, qualifier = _split(function_name)
        function = self._functions.get(name)
        if function is None:
            arn = f"arn:aws:lambda:{self._region}:{self._account_id}:function:{name}"
            if qualifier is not None:
                arn += f":{qualifier}"
            raise StatesError(
                "Lambda.ResourceNotFoundException",
                f"Function not found: {arn} (Service: AWSLambda; Status Code: 404; Error Code: "
                f"ResourceNotFoundException; Request ID: {uuid.uuid4()}; Proxy: null)",
            )
        return function

    def invoke(self, function_name: str, payload: Any) -> Invocation:
        """Run the handler on a JSON copy of ``payload``; a raising handler becomes AWS's error."""
        function = self.resolve(function_name)
        request_id = str(uuid.uuid4())
        event = json.loads(json.dumps(payload))
        try:
            result = function.handler(event, LambdaContext(function, request_id))
        except Exception as error:  # any handler error is data for the workflow, like in Lambda
            raise _function_error(error, request_id) from None
        try:
            return Invocation(json.loads(json.dumps(result)), request_id)
        except (TypeError, ValueError) as error:
            raise StatesError("Runtime.MarshalError", json.dumps({
                "errorMessage": f"Unable to marshal response: {error}", "errorType": "Runtime.MarshalError",
                "requestId": request_id, "stackTrace": []})) from None


def invoke_optimised(registry: LambdaRegistry, parameters: dict) -> dict:
    """``arn:aws:states:::lambda:invoke``: the Invoke API's response as Step Functions shows it."""
    if not isinstance(parameters, dict) or "FunctionName" not in parameters:
        raise StatesError("States.Runtime", "The field 'FunctionName' is required for lambda:invoke")
    payload = parameters.get("Payload")
    if payload is None:  # AWS-recorded: "Payload": null reaches the function as {}
        payload = {}
    if isinstance(payload, str):
        try:
            payload = json.loads(payload)
        except ValueError:
            pass
    started = time.monotonic()
    try:
        invocation = registry.invoke(parameters["FunctionName"], payload)
    except StatesError as error:
        raise _compact(error) from None
    elapsed_ms = (time.monotonic() - started) * 1000
    body = json.dumps(invocation.payload)
    date = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT")
    headers = {
        "Connection": "keep-alive",
        "Content-Length": str(len(body.encode("utf-8"))),
        "Content-Type": "application/json",
        "Date": date,
        "X-Amz-Executed-Version": "$LATEST",
        "x-amzn-Remapped-Content-Length": "0",
        "x-amzn-RequestId": invocation.request_id,
        # AWS-recorded: Lambda's answer to Step Functions carries an X-Ray trace id (not sampled unless traced).
        "X-Amzn-Trace-Id": f"root=1-{int(time.time()):08x}-{uuid.uuid4().hex[:24]};sampled=0",
    }
    response: dict[str, Any] = {"ExecutedVersion": "$LATEST"}
    if parameters.get("LogType") == "Tail":
        function = registry.resolve(parameters["FunctionName"])
        response["LogResult"] = headers["X-Amz-Log-Result"] = _log_tail(function, invocation.request_id, elapsed_ms)
    return {
        **response,
        "Payload": invocation.payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": invocation.request_id},
        "StatusCode": 200,
    }


def _compact(error: StatesError) -> StatesError:
    """AWS-recorded: lambda:invoke writes the function's error JSON without spaces (a Lambda ARN keeps them)."""
    if error.cause is None or not error.cause.startswith("{"):
        return error
    try:
        cause = json.loads(error.cause)
    except ValueError:
        return error
    return StatesError(error.error, json.dumps(cause, separators=(",", ":"), ensure_ascii=False))


def _log_tail(function: LambdaFunction, request_id: str, elapsed_ms: float) -> str:
    """``LogType: Tail``: the last 4 KB of the invocation's log, base64, as Lambda's START/END/REPORT lines."""
    billed = max(1, int(elapsed_ms + 0.999))
    lines = (f"START RequestId: {request_id} Version: $LATEST\n"
             f"END RequestId: {request_id}\n"
             f"REPORT RequestId: {request_id}\tDuration: {elapsed_ms:.2f} ms\tBilled Duration: {billed} ms\t"
             f"Memory Size: {function.memory_size} MB\tMax Memory Used: {min(function.memory_size, 40)} MB\t\n")
    return base64.b64encode(lines.encode()[-4096:]).decode()


def _split(function_name: str) -> tuple[str, str | None]:
    """``name``, ``name:qualifier``, ``acct:function:name[:q]`` or a full ARN -> (name, qualifier)."""
    parts = function_name.split(":")
    if parts[0] == "arn":
        parts = parts[6:]
    elif len(parts) >= 3 and parts[1] == "function":
        parts = parts[2:]
    return parts[0], parts[1] if len(parts) > 1 else None


def _function_error(error: Exception, request_id: str) -> StatesError:
    frames = traceback.extract_tb(error.__traceback__)[1:]  # drop invoke()'s own frame
    error_type = type(error).__name__
    cause = json.dumps({
        "errorMessage": str(error),
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    })
    return StatesError(error_type, cause)
