"""Helpers for the interpreter tests: a recording task runner, a history recorder, a runner."""
from __future__ import annotations

import json
import threading
from typing import Any, Callable

from stepfunctions_local.callbacks import TaskTokens
from stepfunctions_local.clock import ManualClock
from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.interpreter import ExecutionResult, compile_definition

MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:test"
EXECUTION_ARN = "arn:aws:states:us-east-1:000000000000:execution:test:run-1"
LAMBDA_ARN = "arn:aws:lambda:us-east-1:000000000000:function:worker"


def context(input: Any = None) -> dict:
    return {
        "Execution": {"Id": EXECUTION_ARN, "Input": input, "Name": "run-1",
                      "RoleArn": "arn:aws:iam::000000000000:role/test", "StartTime": "2023-11-14T22:13:20.000Z",
                      "RedriveCount": 0},
        "StateMachine": {"Id": MACHINE_ARN, "Name": "test"},
    }


class FakeTasks:
    """A TaskRunner that records calls and answers from a table of handlers by resource."""

    def __init__(self, **handlers: Callable[[Any], Any]) -> None:
        self.handlers = handlers
        self.tokens = TaskTokens()
        self.interceptor = None
        self.calls: list[dict] = []
        self._lock = threading.Lock()

    def run_task(self, resource: str, parameters: Any, *, context: dict, timeout: float | None) -> Any:
        with self._lock:
            self.calls.append({"resource": resource, "parameters": parameters, "context": context, "timeout": timeout})
        handler = self.handlers.get(resource.rsplit(":", 1)[-1], lambda p: p)
        return handler(parameters)


def failing(*errors: StatesError | None) -> Callable[[Any], Any]:
    """A handler raising the given errors in turn, then echoing its input."""
    queue = list(errors)

    def handler(parameters: Any) -> Any:
        error = queue.pop(0) if queue else None
        if error is not None:
            raise error
        return parameters

    return handler


class History:
    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, dict | None]] = []
        self.previous: dict[int, int | None] = {}  # event id -> the previous_event_id it was given
        self._lock = threading.Lock()

    def add(self, event_type: str, details_key: str | None = None, details: dict | None = None,
            previous_event_id: int | None = None) -> int:
        with self._lock:
            self.events.append((event_type, details_key, details))
            event_id = len(self.events) + 1
            self.previous[event_id] = previous_event_id
        return event_id

    @property
    def types(self) -> list[str]:
        return [event[0] for event in self.events]


def run(definition: dict, input: Any = None, *, tasks: Any = None, clock: Any = None,
        **options: Any) -> ExecutionResult:
    machine = compile_definition(json.dumps(definition))
    return machine.run({} if input is None else input, context=context(input), tasks=tasks or FakeTasks(),
                       clock=clock or ManualClock(), **options)


def single(state: dict, **top: Any) -> dict:
    """A one-state machine around ``state``."""
    end = {} if state["Type"] in ("Succeed", "Fail", "Choice") else {"End": True}
    return {"StartAt": "S", "States": {"S": {**state, **end}}, **top}
