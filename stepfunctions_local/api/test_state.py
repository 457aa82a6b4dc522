"""TestState: run one state (alone, or picked from a whole machine by ``stateName``) once, and say what happened.

As AWS does: no retry is waited for (a matching retrier answers ``RETRIABLE``), a matching
catcher answers ``CAUGHT_ERROR`` with its ``nextState``, and a Task, Map or Parallel state may be
answered by ``mock`` (``result`` or ``errorOutput``) instead of its resource or its branches /
iterations (Map and Parallel require one). ``inspectionLevel`` DEBUG and TRACE add
``inspectionData``: the state's data at each step of its data flow. Validation messages are the
ones AWS recorded (localstack's test_state_mock_validation snapshot).
"""
from __future__ import annotations

import json
import uuid
from typing import Any, Sequence

from .. import paths, states
from ..api_errors import ApiError, invalid_definition
from ..dataflow import JsonPathFlow
from ..definition import all_states
from ..events import Events
from ..exceptions import DefinitionError, StatesError
from ..interception import InterceptResult, TaskInterceptor
from ..interpreter import Run, Signal, caught_output, compile_definition, error_matches, located
from ..json_errors import loads
from ..mock_validation import MockResultError, check
from ..specs import ChoiceSpec, MapSpec, ParallelSpec, StateSpec, TaskSpec
from ..timestamps import format_timestamp
from ..types import Clock, TaskRunner
from .common import check_arn, check_enum, dump

_PLACEHOLDER = {"Type": "Succeed"}
_MOCKABLE = (TaskSpec, MapSpec, ParallelSpec)
_FAN_OUT = (MapSpec, ParallelSpec)
_LEVELS = ("INFO", "DEBUG", "TRACE")
_VALIDATION_MODES = ("STRICT", "PRESENT", "NONE")


class _Mocked:
    """The Runtime's tasks, with ``mock`` answering the tested state's Task (the task-interceptor hook)."""

    def __init__(self, tasks: TaskRunner, mock: dict | None) -> None:
        self.tokens = tasks.tokens
        self.activities = tasks.activities
        self._tasks = tasks
        self.interceptor: TaskInterceptor | None = self if mock is not None else None
        self._mock = mock or {}
        self.result: Any = None

    def intercept(self, execution: Any, state_name: str, resource: str, parameters: Any) -> InterceptResult:
        failure = self._mock.get("errorOutput")
        if failure is not None:
            return InterceptResult.throws(failure.get("error"), failure.get("cause"))
        self.result = loads(self._mock["result"])
        return InterceptResult.returns(self.result)

    def run_task(self, resource: str, parameters: Any, *, context: dict, timeout: float | None) -> Any:
        self.result = self._tasks.run_task(resource, parameters, context=context, timeout=timeout)
        return self.result


