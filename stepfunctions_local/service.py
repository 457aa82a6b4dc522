"""The Step Functions control plane: state machines, executions, history.

Every public operation takes boto3's keyword arguments and returns boto3's response shape
(dates as ``datetime``); ``client.py`` and ``server.py`` are thin transports over ``invoke``.
"""
from __future__ import annotations

import json
import math
import re
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Callable

from stepfunctions_local.callbacks import TaskTokenError
from stepfunctions_local.clock import RealClock
from stepfunctions_local.exceptions import DefinitionError, StepFunctionsLocalError
from stepfunctions_local.integrations import TaskDispatcher
from stepfunctions_local.integrations.lambda_ import LambdaRegistry
from stepfunctions_local.interpreter import compile_definition

if TYPE_CHECKING:
    from stepfunctions_local.client import Client
    from stepfunctions_local.integrations.sentiment import SentimentProvider
    from stepfunctions_local.types import Clock

ACCOUNT_ID = "000000000000"
MAX_INPUT_BYTES = 262_144
EXPRESS_MAX_SECONDS = 300
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")
_SUFFIXES_EXPRESS_REJECTS = (".sync", ".sync:2", ".waitForTaskToken")
_DIAGNOSTIC = re.compile(r"^([A-Z_]+): (.*?)(?: at (/.*))?$", re.DOTALL)
_MAX_DIAGNOSTICS = 100  # ValidateStateMachineDefinition's default and largest maxResults


class ApiError(StepFunctionsLocalError):
    """An API-level error with AWS's error code, e.g. ``StateMachineDoesNotExist``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class StateMachine:
    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    machine: Any
    created: datetime
    logging: dict
    tracing: dict
    tags: list[dict]
    revision_id: str = field(default_factory=lambda: str(uuid.uuid4()))


@dataclass
class Execution:
    arn: str
    name: str
    state_machine: StateMachine
    input: str
    started: datetime
    history: History
    # What it started with: updating the state machine does not change running executions.
    definition: str
    machine: Any
    stop_requested: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    status: str = "RUNNING"
    stopped: datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None


class History:
    """The execution's event list: ids from 1; each event points at the one before it."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._closed = False
        self.events: list[dict] = []

    def add(self, event_type: str, details_key: str | None = None, details: dict | None = None,
            previous_event_id: int | None = None) -> int:
        with self._lock:
            return self._append(event_type, details_key, details, previous_event_id)

    def close(self, event_type: str, details_key: str, details: dict) -> None:
        """Record the execution's final event; nothing is recorded after it."""
        with self._lock:
            self._append(event_type, details_key, details)
            self._closed = True

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.events)

    def _append(self, event_type: str, details_key: str | None, details: dict | None,
                previous_event_id: int | None = None) -> int:
        event_id = len(self.events) + 1
        if self._closed:  # a stopped execution's last steps are not part of its history
            return event_id
        # AWS chains events, but the first state entered points at 0 like ExecutionStarted;
        # inside Parallel branches and Map iterations the interpreter names the previous event.
        if previous_event_id is not None:
            previous = previous_event_id
        else:
            previous = 0 if event_id <= 2 else event_id - 1
        event: dict[str, Any] = {
            "timestamp": _datetime(self._clock.now()),
            "type": event_type,
            "id": event_id,
            "previousEventId": previous,
        }
        if details_key is not None:
            event[details_key] = details if details is not None else {}
        self.events.append(event)
        return event_id


