"""Testing helpers (no pytest needed): ASL files with substitutions, running an execution, reading it.

The pytest plugin (``stepfunctions_local.pytest_plugin``) hands these out as fixtures.
"""
from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping

from stepfunctions_local.mocking import MockConfigLike, use_mock_config

if TYPE_CHECKING:
    from stepfunctions_local.client import Client
    from stepfunctions_local.service import Runtime

ROLE_ARN = "arn:aws:iam::000000000000:role/stepfunctions-local"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9_.:-]+)\}")
# History events that start one attempt of a Task's resource (each retry adds one).
_ATTEMPTS = {"TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"}


def load_definition(path: str | os.PathLike[str], substitutions: Mapping[str, str] | None = None) -> str:
    """An ASL file with its ``${Name}`` placeholders filled in, as CloudFormation's
    ``DefinitionSubstitutions`` would; a placeholder without a value is an error naming it."""
    text = Path(path).read_text(encoding="utf-8")
    values = dict(substitutions or {})
    missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise KeyError(f"{path}: no substitution given for " + ", ".join(f"${{{name}}}" for name in missing))
    return _PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


@dataclass(frozen=True)
class ExecutionReport:
    """One finished execution: its outcome and, where Step Functions keeps one, its history."""

    arn: str
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: tuple[dict, ...] | None = None  # None for StartSyncExecution: Express keeps no history

    @property
    def states_entered(self) -> list[str]:
        """Names of the states entered, in history order (Parallel branches and Map iterations included)."""
        return [event["stateEnteredEventDetails"]["name"] for event in self._history()
                if event["type"].endswith("StateEntered")]

    def invocations(self, state_name: str) -> int:
        """How often the state's resource was called: first attempt plus every retry."""
        by_id = {event["id"]: event for event in self._history()}
        return sum(1 for event in self._history()
                   if event["type"] in _ATTEMPTS and _state_of(event, by_id) == state_name)

    def retries(self, state_name: str) -> int:
        """Retries of a Task state: its calls beyond the first of each time it was entered."""
        return self.invocations(state_name) - self.states_entered.count(state_name)

    def assert_succeeded(self, output: Any = ...) -> None:
        assert self.status == "SUCCEEDED", f"{self.arn} is {self.status}: {self.error}: {self.cause}"
        if output is not ...:
            assert self.output == output, f"output {self.output!r} != {output!r}"

    def assert_failed(self, error: str, cause: str | None = None) -> None:
        assert (self.status, self.error) == ("FAILED", error), f"{self.status} {self.error}: {self.cause}"
        if cause is not None:
            assert self.cause == cause, f"cause {self.cause!r} != {cause!r}"

    def assert_states_entered(self, *names: str) -> None:
        """The states entered are exactly these, in this order."""
        assert self.states_entered == list(names), f"entered {self.states_entered}"

    def _history(self) -> tuple[dict, ...]:
        if self.events is None:
            raise AssertionError(f"{self.arn} has no history: StartSyncExecution keeps none; create the "
                                 "machine as STANDARD to look at the states it went through")
        return self.events


class _Finished:
    """An execution observer keeping the outcome and history of the executions that finished.

    Express ones included (nested ones too): AWS keeps no history for them, a test wants one.
    """

    def __init__(self, limit: int = 1000) -> None:
        self._reports: dict[str, ExecutionReport] = {}
        self._limit = limit
        self._lock = threading.Lock()

    def execution_started(self, record: Any) -> None:
        pass

    def history_event_types(self, record: Any) -> tuple[str, ...]:
        return ()  # the history is read once the execution finished

    def history_event(self, record: Any, event: dict) -> None:
        pass

    def execution_finished(self, record: Any) -> None:
        output = None if record.output is None else json.loads(record.output)
        report = ExecutionReport(record.arn, record.status, output, record.error, record.cause, tuple(record.events))
        with self._lock:
            if len(self._reports) >= self._limit:
                self._reports.pop(next(iter(self._reports)))
            self._reports[record.arn] = report

    def get(self, execution_arn: str) -> ExecutionReport | None:
        with self._lock:
            return self._reports.get(execution_arn)