class _NoWait:
    """The Runtime's clock, except that waiting returns at once: TestState does not wait out a Wait state."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        return None


class _MockedRun(Run):
    """A Run whose Map / Parallel fan-out is answered by the mock instead of running branches or iterations."""

    __slots__ = ("mock", "failures", "fanned_out")
    mock: dict  # the request's mock ({} without one: Map and Parallel are refused without a mock)
    failures: int
    fanned_out: dict[str, int] | None

    def fan_out(self, jobs: Sequence, variables: dict, max_concurrency: int, tolerated: Any, on_item: Any,
                started: int) -> list:
        self.fanned_out = {"max_concurrency": max_concurrency}
        failure = self.mock.get("errorOutput")
        if failure is not None:
            raise StatesError(failure.get("error"), failure.get("cause"))
        if self.failures and (tolerated is None or not tolerated(self.failures)):
            raise StatesError("States.ExceedToleratedFailureThreshold",
                              "The specified tolerated failure threshold was exceeded")
        return loads(self.mock["result"])


class TestStateApi:
    __test__ = False  # not a pytest class

    def __init__(self, clock: Clock, tasks: TaskRunner, region: str, account_id: str) -> None:
        self._clock = clock
        self._tasks = tasks
        self._region = region
        self._account_id = account_id

    def test_state(self, *, definition: str, roleArn: str | None = None, input: str | None = None,
                   inspectionLevel: str = "INFO", revealSecrets: bool = False, variables: str | None = None,
                   stateName: str | None = None, mock: dict | None = None, context: str | None = None,
                   stateConfiguration: dict | None = None) -> dict:
        if roleArn is not None:
            check_arn(roleArn, "role")
        check_enum(inspectionLevel, "inspectionLevel", _LEVELS)
        state = self._state(definition, stateName)
        if isinstance(state, _FAN_OUT) and mock is None:
            raise ApiError("InvalidDefinition", "TestState API does not support Map or Parallel states. Supported "
                                                "state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
        if isinstance(state, TaskSpec) and mock is None and _needs_mock(state.resource):
            # the API reference: these are supported only with a mock (AWS's wording here is not recorded)
            raise ApiError("InvalidDefinition", "TestState API does not support Activity tasks, .sync or "
                                                ".waitForTaskToken service integration patterns without a mock")
        value = _json("input", "{}" if input is None else input, "InvalidExecutionInput")
        scope_variables = _json("variables", "{}" if variables is None else variables, "ValidationException")
        if not isinstance(scope_variables, dict):
            raise ApiError("ValidationException", "Invalid variables: the variables must be a JSON object")
        given_context = _json("context", "{}" if context is None else context, "ValidationException")
        context_object = self._context(state, value, roleArn, given_context)
        self._check_mock(state, mock, revealSecrets)
        configuration = stateConfiguration or {}
        retries = int(configuration.get("retrierRetryCount", 0))
        tasks = _Mocked(self._tasks, mock if isinstance(state, TaskSpec) else None)
        run = _MockedRun(context_object, tasks, _NoWait(self._clock), Events(None, self._region), Signal(None, None),
                         None, execution=object())
        run.mock, run.failures, run.fanned_out = mock or {}, int(configuration.get("mapIterationFailureCount", 0)), None
        handler = states.HANDLERS[state.__class__]
        try:
            output, next_state, _ = handler(run, state, value, scope_variables, context_object)
        except StatesError as raised:
            error = located(raised, state, 1)
            answer = self._failed(state, error, value, scope_variables, context_object, retries, inspectionLevel)
        else:
            answer = {"output": dump(output), "status": "SUCCEEDED"}
            if next_state is not None:
                answer["nextState"] = next_state
            if inspectionLevel != "INFO":
                result = tasks.result if run.fanned_out is None else loads(run.mock["result"])
                answer["inspectionData"] = _inspection(state, value, scope_variables, context_object, result)
        if inspectionLevel != "INFO" and run.fanned_out is not None:
            answer.setdefault("inspectionData", {}).update(_fan_out_data(state, value, scope_variables,
                                                                         context_object, run.fanned_out))
        return answer

    # -- request checks -------------------------------------------------------------------
    def _state(self, definition: str, name: str | None) -> StateSpec:
        try:
            document = loads(definition)
        except ValueError:
            document = None
        if isinstance(document, dict) and "States" not in document and "Type" in document:
            name = name or "TestState"
            # one state: the states it names (Next, Default, Choices, Catch) exist for the compiler only
            targets = _targets(document)
            machine_states = {target: _PLACEHOLDER for target in targets if target != name}
            machine_states[name] = document
            definition = json.dumps({"StartAt": name, "States": machine_states})
        elif isinstance(document, dict) and name is None:
            raise ApiError("ValidationException", "The field 'stateName' is required when the definition is a "
                                                  "state machine")
        try:
            machine = compile_definition(definition)
        except DefinitionError as error:
            raise invalid_definition(error) from None
        # AWS-recorded: the state may be inside a Map's processor or a Parallel branch
        state = next((found for found in all_states(machine.program) if found.name == name), None)
        if state is None:
            raise ApiError("ValidationException", "State not found in definition")
        return state

    def _check_mock(self, state: StateSpec, mock: dict | None, reveal_secrets: bool) -> None:
        if mock is None:
            return
        if not isinstance(state, _MOCKABLE):
            raise ApiError("ValidationException", f"State type '{state.type}' is not supported when a mock is "
                                                  "specified")
        if ("result" in mock) == ("errorOutput" in mock):
            raise ApiError("ValidationException",
                           "A test mock should have only one of the following fields: [result, errorOutput].")
        if reveal_secrets:
            raise ApiError("ValidationException", "TestState does not support RevealSecrets when a mock is specified.")
        mode = mock.get("fieldValidationMode", "STRICT")
        check_enum(mode, "mock.fieldValidationMode", _VALIDATION_MODES)
        if "result" not in mock:
            return
        result = _json("mock.result", mock["result"], "ValidationException")
        if isinstance(state, _FAN_OUT) and not isinstance(result, list):
            raise ApiError("ValidationException", "Mocked result must be an array.")
        if isinstance(state, ParallelSpec) and len(result) != len(state.branches):
            raise ApiError("ValidationException", "Mocked result must contain the same number of items as number "
                                                  "of Parallel branches.")
        if isinstance(state, TaskSpec):
            try:
                check(state.resource, result, mode)
            except MockResultError as error:
                raise ApiError("ValidationException", str(error)) from None

    def _context(self, state: StateSpec, value: Any, role_arn: str | None, given: Any) -> dict:
        """AWS-recorded shape: an Express execution of a machine of its own, no RedriveCount."""
        now = format_timestamp(self._clock.now())
        machine_name, name = str(uuid.uuid4()), str(uuid.uuid4())
        prefix = f"arn:aws:states:{self._region}:{self._account_id}"
        execution: dict[str, Any] = {"Id": f"{prefix}:express:{machine_name}:{name}", "Input": value, "Name": name}
        if role_arn is not None:
            execution["RoleArn"] = role_arn
        execution["StartTime"] = now
        context: dict[str, Any] = {
            "Execution": execution,
            "StateMachine": {"Id": f"{prefix}:stateMachine:{machine_name}", "Name": machine_name},
            "State": {"Name": state.name, "EnteredTime": now},
        }
        if state.retries:
            context["State"]["RetryCount"] = 0
        if isinstance(given, dict):
            for key, part in given.items():
                context[key] = {**context[key], **part} if isinstance(part, dict) and key in context else part
        return context

    # -- answers ------------------------------------------------------------------------------
    def _failed(self, state: StateSpec, error: StatesError, value: Any, variables: dict, context: dict,
                retries: int, level: str) -> dict:
        answer: dict[str, Any] = {}
        details: dict[str, Any] = {}
        for index, retrier in enumerate(state.retry):
            if error_matches(retrier.errors, error.error):
                if retries < retrier.max_attempts:
                    answer["status"] = "RETRIABLE"
                    details = {"retryIndex": index,
                               "retryBackoffIntervalSeconds": int(retrier.interval * retrier.backoff ** retries)}
                break
        if "status" not in answer:
            for index, catcher in enumerate(state.catch):
                if error_matches(catcher.errors, error.error):
                    output, _ = caught_output(state, catcher, error, value, variables, context)
                    answer.update(status="CAUGHT_ERROR", output=dump(output), nextState=catcher.next)
                    details = {"catchIndex": index}
                    break
        answer.setdefault("status", "FAILED")
        if error.error is not None:
            answer["error"] = error.error
        if error.cause is not None:
            answer["cause"] = error.cause
        if level != "INFO":
            data: dict[str, Any] = {"input": dump(value)}
            if isinstance(state.flow, JsonPathFlow):
                data["afterInputPath"] = dump(_after_input_path(state, value, variables, context))
            if details:
                data["errorDetails"] = details
            answer["inspectionData"] = data
        return answer


def _inspection(state: StateSpec, value: Any, variables: dict, context: dict, result: Any) -> dict:
    """What DEBUG/TRACE show: the data after each JSONPath step (AWS-recorded shapes for Pass/Task/Choice)."""
    data: dict[str, Any] = {"input": dump(value)}
    flow = state.flow
    if not isinstance(flow, JsonPathFlow):
        if result is not None and isinstance(state, TaskSpec):
            data["result"] = dump(result)
        return data
    pass_result = getattr(state, "result", None)  # a Pass state's Result: no InputPath / Parameters step
    if pass_result is None:
        data["afterInputPath"] = dump(_after_input_path(state, value, variables, context))
    if isinstance(state, ChoiceSpec) or state.type in ("Succeed", "Fail", "Wait"):
        return data
    if pass_result is not None:
        result = pass_result(None)
        data["result"] = dump(result)
    else:
        effective = flow.effective_input(flow.enter(value, context, dict(variables)))
        if not isinstance(state, MapSpec):  # a Map's Parameters are its ItemSelector
            data["afterParameters"] = dump(effective)
        if result is None:  # a Pass state without Result works on its effective input
            result = effective
        else:
            data["result"] = dump(result)
    selected = flow.result_selector(paths.Env(result, context, variables)) if flow.result_selector else result
    data["afterResultSelector"] = dump(selected)
    data["afterResultPath"] = dump(paths.apply_result_path(flow.result_path, value, selected))
    return data


def _fan_out_data(state: StateSpec, value: Any, variables: dict, context: dict, fanned_out: dict) -> dict:
    """A Map state's own inspection fields (AWS-recorded: test_state_configuration snapshot)."""
    if not isinstance(state, MapSpec):
        return {}
    data: dict[str, Any] = {"maxConcurrency": fanned_out["max_concurrency"]}
    scope = state.flow.enter(value, context, dict(variables))
    if state.items is not None and isinstance(state.flow, JsonPathFlow):
        # AWS writes this one with spaces after separators, unlike every other inspection field
        data["afterItemsPath"] = json.dumps(state.items.get(scope), ensure_ascii=False)
    for key, field in (("toleratedFailureCount", state.tolerated_count),
                       ("toleratedFailurePercentage", state.tolerated_percentage)):
        if field is not None:
            data[key] = field.get(scope)
    return data


def _after_input_path(state: StateSpec, value: Any, variables: dict, context: dict) -> Any:
    return state.flow.enter(value, context, dict(variables)).input


def _needs_mock(resource: str) -> bool:
    parts = resource.split(":")
    return (len(parts) > 5 and parts[2] == "states" and parts[5] == "activity") or resource.endswith(
        (".sync", ".sync:2", ".waitForTaskToken"))


def _targets(body: dict) -> set[str]:
    names = {body.get("Next"), body.get("Default")}
    names.update(rule.get("Next") for rule in body.get("Choices") or [] if isinstance(rule, dict))
    names.update(catcher.get("Next") for catcher in body.get("Catch") or [] if isinstance(catcher, dict))
    return {name for name in names if isinstance(name, str)}


def _json(member: str, text: str, code: str) -> Any:
    try:
        return loads(text)
    except ValueError as error:
        if code == "InvalidExecutionInput":
            raise ApiError(code, f"Invalid State Machine Execution Input: '{error}'") from None
        raise ApiError(code, f"Invalid {member}: '{error}'") from None

