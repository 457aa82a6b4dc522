"""Executions: start (async and sync), describe, list, history, stop; and running them.

A Standard execution runs in its own thread and is remembered; an Express one runs in the
caller's thread (StartSyncExecution) or a thread of its own (StartExecution) and is forgotten.
``<stateMachineArn>#<TestCaseName>`` starts the machine with ``test_case`` set on the record, for
a task interceptor; the execution's ARN names the machine without the suffix.
"""
from __future__ import annotations

import json
import math
import re
import threading
from datetime import datetime, timedelta
from typing import Any

from ..api_errors import ApiError, validation_error, violation
from ..events import data_limit_exceeded, too_large
from ..history import History, to_datetime
from ..interpreter import ExecutionResult, Machine
from ..map_runs import MapRuns
from ..mocking import UnknownTestCase, require_test_case
from ..observers import Observers
from ..progress import Progress
from ..records import Arns, Execution, StateMachine, Store
from ..types import Clock, TaskRunner
from ..variable_references import described
from .common import (
    check_arn,
    check_enum,
    data,
    dump,
    error_cause,
    execution,
    execution_name,
    map_run,
    page,
    parse_input,
)
from .versions_aliases import resolve

EXPRESS_MAX_SECONDS = 300
_MAX_TOKEN = 3096  # ListExecutions' nextToken may be longer than the other operations'
_STATUSES = ("SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING")  # AWS's message order
_FINAL_EVENTS = {"FAILED": "ExecutionFailed", "TIMED_OUT": "ExecutionTimedOut", "ABORTED": "ExecutionAborted"}
# RedriveExecution's limits (API reference and Step Functions quotas)
REDRIVABLE_PERIOD = timedelta(days=14)
MAX_OPEN_TIME = timedelta(days=365)
MAX_REDRIVES = 1000
MAX_HISTORY_EVENTS = 24_999
CLIENT_TOKEN_LIFETIME = timedelta(minutes=15)
CLIENT_TOKENS_KEPT = 10
_CLIENT_TOKEN = re.compile(r"[!-~]{1,64}")  # botocore's ClientToken shape