class LocalStepFunctions:
    """A runtime, its client and the helpers a workflow test needs (the ``sfn_local`` fixture)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.client: Client = runtime.client()
        self._finished = _Finished()
        runtime.add_observer(self._finished)

    def register(self, target: Mapping[str, Callable[[Any, Any], Any]] | Any, *, stage: str = "local") -> list[str]:
        """Plain handlers ``{"function-name": handler}``, or a Chalice app (as ``<app>-<stage>-<fn>``)."""
        if isinstance(target, Mapping):
            return [self.runtime.register_lambda(name, handler) for name, handler in target.items()]
        return self.runtime.register_chalice_app(target, stage=stage)

    def create(self, name: str, definition: str | os.PathLike[str] | dict, *,
               substitutions: Mapping[str, str] | None = None, type: str = "EXPRESS",
               role_arn: str = ROLE_ARN) -> str:
        """Create (or re-create identically) a state machine from a path, ASL text or dict; its ARN."""
        if isinstance(definition, dict):
            text = json.dumps(definition)
        elif isinstance(definition, os.PathLike) or not str(definition).lstrip().startswith("{"):
            text = load_definition(definition, substitutions)
        else:
            text = definition
        return self.client.create_state_machine(name=name, definition=text, roleArn=role_arn,
                                                type=type)["stateMachineArn"]

    def mock(self, config: MockConfigLike) -> None:
        """Use this MockConfigFile (a path, re-read when edited, or a dict) for ``#TestCase`` executions."""
        use_mock_config(self.runtime, config)

    def run(self, state_machine_arn: str, input: Any = None, *, test_case: str | None = None,
            name: str | None = None, timeout: float = 60) -> ExecutionReport:
        """Run to the end: StartSyncExecution for EXPRESS, StartExecution + history for STANDARD."""
        arn = f"{state_machine_arn}#{test_case}" if test_case else state_machine_arn
        text = json.dumps({} if input is None else input)
        extra = {"name": name} if name else {}
        machine_type = self.client.describe_state_machine(stateMachineArn=state_machine_arn)["type"]
        if machine_type == "EXPRESS":
            answer = self.client.start_sync_execution(stateMachineArn=arn, input=text, **extra)
            return self.report(answer["executionArn"])
        execution_arn = self.client.start_execution(stateMachineArn=arn, input=text, **extra)["executionArn"]
        if not self.runtime.wait_for(execution_arn, timeout=timeout):
            raise AssertionError(f"{execution_arn} still running after {timeout} s")
        return self.report(execution_arn)

    def report(self, execution_arn: str) -> ExecutionReport:
        """A finished execution of this runtime, Express (nested ones too) or Standard, with its history."""
        finished = self._finished.get(execution_arn)
        if finished is not None:
            return finished
        answer = self.client.describe_execution(executionArn=execution_arn)
        return _report(answer, tuple(self._history(execution_arn)))

    def _history(self, execution_arn: str) -> list[dict]:
        page = self.client.get_execution_history(executionArn=execution_arn, maxResults=1000)
        events = list(page["events"])
        while "nextToken" in page:
            page = self.client.get_execution_history(executionArn=execution_arn, maxResults=1000,
                                                     nextToken=page["nextToken"])
            events.extend(page["events"])
        return events


def _report(answer: dict, events: tuple[dict, ...] | None) -> ExecutionReport:
    output = answer.get("output")
    return ExecutionReport(answer["executionArn"], answer["status"], None if output is None else json.loads(output),
                           answer.get("error"), answer.get("cause"), events)


def _state_of(event: dict, by_id: dict[int, dict]) -> str | None:
    """The state an event belongs to: follow previousEventId back to the nearest StateEntered."""
    current = by_id.get(event.get("previousEventId", 0))
    while current is not None:
        if current["type"].endswith("StateEntered"):
            return current["stateEnteredEventDetails"]["name"]
        current = by_id.get(current.get("previousEventId", 0))
    return None
