"""History events as AWS records them, or just event ids when nobody asked for history."""
from __future__ import annotations

import itertools
import json
from typing import Any, Callable, Iterator

from .exceptions import StatesError
from .history import History
from .types import HistoryRecorder

_STATES_PREFIX = "arn:aws:states:::"
_NOT_TRUNCATED = {"truncated": False}
PAYLOAD_LIMIT = 262_144  # Step Functions' 256 KiB quota on state data (UTF-8 bytes of the JSON text)


def too_large(text: str) -> bool:
    return len(text) > PAYLOAD_LIMIT // 4 and len(text.encode()) > PAYLOAD_LIMIT


def data_limit_exceeded(name: str) -> StatesError:
    """AWS-recorded wording; ``name`` is the state, the Lambda ARN or the integration ('lambda')."""
    return StatesError("States.DataLimitExceeded", f"The state/task '{name}' returned a result with a size "
                                                   "exceeding the maximum number of bytes service limit.")


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def resource_type(resource: str) -> tuple[str, str]:
    """``arn:aws:states:::aws-sdk:s3:getObject`` -> ("aws-sdk:s3", "getObject"), as history shows it."""
    if not resource.startswith(_STATES_PREFIX):
        parts = resource.split(":")
        return (parts[2] if len(parts) > 2 else resource), resource
    rest = resource[len(_STATES_PREFIX):]
    if rest.startswith("aws-sdk:"):
        _, service, action = rest.split(":", 2)
        return f"aws-sdk:{service}", action
    kind, _, action = rest.partition(":")
    return kind, action


def is_lambda_function_arn(resource: str) -> bool:
    parts = resource.split(":")
    return len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function"


class _Suffixed(dict):
    """``state type -> state type + suffix``, made once per type (every state entered and exited needs one)."""

    def __init__(self, suffix: str) -> None:
        super().__init__()
        self.suffix = suffix

    def __missing__(self, state_type: str) -> str:
        value = self[state_type] = state_type + self.suffix
        return value


_new = object.__new__
_ENTERED = _Suffixed("StateEntered")
_EXITED = _Suffixed("StateExited")


# Details made when the event is read, for a history recording without its lock (history.py):
def _entered(name: str, input: Any) -> dict:
    return {"name": name, "input": _json(input), "inputDetails": _NOT_TRUNCATED}


def _exited(name: str, output: Any, assigned: dict | None) -> dict:
    details: dict[str, Any] = {"name": name, "output": _json(output), "outputDetails": _NOT_TRUNCATED}
    if assigned:
        details["assignedVariables"] = {key: _json(value) for key, value in assigned.items()}
        details["assignedVariablesDetails"] = _NOT_TRUNCATED
    return details


def _lambda_scheduled(resource: str, parameters: Any, timeout: float | None, credentials: Any) -> dict:
    details: dict[str, Any] = {"resource": resource, "input": _json(parameters), "inputDetails": _NOT_TRUNCATED}
    if timeout is not None:
        details["timeoutInSeconds"] = int(timeout)
    return {**details, **_task_credentials(credentials)}


def _task_credentials(credentials: Any) -> dict:
    """AWS-recorded: a Task's ``Credentials`` show in its scheduled event as ``taskCredentials``."""
    if isinstance(credentials, dict) and "RoleArn" in credentials:
        return {"taskCredentials": {"roleArn": credentials["RoleArn"]}}
    return {}