class ExecutionsApi:
    def __init__(self, store: Store, clock: Clock, arns: Arns, tasks: TaskRunner, observers: Observers,
                 map_runs: MapRuns) -> None:
        self._store = store
        self._map_runs = map_runs
        self._clock = clock
        self._arns = arns
        self._tasks = tasks
        self._observers = observers

    # -- operations ---------------------------------------------------------------------
    def start_execution(
        self, *, stateMachineArn: str, name: str | None = None, input: str | None = None, **_ignored: Any
    ) -> dict:
        sm, test_case, version_arn, alias_arn = self._resolve(stateMachineArn)
        name = execution_name(name)
        text, value = parse_input(input)
        started = to_datetime(self._clock.now())
        if sm.type == "EXPRESS":
            # Express StartExecution is fire-and-forget: nothing can describe it afterwards.
            arn = self._arns.express_execution(sm.name, name)
            record = self._express_record(sm, arn, name, text, started.timestamp(), test_case)
            threading.Thread(target=self._run_express, args=(sm, record, arn, name, value, started.timestamp()),
                             name=f"sfn-{name}", daemon=True).start()
            return {"executionArn": arn, "startDate": started}
        arn = self._arns.execution(sm.name, name)
        record = Execution(arn, name, sm, text, started, sm.definition, sm.machine, test_case=test_case,
                           version_arn=version_arn, alias_arn=alias_arn, progress=Progress(),
                           stop_requested=threading.Event(), done=threading.Event())
        record.history = History(self._clock)
        with self._store.lock:
            existing = self._store.executions.get(arn)
            if existing is not None:
                if existing.status == "RUNNING" and existing.input == text:
                    return {"executionArn": arn, "startDate": existing.started}
                raise ApiError("ExecutionAlreadyExists", f"Execution Already Exists: '{arn}'")
            self._store.executions[arn] = record
        self._begin(record)
        self._start_worker(record, value)
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
        sm, test_case, _, _ = self._resolve(stateMachineArn)
        if sm.type != "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        name = execution_name(name)
        text, value = parse_input(input)
        arn = self._arns.express_execution(sm.name, name)
        start = self._clock.now()
        record = self._express_record(sm, arn, name, text, start, test_case)
        result, output_text = self._run_express(sm, record, arn, name, value, start, sync=True)
        stop = self._clock.now()
        response: dict[str, Any] = {
            "executionArn": arn, "stateMachineArn": sm.arn, "name": name,
            "startDate": to_datetime(start) if record is None else record.started,
            "stopDate": to_datetime(stop) if record is None else record.stopped, "status": result.status,
        }
        if result.status == "SUCCEEDED":
            response.update(data("output", output_text, includedData))
        else:
            # AWS-recorded: a sync execution that did not succeed still answers outputDetails (without output)
            response.update(error_cause(result.error, result.cause))
            response["outputDetails"] = data("output", "", includedData)["outputDetails"]
        response.update(data("input", text, includedData))
        if traceHeader is not None:
            response["traceHeader"] = traceHeader
        response["billingDetails"] = {
            "billedMemoryUsedInMB": 64,
            "billedDurationInMilliseconds": max(100, math.ceil((stop - start) * 10) * 100),
        }
        return response

    def describe_execution(self, *, executionArn: str, includedData: str | None = None) -> dict:
        record = execution(self._store, executionArn)
        response: dict[str, Any] = {
            "executionArn": record.arn, "stateMachineArn": record.state_machine.arn,
            "name": record.name, "status": record.status, "startDate": record.started,
        }
        response.update(_qualifiers(record))
        if record.stopped is not None:
            response["stopDate"] = record.stopped
        response.update(data("input", record.input, includedData))
        if record.output is not None:
            response.update(data("output", record.output, includedData))
        if record.status != "TIMED_OUT":  # AWS-recorded: a timed-out execution is described without error or cause
            response.update(error_cause(record.error, record.cause))
        response["redriveCount"] = record.redrive_count
        if record.redrive_date is not None:
            response["redriveDate"] = record.redrive_date
        reason = self._not_redrivable(record)
        if reason is None:
            response["redriveStatus"] = "REDRIVABLE"
        else:
            response["redriveStatus"] = "NOT_REDRIVABLE"
            response["redriveStatusReason"] = reason
        return response

    def redrive_execution(self, *, executionArn: str, clientToken: str | None = None) -> dict:
        if clientToken is not None and not _CLIENT_TOKEN.fullmatch(clientToken):
            raise validation_error(violation(
                "clientToken", clientToken,
                "Member must satisfy regular expression pattern: [!-~]+ and have length between 1 and 64"))
        if executionArn.split(":")[5:6] == ["express"]:
            check_arn(executionArn, "express")
            raise ApiError("ExecutionNotRedrivable", "Execution is an EXPRESS workflow execution and cannot be "
                                                     "redriven")
        record = execution(self._store, executionArn)
        worker = record.worker
        if record.status != "RUNNING" and worker is not None and worker is not threading.current_thread():
            # the last attempt's thread is ending (a stopped one at its next step): it must not run on, and
            # observers hear of its end before they hear of the redrive
            worker.join()
        now = to_datetime(self._clock.now())
        with self._store.lock:
            answered = (record.redrive_tokens or {}).get(clientToken) if clientToken is not None else None
            if answered is not None and now - answered <= CLIENT_TOKEN_LIFETIME:
                return {"redriveDate": answered}  # the same request again: idempotent
            reason = self._not_redrivable(record)
            if reason is not None:
                raise ApiError("ExecutionNotRedrivable", reason)
            record.redrive_count += 1
            record.redrive_date = now
            if clientToken is not None:
                tokens = record.redrive_tokens = record.redrive_tokens or {}
                tokens[clientToken] = now
                while len(tokens) > CLIENT_TOKENS_KEPT:
                    tokens.pop(next(iter(tokens)))
            record.status, record.stopped, record.output, record.error, record.cause = "RUNNING", None, None, None, None
            _standard(record.stop_requested).clear()
            _standard(record.done).clear()
            if record.history is not None:
                record.history.reopen("ExecutionRedriven", "executionRedrivenEventDetails",
                                      {"redriveCount": record.redrive_count})
        self._start_worker(record, json.loads(record.input))
        return {"redriveDate": now}

    def describe_state_machine_for_execution(self, *, executionArn: str, **_ignored: Any) -> dict:
        record = execution(self._store, executionArn)
        sm = record.state_machine
        return {
            "stateMachineArn": sm.arn, "name": sm.name, "definition": record.definition, "roleArn": sm.role_arn,
            "updateDate": sm.created, "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing,
            **({"revisionId": sm.revision_id} if sm.revision_id is not None else {}), **described(record.definition),
        }

    def list_executions(
        self,
        *,
        stateMachineArn: str | None = None,
        statusFilter: str | None = None,
        maxResults: int = 0,
        nextToken: str | None = None,
        redriveFilter: str | None = None,
        mapRunArn: str | None = None,
        **_ignored: Any,
    ) -> dict:
        if statusFilter is not None:
            check_enum(statusFilter, "statusFilter", _STATUSES)
        if (stateMachineArn is None) == (mapRunArn is None):
            raise ApiError("ValidationException", "Must provide a StateMachine ARN or MapRun ARN")
        if mapRunArn is not None:
            items = self._map_runs.child_executions(map_run(self._map_runs, mapRunArn), statusFilter)
            return page(items, "executions", maxResults, nextToken, _MAX_TOKEN)
        assert stateMachineArn is not None  # exactly one of the two ARNs, checked above
        sm, _, version_arn, alias_arn = self._resolve(stateMachineArn)
        if sm.type == "EXPRESS":
            raise ApiError("StateMachineTypeNotSupported",
                           "This operation is not supported by this type of state machine")
        # a version or alias ARN lists the executions started on it
        qualifier = "alias_arn" if alias_arn is not None else "version_arn" if version_arn is not None else None
        with self._store.lock:
            found = [e for e in self._store.executions.values() if e.state_machine.arn == sm.arn
                     and (qualifier is None or getattr(e, qualifier) == stateMachineArn)
                     and (statusFilter is None or e.status == statusFilter)
                     and (redriveFilter is None or (redriveFilter == "REDRIVEN") == (e.redrive_count > 0))]
        # the API reference's order: running ones by startDate or redriveDate, the others by stopDate
        found.sort(key=lambda e: e.stopped or e.redrive_date or e.started, reverse=True)
        items = []
        for e in found:
            item = {"executionArn": e.arn, "stateMachineArn": sm.arn, **_qualifiers(e), "name": e.name,
                    "status": e.status, "startDate": e.started}
            if e.stopped is not None:
                item["stopDate"] = e.stopped
            item["redriveCount"] = e.redrive_count  # AWS-recorded: 0 too, for a Standard execution
            if e.redrive_count:
                item["redriveDate"] = e.redrive_date
            items.append(item)
        return page(items, "executions", maxResults, nextToken, _MAX_TOKEN)

    def get_execution_history(
        self,
        *,
        executionArn: str,
        maxResults: int = 0,
        reverseOrder: bool = False,
        nextToken: str | None = None,
        includeExecutionData: bool = True,
    ) -> dict:
        events = execution(self._store, executionArn).events
        if reverseOrder:
            events.reverse()
        if not includeExecutionData:
            events = [_without_data(event) for event in events]
        return page(events, "events", maxResults, nextToken)

    def stop_execution(self, *, executionArn: str, error: str | None = None, cause: str | None = None) -> dict:
        record = execution(self._store, executionArn)
        with self._store.lock:
            stopping = record.status == "RUNNING"
            if stopping:
                self._finish(record, "ABORTED", error=error, cause=cause)
                _standard(record.stop_requested).set()
            stopped = record.stopped
        if stopping and self._observers.active:
            self._observers.finished(record)
        return {"stopDate": stopped}

    def wait_for(self, execution_arn: str, timeout: float | None = None) -> bool:
        """Block until a Standard execution is done (for nested ``.sync`` tasks and tests)."""
        return _standard(execution(self._store, execution_arn).done).wait(timeout)

    def _not_redrivable(self, record: Execution) -> str | None:
        """Why RedriveExecution would refuse this execution (the documented redriveStatusReason), or None."""
        if record.status in ("RUNNING", "SUCCEEDED"):
            return f"Execution is {record.status} and cannot be redriven"
        if self._store.machines.get(record.state_machine.arn) is not record.state_machine:
            return "State machine is in DELETING status"
        now = to_datetime(self._clock.now())
        if record.stopped is not None and now - record.stopped > REDRIVABLE_PERIOD:
            return "Execution redrivable period exceeded"
        if now - record.started > MAX_OPEN_TIME:
            return "Execution has exceeded the max execution time"
        if record.history is not None and len(record.history) >= MAX_HISTORY_EVENTS:
            return "Execution history event limit exceeded"
        if record.redrive_count >= MAX_REDRIVES:
            return f"Execution has been redriven the maximum number of times ({MAX_REDRIVES})"
        return None

    # -- running --------------------------------------------------------------------------
    def _resolve(self, arn: str) -> tuple[StateMachine, str | None, str | None, str | None]:
        """The machine (or version) to run for ``arn`` or ``arn#TestCaseName``: the machine, the test case
        named (refused if it cannot run), the version ARN and the alias ARN it was started on."""
        machine_arn, _, test_case = arn.partition("#")
        sm, version_arn, alias_arn = resolve(self._store, machine_arn)
        if test_case:
            try:
                require_test_case(self._tasks, sm.name, test_case)
            except UnknownTestCase as error:
                raise ApiError("InvalidName", error.message) from None
        return sm, test_case or None, version_arn, alias_arn

    def _express_record(self, sm: StateMachine, arn: str, name: str, text: str, start: float,
                        test_case: str | None) -> Execution | None:
        """A record only for observers or a task interceptor: an Express execution otherwise keeps none."""
        if not self._observers.active and self._tasks.interceptor is None:
            return None
        record = Execution(arn, name, sm, text, to_datetime(start), sm.definition, sm.machine, test_case=test_case)
        if self._observers.active:  # no lock, and no dict per event unless an observer wants that type
            record.history = History(self._clock, lock_free=True)
        return record

    def _begin(self, record: Execution) -> None:
        if self._observers.active:
            self._observers.started(record)
            listener, event_types = self._observers.listener(record)
            if listener is not None and record.history is not None:
                record.history.tell(listener, event_types)
        if record.history is not None:
            record.history.defer("ExecutionStarted", "executionStartedEventDetails", _started_details,
                                 (record.input, record.state_machine.role_arn))

    def _run(self, sm: StateMachine, machine: Machine, arn: str, name: str, value: Any, start: float,
             record: Execution | None, sync: bool = False) -> ExecutionResult:
        max_duration = EXPRESS_MAX_SECONDS if sm.type == "EXPRESS" else None
        history = record.history if record is not None else None
        stop = record.stop_requested if record is not None and sm.type == "STANDARD" else None
        context = _context(sm, arn, name, value, start, sync)
        progress = None
        if record is not None and record.progress is not None:  # Standard
            progress = record.progress
            if record.redrive_date is not None:
                context["Execution"]["RedriveCount"] = record.redrive_count
                context["Execution"]["RedriveTime"] = _iso(record.redrive_date)
        return machine.run(value, context=context, tasks=self._tasks, clock=self._clock, history=history, stop=stop,
                           max_duration=max_duration, execution=record, progress=progress,
                           map_runs=self._map_runs)

    def _run_express(self, sm: StateMachine, record: Execution | None, arn: str, name: str, value: Any,
                     start: float, sync: bool = False) -> tuple[ExecutionResult, str]:
        """Run to the end (``record`` None: nobody observes or intercepts, nothing is recorded); the result and
        its output's JSON text ("" unless SUCCEEDED)."""
        if record is not None:
            self._begin(record)
        result = self._run(sm, sm.machine, arn, name, value, start, record, sync)
        output_text = ""
        if result.status == "SUCCEEDED":
            output_text = dump(result.output)
            # without a recorded exit per state (history.py's lock-free recording, or none) the last is checked here
            if too_large(output_text):
                failure = data_limit_exceeded(result.last_state or "")
                result, output_text = ExecutionResult("FAILED", error=failure.error, cause=failure.cause), ""
                if record is not None and record.history is not None:
                    record.history.withdraw_last()  # AWS writes no Exited event for that state
        if record is not None:
            self._finish(record, result.status, output=output_text, error=result.error, cause=result.cause)
            if self._observers.active:
                self._observers.finished(record)
        return result, output_text

    def _start_worker(self, record: Execution, value: Any) -> None:
        record.worker = threading.Thread(target=self._run_standard, args=(record, value), name=f"sfn-{record.name}",
                                         daemon=True)
        record.worker.start()

    def _run_standard(self, record: Execution, value: Any) -> None:
        try:
            result = self._run(record.state_machine, record.machine, record.arn, record.name, value,
                               record.started.timestamp(), record)
            status, error, cause = result.status, result.error, result.cause
            output = dump(result.output) if status == "SUCCEEDED" else None
        except Exception as unexpected:  # a bug must not leave the execution RUNNING forever
            status, output, error, cause = "FAILED", None, "States.Runtime", repr(unexpected)
        with self._store.lock:
            finishing = record.status == "RUNNING"
            if finishing:
                self._finish(record, status, output=output, error=error, cause=cause)
        _standard(record.done).set()
        if finishing and self._observers.active:
            self._observers.finished(record)

    def _finish(self, record: Execution, status: str, *, output: str | None = None,
                error: str | None = None, cause: str | None = None) -> None:
        """``output``: the JSON text of a SUCCEEDED execution's output."""
        record.status, record.error, record.cause = status, error, cause
        record.stopped = to_datetime(self._clock.now())
        if status == "SUCCEEDED":
            record.output = output
            if record.history is not None:
                record.history.close("ExecutionSucceeded", "executionSucceededEventDetails", _succeeded_details,
                                     output)
        elif record.history is not None:
            event = _FINAL_EVENTS[status]
            # AWS-recorded: StopExecution's ExecutionAborted follows no event (previousEventId 0)
            record.history.close(event, event[0].lower() + event[1:] + "EventDetails", error_cause, error, cause,
                                 previous_event_id=0 if status == "ABORTED" else None)
        if status == "ABORTED":  # StopExecution (Standard)
            _standard(record.done).set()