class Runtime:
    """An offline Step Functions: one account, one region, everything in memory."""

    def __init__(
        self,
        clock: Clock | None = None,
        sentiment: SentimentProvider | None = None,
        *,
        region_name: str = "us-east-1",
        account_id: str = ACCOUNT_ID,
    ) -> None:
        self.clock: Clock = clock or RealClock()
        self.region = region_name
        self.account_id = account_id
        self.lambdas = LambdaRegistry(region_name, account_id)
        self.tasks = TaskDispatcher(self, sentiment)
        self._machines: dict[str, StateMachine] = {}
        self._executions: dict[str, Execution] = {}
        self._lock = threading.RLock()

    # -- registration ---------------------------------------------------------------------
    def register_lambda(
        self, name_or_arn: str, handler: Callable[[Any, Any], Any], *, timeout: int = 60, memory_size: int = 128
    ) -> str:
        """Make ``handler(event, context)`` answer for a Lambda function; returns its ARN."""
        return self.lambdas.register(name_or_arn, handler, timeout=timeout, memory_size=memory_size)

    def register_chalice_app(self, app: Any, stage: str = "local") -> list[str]:
        """Register every Lambda of a Chalice app under its deployed name ``<app>-<stage>-<fn>``."""
        prefix = f"{app.app_name}-{stage}"
        arns = [self.register_lambda(prefix, app)] if app.routes else []
        for item in [*app.pure_lambda_functions, *app.event_sources]:
            arns.append(self.register_lambda(f"{prefix}-{item.name}", app.handler_map[item.name]))
        return arns

    def client(self) -> Client:
        from stepfunctions_local.client import Client

        return Client(self)

    # -- dispatch -------------------------------------------------------------------------
    def invoke(self, operation: str, params: dict) -> dict:
        """Run an API operation by its AWS name (``StartSyncExecution``) with boto3 arguments."""
        method = OPERATIONS.get(operation)
        if method is None:
            raise ApiError("UnknownOperationException", f"Unknown operation {operation}")
        return getattr(self, method)(**params)

    # -- state machines -------------------------------------------------------------------
    def create_state_machine(
        self,
        *,
        name: str,
        definition: str,
        roleArn: str,
        type: str = "STANDARD",
        loggingConfiguration: dict | None = None,
        tracingConfiguration: dict | None = None,
        tags: list[dict] | None = None,
        publish: bool = False,
        **_ignored: Any,
    ) -> dict:
        _check_name(name)
        _check_arn(roleArn, "role")
        _no_versions(publish)
        logging = _logging(loggingConfiguration)
        machine = self._compile(definition, type)
        arn = self.state_machine_arn(name)
        with self._lock:
            existing = self._machines.get(arn)
            if existing is not None:
                # AWS ignores a different role or tags when deciding that a re-create is idempotent.
                same = (existing.definition, existing.type, existing.logging, existing.tracing) == (
                    definition, type, logging, tracingConfiguration or {"enabled": False})
                if not same:
                    raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
                return {"stateMachineArn": arn, "creationDate": existing.created}
            created = _datetime(self.clock.now())
            self._machines[arn] = StateMachine(
                arn, name, type, definition, roleArn, machine, created, logging,
                tracingConfiguration or {"enabled": False}, list(tags or []))
        return {"stateMachineArn": arn, "creationDate": created}

    def validate_state_machine_definition(self, *, definition: str, type: str = "STANDARD",
                                          maxResults: int = 0, **_ignored: Any) -> dict:
        _check_type(type)
        try:
            _compile_for(definition, type)
        except DefinitionError as error:
            diagnostics = [_diagnostic(problem) for problem in error.problems]
            limit = maxResults or _MAX_DIAGNOSTICS
            return {"result": "FAIL", "diagnostics": diagnostics[:limit], "truncated": len(diagnostics) > limit}
        return {"result": "OK", "diagnostics": [], "truncated": False}

    def describe_state_machine(self, *, stateMachineArn: str, **_ignored: Any) -> dict:
        sm = self._state_machine(stateMachineArn)
        return {
            "stateMachineArn": sm.arn, "name": sm.name, "status": "ACTIVE", "definition": sm.definition,
            "roleArn": sm.role_arn, "type": sm.type, "creationDate": sm.created,
            "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing, "revisionId": sm.revision_id,
        }

    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | None = None,
        roleArn: str | None = None,
        loggingConfiguration: dict | None = None,
        tracingConfiguration: dict | None = None,
        publish: bool = False,
        **_ignored: Any,
    ) -> dict:
        sm = self._state_machine(stateMachineArn)
        _no_versions(publish)
        if definition is None and roleArn is None and loggingConfiguration is None and tracingConfiguration is None:
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, "
                           "or the TracingConfiguration must be specified")
        machine = self._compile(definition, sm.type) if definition is not None else None
        if roleArn is not None:
            _check_arn(roleArn, "role")
        logging = _logging(loggingConfiguration) if loggingConfiguration is not None else None
        updated = _datetime(self.clock.now())
        with self._lock:
            if machine is not None:
                sm.definition, sm.machine = definition, machine
            sm.role_arn = roleArn or sm.role_arn
            sm.logging = logging or sm.logging
            sm.tracing = tracingConfiguration or sm.tracing
            sm.revision_id = str(uuid.uuid4())
        return {"updateDate": updated, "revisionId": sm.revision_id}

    def delete_state_machine(self, *, stateMachineArn: str) -> dict:
        _check_arn(stateMachineArn, "stateMachine")
        with self._lock:
            self._machines.pop(stateMachineArn, None)
        return {}

    def list_state_machines(self, *, maxResults: int = 0, nextToken: str | None = None) -> dict:
        with self._lock:
            machines = sorted(self._machines.values(), key=lambda sm: sm.name)
        items = [{"stateMachineArn": sm.arn, "name": sm.name, "type": sm.type, "creationDate": sm.created}
                 for sm in machines]
        return _page(items, "stateMachines", maxResults, nextToken)

    # -- executions -----------------------------------------------------------------------
    def start_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_ignored: Any
    ) -> dict:
        sm = self._state_machine(stateMachineArn)
        name = _execution_name(name)
        text, value = _parse_input(input)
        started = _datetime(self.clock.now())
        if sm.type == "EXPRESS":
            # Express StartExecution is fire-and-forget: nothing can describe it afterwards.
            arn = self._express_arn(sm, name)
            threading.Thread(target=self._run, args=(sm, sm.machine, arn, name, value, started.timestamp()),
                             kwargs={"history": None, "stop": None}, name=f"sfn-{name}", daemon=True).start()
            return {"executionArn": arn, "startDate": started}
        arn = f"arn:aws:states:{self.region}:{self.account_id}:execution:{sm.name}:{name}"
        execution = Execution(arn, name, sm, text, started, History(self.clock), sm.definition, sm.machine)
        with self._lock:
            existing = self._executions.get(arn)
            if existing is not None:
                if existing.status == "RUNNING" and existing.input == text:
                    return {"executionArn": arn, "startDate": existing.started}
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            self._executions[arn] = execution
        execution.history.add("ExecutionStarted", "executionStartedEventDetails", {
            "input": text, "inputDetails": {"truncated": False}, "roleArn": sm.role_arn})
        threading.Thread(target=self._run_standard, args=(execution, value),
                         name=f"sfn-{name}", daemon=True).start()
        return {"executionArn": arn, "startDate": started}

    def start_sync_execution(
        self,
        *,
        stateMachineArn: str,
        name: str | None = None,
        input: str | None = None,
        traceHeader: str | None = None,
        includedData: str | None = None,
    ) -> dict:
        sm = self._state_machine(stateMachineArn)
        if sm.type != "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        name = _execution_name(name)
        text, value = _parse_input(input)
        arn = self._express_arn(sm, name)
        start = self.clock.now()
        result = self._run(sm, sm.machine, arn, name, value, start, history=None, stop=None)
        stop = self.clock.now()
        response: dict[str, Any] = {
            "executionArn": arn, "stateMachineArn": sm.arn, "name": name,
            "startDate": _datetime(start), "stopDate": _datetime(stop), "status": result.status,
        }
        if result.status == "SUCCEEDED":
            response.update(_data("output", _dump(result.output), includedData))
        else:
            response.update(_error_cause(result.error, result.cause))
        response.update(_data("input", text, includedData))
        if traceHeader is not None:
            response["traceHeader"] = traceHeader
        response["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(100, math.ceil((stop - start) * 10) * 100),
        }
        return response

    def describe_execution(self, *, executionArn: str, includedData: str | None = None) -> dict:
        execution = self._execution(executionArn)
        response: dict[str, Any] = {
            "executionArn": execution.arn, "stateMachineArn": execution.state_machine.arn,
            "name": execution.name, "status": execution.status, "startDate": execution.started,
        }
        if execution.stopped is not None:
            response["stopDate"] = execution.stopped
        response.update(_data("input", execution.input, includedData))
        if execution.output is not None:
            response.update(_data("output", execution.output, includedData))
        response.update(_error_cause(execution.error, execution.cause))
        response["redriveCount"] = 0
        if execution.status in ("RUNNING", "SUCCEEDED"):
            response["redriveStatus"] = "NOT_REDRIVABLE"
            response["redriveStatusReason"] = f"Execution is {execution.status} and cannot be redriven"
        else:
            response["redriveStatus"] = "REDRIVABLE"
        return response

    def describe_state_machine_for_execution(self, *, executionArn: str, **_ignored: Any) -> dict:
        execution = self._execution(executionArn)
        sm = execution.state_machine
        return {
            "stateMachineArn": sm.arn, "name": sm.name, "definition": execution.definition, "roleArn": sm.role_arn,
            "updateDate": sm.created, "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing,
            "revisionId": sm.revision_id,
        }

    def list_executions(
        self,
        *,
        stateMachineArn: str | None = None,
        statusFilter: str | None = None,
        maxResults: int = 0,
        nextToken: str | None = None,
        **_ignored: Any,
    ) -> dict:
        if stateMachineArn is None:
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        sm = self._state_machine(stateMachineArn)
        if sm.type == "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        with self._lock:
            executions = [e for e in self._executions.values() if e.state_machine.arn == sm.arn
                          and (statusFilter is None or e.status == statusFilter)]
        executions.sort(key=lambda e: e.started, reverse=True)
        items = []
        for e in executions:
            item = {"executionArn": e.arn, "stateMachineArn": sm.arn, "name": e.name, "status": e.status,
                    "startDate": e.started}
            if e.stopped is not None:
                item["stopDate"] = e.stopped
            items.append(item)
        return _page(items, "executions", maxResults, nextToken)

    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int = 0,
        reverseOrder: bool = False,
        nextToken: str | None = None,
        includeExecutionData: bool = True,
    ) -> dict:
        execution = self._execution(executionArn)
        events = execution.history.snapshot()
        if reverseOrder:
            events.reverse()
        if not includeExecutionData:
            events = [_without_data(event) for event in events]
        return _page(events, "events", maxResults, nextToken)

    def stop_execution(self, *, executionArn: str, error: str | None = None, cause: str | None = None) -> dict:
        execution = self._execution(executionArn)
        with self._lock:
            if execution.status == "RUNNING":
                self._finish(execution, "ABORTED", error=error, cause=cause)
                execution.stop_requested.set()
            stopped = execution.stopped
        return {"stopDate": stopped}

    # -- callbacks (.waitForTaskToken) -----------------------------------------------------
    def send_task_success(self, *, taskToken: str, output: str) -> dict:
        try:
            value = json.loads(output)
        except ValueError:
            raise ApiError("InvalidOutput", "Invalid Output: the output must be valid JSON") from None
        if len(output.encode()) > MAX_INPUT_BYTES:
            raise ApiError("InvalidOutput", f"Invalid Output: the output exceeds {MAX_INPUT_BYTES} bytes")
        return self._answer_task(lambda: self.tasks.tokens.succeed(taskToken, value))

    def send_task_failure(self, *, taskToken: str, error: str | None = None, cause: str | None = None) -> dict:
        return self._answer_task(lambda: self.tasks.tokens.fail(taskToken, error, cause))

    def send_task_heartbeat(self, *, taskToken: str) -> dict:
        return self._answer_task(lambda: self.tasks.tokens.heartbeat(taskToken))

    @staticmethod
    def _answer_task(answer: Callable[[], None]) -> dict:
        try:
            answer()
        except TaskTokenError as error:
            raise ApiError(error.code, error.message) from None
        return {}

    # -- tags -----------------------------------------------------------------------------
    def tag_resource(self, *, resourceArn: str, tags: list[dict]) -> dict:
        sm = self._state_machine(resourceArn)
        with self._lock:
            keys = {tag["key"] for tag in tags}
            sm.tags = [tag for tag in sm.tags if tag["key"] not in keys] + list(tags)
        return {}

    def untag_resource(self, *, resourceArn: str, tagKeys: list[str]) -> dict:
        sm = self._state_machine(resourceArn)
        with self._lock:
            sm.tags = [tag for tag in sm.tags if tag["key"] not in tagKeys]
        return {}

    def list_tags_for_resource(self, *, resourceArn: str) -> dict:
        return {"tags": list(self._state_machine(resourceArn).tags)}

    def wait_for(self, execution_arn: str, timeout: float | None = None) -> bool:
        """Block until a Standard execution is done (for nested ``.sync`` tasks and tests)."""
        return self._execution(execution_arn).done.wait(timeout)

    # -- ARNs -----------------------------------------------------------------------------
    def state_machine_arn(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:stateMachine:{name}"

    def _express_arn(self, sm: StateMachine, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:express:{sm.name}:{name}:{uuid.uuid4()}"

    def _state_machine(self, arn: str) -> StateMachine:
        _check_arn(arn, "stateMachine")
        sm = self._machines.get(arn)
        if sm is None:
            raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
        return sm

    def _execution(self, arn: str) -> Execution:
        _check_arn(arn, "execution")
        execution = self._executions.get(arn)
        if execution is None:
            raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
        return execution

    # -- running --------------------------------------------------------------------------
    def _compile(self, definition: str, machine_type: str) -> Any:
        _check_type(machine_type)
        try:
            return _compile_for(definition, machine_type)
        except DefinitionError as error:
            raise ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'") from None

    def _context(self, sm: StateMachine, arn: str, name: str, value: Any, start: float) -> dict:
        started = _datetime(start).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {
            "Execution": {"Id": arn, "Input": value, "Name": name, "RoleArn": sm.role_arn,
                          "StartTime": started, "RedriveCount": 0},
            "StateMachine": {"Id": sm.arn, "Name": sm.name},
        }

    def _run(self, sm: StateMachine, machine: Any, arn: str, name: str, value: Any, start: float, *,
             history: History | None, stop: threading.Event | None) -> Any:
        max_duration = EXPRESS_MAX_SECONDS if sm.type == "EXPRESS" else None
        return machine.run(value, context=self._context(sm, arn, name, value, start), tasks=self.tasks,
                              clock=self.clock, history=history, stop=stop, max_duration=max_duration)

    def _run_standard(self, execution: Execution, value: Any) -> None:
        try:
            result = self._run(execution.state_machine, execution.machine, execution.arn, execution.name, value,
                               execution.started.timestamp(), history=execution.history,
                               stop=execution.stop_requested)
            status, output, error, cause = result.status, result.output, result.error, result.cause
        except Exception as unexpected:  # a bug must not leave the execution RUNNING forever
            status, output, error, cause = "FAILED", None, "States.Runtime", repr(unexpected)
        with self._lock:
            if execution.status == "RUNNING":
                self._finish(execution, status, output=output, error=error, cause=cause)
        execution.done.set()

    def _finish(self, execution: Execution, status: str, *, output: Any = None,
                error: str | None = None, cause: str | None = None) -> None:
        execution.status, execution.error, execution.cause = status, error, cause
        execution.stopped = _datetime(self.clock.now())
        if status == "SUCCEEDED":
            execution.output = _dump(output)
            execution.history.close("ExecutionSucceeded", "executionSucceededEventDetails", {
                "output": execution.output, "outputDetails": {"truncated": False}})
        else:
            event = {"FAILED": "ExecutionFailed", "TIMED_OUT": "ExecutionTimedOut",
                     "ABORTED": "ExecutionAborted"}[status]
            details_key = event[0].lower() + event[1:] + "EventDetails"
            execution.history.close(event, details_key, _error_cause(error, cause))
        if status == "ABORTED":
            execution.done.set()


OPERATIONS = {
    "CreateStateMachine": "create_state_machine",
    "DescribeStateMachine": "describe_state_machine",
    "ValidateStateMachineDefinition": "validate_state_machine_definition",
    "UpdateStateMachine": "update_state_machine",
    "DeleteStateMachine": "delete_state_machine",
    "ListStateMachines": "list_state_machines",
    "StartExecution": "start_execution",
    "StartSyncExecution": "start_sync_execution",
    "DescribeExecution": "describe_execution",
    "DescribeStateMachineForExecution": "describe_state_machine_for_execution",
    "ListExecutions": "list_executions",
    "GetExecutionHistory": "get_execution_history",
    "StopExecution": "stop_execution",
    "SendTaskSuccess": "send_task_success",
    "SendTaskFailure": "send_task_failure",
    "SendTaskHeartbeat": "send_task_heartbeat",
    "TagResource": "tag_resource",
    "UntagResource": "untag_resource",
    "ListTagsForResource": "list_tags_for_resource",
}


def _datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")


def _check_arn(arn: str, resource_type: str) -> None:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[1].startswith("aws"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    if resource_type == "role":
        return
    if parts[2] != "states":
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[2]}'")
    if parts[5] != resource_type:
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[5]}'")


def _execution_name(name: str | None) -> str:
    if name is None:
        return str(uuid.uuid4())
    _check_name(name)
    return name


def _parse_input(text: str | None) -> tuple[str, Any]:
    text = "{}" if text is None else text
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise ApiError("InvalidExecutionInput",
                       f"Invalid State Machine Execution Input: 'Input exceeds the maximum size of "
                       f"{MAX_INPUT_BYTES} bytes'")
    try:
        return text, json.loads(text)
    except ValueError as error:
        raise ApiError("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{error}'") from None


def _check_type(machine_type: str) -> None:
    if machine_type not in ("STANDARD", "EXPRESS"):
        raise ApiError("ValidationException",
                       f"1 validation error detected: Value '{machine_type}' at 'type' failed to satisfy "
                       "constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]")


def _compile_for(definition: str, machine_type: str) -> Any:
    """The compiled machine, or a DefinitionError listing each problem (Express refusing .sync/callbacks too)."""
    machine = compile_definition(definition)
    if machine_type == "EXPRESS":
        for where, resource in _resources(json.loads(definition), ""):
            suffix = next((s for s in _SUFFIXES_EXPRESS_REJECTS if resource.endswith(s)), None)
            if suffix is not None:
                raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Express state machine does not support "
                                      f"'{suffix}' service integration at {where}")
    return machine