def _task_scheduled(kind: str, action: str, region: str, parameters: Any, timeout: float | None,
                    heartbeat: float | None, credentials: Any) -> dict:
    details: dict[str, Any] = {"resourceType": kind, "resource": action, "region": region,
                               "parameters": _json(parameters)}
    if timeout is not None:
        details["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        details["heartbeatInSeconds"] = int(heartbeat)
    return {**details, **_task_credentials(credentials)}


def _output(output: Any) -> dict:
    return {"output": _json(output), "outputDetails": _NOT_TRUNCATED}


def _task_output(kind: str, action: str, output: Any) -> dict:
    return {"resourceType": kind, "resource": action, "output": _json(output), "outputDetails": _NOT_TRUNCATED}


class Events:
    """Wraps a HistoryRecorder; with none, only hands out ids (for AWS's "entered at the event id #n").

    The execution's own Events follows the recorder's order; ``branch(start)`` gives a Parallel branch
    or Map iteration its own chain, whose first event points at ``start`` as in AWS's histories.
    A lock-free ``History`` (an observed Express execution) gets tuples
    appended directly, their details made only when read: no JSON text, dict or datetime while the
    execution runs. Its states' outputs are then checked against the 256 KiB quota as an
    unrecorded execution's are (Task results, and the execution's output), not at each exit.
    """

    __slots__ = ("recorder", "region", "_append", "_now", "_ids", "last")

    def __init__(self, recorder: HistoryRecorder | None, region: str, ids: Iterator[int] | None = None,
                 last: int | None = None) -> None:
        self.recorder = recorder
        self.region = region
        history = recorder if isinstance(recorder, History) and recorder.lock_free else None
        self._append: Callable[[tuple], None] | None = history.entries.append if history is not None else None
        # only called when ``_append`` is set (``float`` stands in: it returns a float, 0.0)
        self._now: Callable[[], float] = history.now if history is not None else float
        if history is not None:
            self._ids = history.ids
        else:
            self._ids = ids if ids is not None else itertools.count(2)  # event 1 is ExecutionStarted
        self.last = last

    def branch(self, start: int) -> BranchEvents:
        # copied field by field: a Map makes one per iteration, and __init__'s checks were settled for this one
        child = _new(BranchEvents)
        child.recorder, child.region, child._append, child._now, child._ids = (
            self.recorder, self.region, self._append, self._now, self._ids)
        child.last = start
        return child

    def id_source(self) -> Callable[[], int] | None:
        """Where nothing is recorded, what hands out the next event id (an event then is only its id)."""
        return self._ids.__next__ if self.recorder is None else None

    def add_after(self, previous: int, event_type: str, key: str | None = None, details: dict | None = None) -> int:
        """``branch(previous).add(...)`` without the branch (a Map iteration's Started / Succeeded event)."""
        if self._append is not None:
            event_id = next(self._ids)
            self._append((event_id, previous, self._now(), event_type, key, None, details))
            return event_id
        if self.recorder is None:
            return next(self._ids)
        return self.recorder.add(event_type, key, details, previous_event_id=previous)

    def add(self, event_type: str, key: str | None = None, details: dict | None = None) -> int:
        if self._append is not None:
            return self._defer(event_type, key, None, details)
        if self.recorder is None:
            event_id = next(self._ids)
        elif self.last is None:
            return self.recorder.add(event_type, key, details)
        else:
            event_id = self.recorder.add(event_type, key, details, previous_event_id=self.last)
        if self.last is not None:
            self.last = event_id
        return event_id

    def _defer(self, event_type: str, key: str | None, render: Callable[..., dict] | None, *args: Any) -> int:
        """Append to a lock-free History: its id, the one before, the time, and how to make the details."""
        append = self._append
        assert append is not None  # callers check it
        event_id = next(self._ids)
        last = self.last
        if last is None:
            previous = 0 if event_id <= 2 else event_id - 1
        else:
            previous = last
            self.last = event_id
        append((event_id, previous, self._now(), event_type, key, render, *args))
        return event_id

    def entered(self, state_type: str, name: str, input: Any) -> int:
        if self.recorder is None:  # ``add("")`` inlined: every state entered and exited pays for it
            event_id = next(self._ids)
            if self.last is not None:
                self.last = event_id
            return event_id
        if self._append is not None:  # ``_defer`` inlined
            event_id = next(self._ids)
            last = self.last
            if last is None:
                previous = 0 if event_id <= 2 else event_id - 1
            else:
                previous = last
                self.last = event_id
            self._append((event_id, previous, self._now(), _ENTERED[state_type], "stateEnteredEventDetails",
                          _entered, name, input))
            return event_id
        return self.add(_ENTERED[state_type], "stateEnteredEventDetails", _entered(name, input))

    def exited(self, state_type: str, name: str, output: Any, assigned: dict | None) -> None:
        if self.recorder is None:
            event_id = next(self._ids)
            if self.last is not None:
                self.last = event_id
            return
        if self._append is not None:  # ``_defer`` inlined, as in ``entered``
            event_id = next(self._ids)
            last = self.last
            if last is None:
                previous = 0 if event_id <= 2 else event_id - 1
            else:
                previous = last
                self.last = event_id
            self._append((event_id, previous, self._now(), _EXITED[state_type], "stateExitedEventDetails", _exited,
                          name, output, assigned))
            return
        text = _json(output)
        if too_large(text):  # AWS-recorded: the execution fails without the state's Exited event
            raise data_limit_exceeded(name)
        details: dict[str, Any] = {"name": name, "output": text, "outputDetails": _NOT_TRUNCATED}
        if assigned:
            details["assignedVariables"] = {key: _json(value) for key, value in assigned.items()}
            details["assignedVariablesDetails"] = _NOT_TRUNCATED
        self.add(_EXITED[state_type], "stateExitedEventDetails", details)

    def evaluation_failed(self, state_name: str, error: Any) -> None:
        """A JSONata expression failed: error, cause, the field (location) and the state."""
        self.add("EvaluationFailed", "evaluationFailedEventDetails",
                 {"error": error.error, "cause": error.cause, "location": error.location, "state": state_name})

    def task_scheduled(self, resource: str, parameters: Any, timeout: float | None, heartbeat: float | None,
                       credentials: Any = None) -> None:
        if self.recorder is None:
            self.add(""), self.add("")
            return
        if is_lambda_function_arn(resource):
            self._record("LambdaFunctionScheduled", "lambdaFunctionScheduledEventDetails", _lambda_scheduled,
                         (resource, parameters, timeout, credentials))
            self.add("LambdaFunctionStarted")
            return
        kind, action = resource_type(resource)
        self._record("TaskScheduled", "taskScheduledEventDetails", _task_scheduled,
                     (kind, action, self.region, parameters, timeout, heartbeat, credentials))
        self.add("TaskStarted", "taskStartedEventDetails", {"resourceType": kind, "resource": action})

    def task_submitted(self, resource: str, output: Any) -> None:
        """A callback task's integration answered; the task now waits for its token."""
        if self.recorder is None:
            self.add("")
            return
        kind, action = resource_type(resource)
        self._record("TaskSubmitted", "taskSubmittedEventDetails", _task_output, (kind, action, output))

    def task_succeeded(self, resource: str, output: Any) -> None:
        if self.recorder is None:
            self.add("")
            return
        if is_lambda_function_arn(resource):
            self._record("LambdaFunctionSucceeded", "lambdaFunctionSucceededEventDetails", _output, (output,))
            return
        kind, action = resource_type(resource)
        self._record("TaskSucceeded", "taskSucceededEventDetails", _task_output, (kind, action, output))

    def _record(self, event_type: str, key: str, render: Callable[..., dict], args: tuple) -> None:
        """Details with JSON texts: made now for a recorder, when read for a lock-free History."""
        if self._append is not None:
            self._defer(event_type, key, render, *args)
        else:
            self.add(event_type, key, render(*args))

    def task_failed(self, resource: str, error: str | None, cause: str | None, timed_out: bool) -> None:
        if self.recorder is None:
            self.add("")
            return
        failure = {key: value for key, value in (("error", error), ("cause", cause)) if value is not None}
        if is_lambda_function_arn(resource):
            if timed_out:
                self.add("LambdaFunctionTimedOut", "lambdaFunctionTimedOutEventDetails", failure)
            else:
                self.add("LambdaFunctionFailed", "lambdaFunctionFailedEventDetails", failure)
            return
        kind, action = resource_type(resource)
        details = {"resourceType": kind, "resource": action, **failure}
        if timed_out:
            self.add("TaskTimedOut", "taskTimedOutEventDetails", details)
        else:
            self.add("TaskFailed", "taskFailedEventDetails", details)


class BranchEvents(Events):
    """A Parallel branch's or Map iteration's events: always chained, so ``last`` is the id of its latest event."""

    __slots__ = ()
    last: int

    def __init__(self, recorder: HistoryRecorder | None, region: str, ids: Iterator[int], start: int) -> None:
        super().__init__(recorder, region, ids, start)