def _started_details(input: str, role_arn: str) -> dict:
    return {"input": input, "inputDetails": {"truncated": False}, "roleArn": role_arn}


def _succeeded_details(output: str) -> dict:
    return {"output": output, "outputDetails": {"truncated": False}}


def _standard(event: threading.Event | None) -> threading.Event:
    """A Standard execution's ``stop_requested`` / ``done`` (an Express one has neither)."""
    if event is None:
        raise TypeError("only a Standard execution can be stopped or waited for")
    return event


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _context(sm: StateMachine, arn: str, name: str, value: Any, start: float, sync: bool) -> dict:
    execution = {"Id": arn, "Input": value, "Name": name, "RoleArn": sm.role_arn, "StartTime": _iso(to_datetime(start))}
    if not sync:  # AWS-recorded: StartSyncExecution's context object has no RedriveCount (StartExecution's has)
        execution["RedriveCount"] = 0
    return {"Execution": execution, "StateMachine": {"Id": sm.arn, "Name": sm.name}}


def _qualifiers(record: Execution) -> dict:
    """The version (and alias) an execution was started on, as DescribeExecution / ListExecutions show them."""
    found = {}
    if record.version_arn is not None:
        found["stateMachineVersionArn"] = record.version_arn
    if record.alias_arn is not None:
        found["stateMachineAliasArn"] = record.alias_arn
    return found


def _without_data(event: dict) -> dict:
    stripped = {}
    for key, value in event.items():
        if isinstance(value, dict) and key.endswith("EventDetails"):
            value = {k: v for k, v in value.items() if k not in ("input", "output", "parameters")}
        stripped[key] = value
    return stripped