def _diagnostic(problem: str) -> dict:
    """``CODE: text at /path`` -> a ValidateStateMachineDefinition diagnostic."""
    found = _DIAGNOSTIC.match(problem)
    code, text, location = found.groups() if found else ("SCHEMA_VALIDATION_FAILED", problem, None)
    diagnostic = {"severity": "ERROR", "code": code, "message": text}
    if location is not None:
        diagnostic["location"] = location
    return diagnostic


def _no_versions(publish: bool) -> None:
    if publish:
        raise ApiError("ValidationException",
                       "Publishing state machine versions is not supported by stepfunctions_local")


def _logging(configuration: dict | None) -> dict:
    configuration = dict(configuration or {"level": "OFF", "includeExecutionData": False})
    configuration.setdefault("level", "OFF")
    configuration.setdefault("includeExecutionData", False)
    destinations = configuration.get("destinations") or []
    if configuration["level"] != "OFF" and len(destinations) != 1:
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    return configuration


def _data(key: str, text: str, included_data: str | None) -> dict:
    if included_data == "METADATA_ONLY":
        return {f"{key}Details": {"included": False}}
    return {key: text, f"{key}Details": {"included": True}}


def _error_cause(error: str | None, cause: str | None) -> dict:
    fields = {}
    if error is not None:
        fields["error"] = error
    if cause is not None:
        fields["cause"] = cause
    return fields


def _without_data(event: dict) -> dict:
    stripped = {}
    for key, value in event.items():
        if isinstance(value, dict) and key.endswith("EventDetails"):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        stripped[key] = value
    return stripped


def _page(items: list[dict], key: str, max_results: int, next_token: str | None) -> dict:
    start = 0
    if next_token is not None:
        try:
            start = int(next_token)
        except ValueError:
            raise ApiError("InvalidToken", f"Invalid Token: '{next_token}'") from None
    size = max_results or 100
    page: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        page["nextToken"] = str(start + size)
    return page


def _resources(node: Any, where: str):
    """Yield (path, Resource) for every Task in a definition, branches and Map processors included."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Resource" and isinstance(value, str):
                yield f"{where}/Resource", value
            else:
                yield from _resources(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _resources(value, f"{where}/{index}")
