"""Run a compiled state machine: one state after another, as the ASL specification says.

A ``Machine`` is immutable once compiled and can run in many threads at once; everything that
belongs to one execution lives in a ``_Run``.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable

from . import definition as d
from . import paths
from .clock import RealClock
from .events import Events
from .exceptions import StateDataError, StatesError
from .jsonata_support import UNDEFINED
from .timestamps import format_timestamp, parse_timestamp
from .types import Clock, HistoryRecorder, TaskRunner

# States.ALL and States.TaskFailed never catch States.Runtime (AWS-recorded: DataLimitExceeded is caught).
_TERMINAL_ERRORS = frozenset({"States.Runtime"})
_REAL_SLEEP_SLICE = 0.05


@dataclass(frozen=True)
class ExecutionResult:
    status: str  # "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED"
    output: Any = None
    error: str | None = None
    cause: str | None = None


class _Aborted(Exception):
    """The execution (or a sibling branch) was stopped."""


class _TimedOut(Exception):
    """The execution ran past its TimeoutSeconds / the Express limit."""


def compile_definition(definition: str) -> Machine:
    """Parse JSON and validate; DefinitionError points at the problem (state and path)."""
    document, program, timeout = d.parse(definition)
    return Machine(document, program, timeout)


class Machine:
    """A compiled state machine."""

    def __init__(self, definition: dict, program: d.Program, timeout: float | None) -> None:
        self.definition = definition
        self.program = program
        self.timeout = timeout

    def run(self, input: Any, *, context: dict, tasks: TaskRunner, clock: Clock,
            history: HistoryRecorder | None = None, stop: threading.Event | None = None,
            max_duration: float | None = None) -> ExecutionResult:
        limits = [limit for limit in (self.timeout, max_duration) if limit]
        deadline = clock.now() + min(limits) if limits else None
        region = _region(context)
        run = _Run(context, tasks, clock, Events(history, region), _Signal(stop, None), deadline)
        try:
            output = run.program(self.program, input, {})
            if deadline is not None and clock.now() > deadline:
                raise _TimedOut()
        except StatesError as error:
            return ExecutionResult("FAILED", error=error.error, cause=error.cause)
        except _TimedOut:
            return ExecutionResult("TIMED_OUT", error="States.Timeout")
        except _Aborted:
            return ExecutionResult("ABORTED")
        return ExecutionResult("SUCCEEDED", output=output)


def _region(context: dict) -> str:
    parts = context.get("StateMachine", {}).get("Id", "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


class _Signal:
    """Stop flag for one run or branch; set when the caller stops or a sibling branch failed."""

    __slots__ = ("_event", "_parent", "_set")

    def __init__(self, event: threading.Event | None, parent: _Signal | None) -> None:
        self._event = event
        self._parent = parent
        self._set = False

    def set(self) -> None:
        self._set = True

    def is_set(self) -> bool:
        return (self._set or (self._event is not None and self._event.is_set())
                or (self._parent is not None and self._parent.is_set()))


class _Run:
    """One execution (or one branch of it): the context object, the services, the limits."""

    __slots__ = ("context", "tasks", "clock", "events", "signal", "deadline")

    def __init__(self, context: dict, tasks: TaskRunner, clock: Clock, events: Events, signal: _Signal,
                 deadline: float | None) -> None:
        self.context = context
        self.tasks = tasks
        self.clock = clock
        self.events = events
        self.signal = signal
        self.deadline = deadline

    def branch(self) -> _Run:
        return _Run(self.context, self.tasks, self.clock, self.events, _Signal(None, self.signal), self.deadline)

    def check(self) -> None:
        if self.signal.is_set():
            raise _Aborted()
        if self.deadline is not None and self.clock.now() >= self.deadline:
            raise _TimedOut()

    def sleep(self, seconds: float) -> None:
        """Wait through the clock; stop and the execution deadline cut the wait short."""
        timed_out = False
        if self.deadline is not None and seconds >= self.deadline - self.clock.now():
            seconds, timed_out = max(self.deadline - self.clock.now(), 0.0), True
        if isinstance(self.clock, RealClock):
            end = time.monotonic() + seconds
            while (left := end - time.monotonic()) > 0:
                if self.signal.is_set():
                    raise _Aborted()
                time.sleep(min(left, _REAL_SLEEP_SLICE))
        else:
            self.clock.sleep(seconds)
        if timed_out:
            raise _TimedOut()
        self.check()

    # -- programs and states ------------------------------------------------------------
    def program(self, program: d.Program, input: Any, variables: dict) -> Any:
        states = program.states
        name: str | None = program.start_at
        while name is not None:
            self.check()
            input, name = self.state(states[name], input, variables)
        return input

    def state(self, state: d.State, raw: Any, variables: dict) -> tuple[Any, str | None]:
        entered = self.events.entered(state.type, state.name, raw)
        handler = _HANDLERS[state.type]
        retries: list[int] = [0] * len(state.retry)
        retry_count = 0
        while True:
            context = {**self.context, "State": {"EnteredTime": format_timestamp(self.clock.now()),
                                                 "Name": state.name, "RetryCount": retry_count}}
            try:
                output, next_name, assigned = handler(self, state, raw, variables, context)
            except StatesError as error:
                if isinstance(error, StateDataError):
                    error = StatesError(error.error, f"An error occurred while executing the state "
                                                     f"'{state.name}' (entered at the event id #{entered}). "
                                                     f"{error.cause}")
                delay = _retry_delay(state.retry, retries, error.error)
                if delay is not None:
                    self.sleep(delay)
                    retry_count += 1
                    continue
                for catcher in state.catch:
                    if _matches(catcher.errors, error.error):
                        output, assigned = _caught(state, catcher, error, raw, variables, context)
                        self.events.exited(state.type, state.name, output, assigned)
                        return output, catcher.next
                raise error
            if state.type != "Fail":
                self.events.exited(state.type, state.name, output, assigned)
            return output, next_name

    # -- tasks ----------------------------------------------------------------------------
    def call_task(self, resource: str, parameters: Any, context: dict, timeout: float | None,
                  heartbeat: float | None) -> Any:
        self.events.task_scheduled(resource, parameters, timeout, heartbeat)
        try:
            limit = min((s for s in (timeout, heartbeat) if s is not None), default=None)
            if limit is None:
                result = self.tasks.run_task(resource, parameters, context=context, timeout=None)
            else:
                error_name = "States.HeartbeatTimeout" if heartbeat is not None and limit == heartbeat and (
                    timeout is None or heartbeat < timeout) else "States.Timeout"
                result = _with_time_limit(lambda: self.tasks.run_task(resource, parameters, context=context,
                                                                      timeout=timeout), limit, error_name)
        except StatesError as error:
            self.events.task_failed(resource, error.error, error.cause,
                                    error.error in ("States.Timeout", "States.HeartbeatTimeout"))
            raise
        except (_Aborted, _TimedOut):
            raise
        except Exception as error:  # a broken task runner must fail the state, not the runtime
            failure = StatesError("States.TaskFailed", f"{type(error).__name__}: {error}")
            self.events.task_failed(resource, failure.error, failure.cause, False)
            raise failure from error
        self.events.task_succeeded(resource, result)
        return result

    # -- Parallel / Map fan-out -------------------------------------------------------------
    def fan_out(self, jobs: list[tuple[d.Program, Any]], variables: dict, max_concurrency: int,
                tolerated: Callable[[int], bool] | None, on_item: Callable[[str, int], None] | None) -> list:
        """Run programs concurrently; results in order. Without ``tolerated`` the first failure wins."""
        if not jobs:
            return []
        inner = self.branch()
        results: list[Any] = [None] * len(jobs)
        failures: list[tuple[int, StatesError]] = []
        lock = threading.Lock()

        def work(index: int) -> None:
            program, item_input = jobs[index]
            if on_item:
                on_item("Started", index)
            try:
                results[index] = inner.program(program, item_input, dict(variables))
            except StatesError as error:
                if on_item:
                    on_item("Failed", index)
                with lock:
                    failures.append((index, error))
                    over = tolerated is None or not tolerated(len(failures))
                if over:
                    inner.signal.set()
                else:
                    results[index] = _error_output(error)
                return
            except _Aborted:
                if on_item:
                    on_item("Aborted", index)
                return
            if on_item:
                on_item("Succeeded", index)

        workers = min(len(jobs), max_concurrency or len(jobs), 40)
        errors: list[BaseException] = []
        if workers == 1:
            for index in range(len(jobs)):
                if inner.signal.is_set():
                    break
                work(index)
        else:
            _run_threads(work, len(jobs), workers, errors)
        if errors:
            raise errors[0]
        self.check()
        if failures and (tolerated is None or not tolerated(len(failures))):
            if tolerated is not None:
                raise StatesError("States.ExceedToleratedFailureThreshold",
                                  "The specified tolerated failure threshold was exceeded")
            raise min(failures, key=lambda failure: failure[0])[1] if len(failures) > 1 else failures[0][1]
        return results


def _run_threads(work: Callable[[int], None], count: int, workers: int, errors: list[BaseException]) -> None:
    """Up to ``workers`` threads pull indices in order; exceptions other than ASL errors are kept."""
    indices = iter(range(count))
    lock = threading.Lock()

    def loop() -> None:
        while True:
            with lock:
                index = next(indices, None)
            if index is None:
                return
            try:
                work(index)
            except (_TimedOut, Exception) as error:  # noqa: BLE001 - handed back to the caller's thread
                errors.append(error)
                return

    threads = [threading.Thread(target=loop, daemon=True) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _with_time_limit(call: Callable[[], Any], seconds: float, error_name: str) -> Any:
    outcome: list[Any] = []
    done = threading.Event()

    def target() -> None:
        try:
            outcome.append((True, call()))
        except BaseException as error:  # noqa: BLE001 - re-raised in the caller's thread
            outcome.append((False, error))
        done.set()

    threading.Thread(target=target, daemon=True).start()
    if not done.wait(seconds):
        raise StatesError(error_name, None)
    ok, value = outcome[0]
    if ok:
        return value
    raise value


# -- error handling ---------------------------------------------------------------------------

def _matches(errors: tuple[str, ...], name: str) -> bool:
    if name in errors:
        return True
    if name in _TERMINAL_ERRORS:
        return False
    if "States.ALL" in errors:
        return True
    return "States.TaskFailed" in errors and name != "States.Timeout"


def _retry_delay(retriers: tuple[d.Retrier, ...], attempts: list[int], name: str) -> float | None:
    for index, retrier in enumerate(retriers):
        if _matches(retrier.errors, name):
            count = attempts[index]
            if count >= retrier.max_attempts:
                return None
            attempts[index] = count + 1
            delay = retrier.interval * retrier.backoff ** count
            if retrier.max_delay is not None:
                delay = min(delay, retrier.max_delay)
            return random.uniform(0, delay) if retrier.jitter == "FULL" else delay
    return None


def _error_output(error: StatesError) -> dict:
    return {"Error": error.error, "Cause": error.cause} if error.cause is not None else {"Error": error.error}


def _caught(state: d.State, catcher: d.Catcher, error: StatesError, raw: Any, variables: dict,
            context: dict) -> tuple[Any, dict | None]:
    error_output = _error_output(error)
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables, errorOutput=error_output)
        assigned = catcher.assign(bindings) if catcher.assign else None
        output = catcher.output(bindings) if catcher.output else error_output
    else:
        assigned = catcher.assign(paths.Env(error_output, context, variables)) if catcher.assign else None
        output = paths.apply_result_path(catcher.result_path, raw, error_output)
    if assigned:
        variables.update(assigned)
    return output, assigned


# -- shared data flow ---------------------------------------------------------------------------

def _bindings(raw: Any, context: dict, variables: dict, **states: Any) -> dict:
    bindings = dict(variables)
    bindings["states"] = {"input": raw, "context": context, **states}
    return bindings


def _jsonpath_finish(state: d.State, raw: Any, result: Any, variables: dict, context: dict) -> tuple[Any, dict | None]:
    """ResultSelector -> Assign -> ResultPath -> OutputPath."""
    if state.result_selector is not None:
        result = state.result_selector(paths.Env(result, context, variables))
    assigned = state.assign(paths.Env(result, context, variables)) if state.assign is not None else None
    output = paths.apply_result_path(state.result_path, raw, result)
    output = paths.select(state.output_path, paths.Env(output, context, variables), "OutputPath")
    if assigned:
        variables.update(assigned)
    return output, assigned


def _jsonata_finish(state: d.State, bindings: dict, default: Any, variables: dict) -> tuple[Any, dict | None]:
    assigned = state.assign(bindings) if state.assign is not None else None
    output = state.output(bindings) if state.output is not None else default
    if assigned:
        variables.update(assigned)
    return output, assigned


def _effective_input(state: d.State, raw: Any, variables: dict, context: dict) -> tuple[Any, paths.Env]:
    """InputPath, then Parameters."""
    env = paths.Env(raw, context, variables)
    effective = paths.select(state.input_path, env, "InputPath")
    env = paths.Env(effective, context, variables)
    if state.parameters is not None:
        effective = state.parameters(env)
    return effective, env


# -- state handlers: (run, state, raw input, variables, context) -> (output, next, assigned) ---

def _pass(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        output, assigned = _jsonata_finish(state, _bindings(raw, context, variables), raw, variables)
        return output, state.next, assigned
    effective, _ = _effective_input(state, raw, variables, context)
    result = state.options["result"](None) if "result" in state.options else effective
    output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _task(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables)
        arguments = state.parameters(bindings) if state.parameters is not None else raw
        timeout = _number(options["timeout"], bindings, None, "TimeoutSeconds")
        heartbeat = _number(options["heartbeat"], bindings, None, "HeartbeatSeconds")
        result = run.call_task(options["resource"], arguments, context, timeout, heartbeat)
        bindings["states"]["result"] = result
        output, assigned = _jsonata_finish(state, bindings, result, variables)
        return output, state.next, assigned
    effective, env = _effective_input(state, raw, variables, context)
    timeout = _number(options["timeout"], None, env, "TimeoutSecondsPath")
    heartbeat = _number(options["heartbeat"], None, env, "HeartbeatSecondsPath")
    result = run.call_task(options["resource"], effective, context, timeout, heartbeat)
    output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _number(spec: tuple[str, Any] | None, bindings: dict | None, env: paths.Env | None, field: str) -> float | None:
    if spec is None:
        return None
    kind, value = spec
    if kind == "value":
        return value
    if kind == "jsonata":
        value = value(bindings)
    else:
        value = paths.select(value, env, field)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise StateDataError("States.Runtime", f"The value for the field '{field}' must be a non-negative number, "
                                               f"but was {paths.to_json(value)}")
    return value


def _choice(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables)
        for rule in state.options["rules"]:
            if _condition(rule.test, bindings):
                return _choose(state, rule.assign, rule.output, bindings, raw, variables, rule.next)
        return _choose(state, state.assign, state.output, bindings, raw, variables, _default(state))
    env = paths.Env(paths.select(state.input_path, paths.Env(raw, context, variables), "InputPath"),
                    context, variables)
    resolve = env.resolve
    try:
        for rule in state.options["rules"]:
            if rule.test.evaluate(resolve):
                target, assign = rule.next, rule.assign
                break
        else:
            target, assign = None, state.assign
    except StatesError as error:
        raise StateDataError(error.error, error.cause) from None
    target = target or _default(state)
    assigned = assign(env) if assign is not None else None
    output = paths.select(state.output_path, env, "OutputPath")
    if assigned:
        variables.update(assigned)
    return output, target, assigned


def _default(state: d.State) -> str:
    if state.options["default"] is None:
        raise StatesError("States.NoChoiceMatched", "No Matches!")
    return state.options["default"]


def _choose(state: d.State, assign: Any, output: Any, bindings: dict, raw: Any, variables: dict,
            target: str) -> tuple:
    assigned = assign(bindings) if assign is not None else None
    result = output(bindings) if output is not None else (state.output(bindings) if state.output else raw)
    if assigned:
        variables.update(assigned)
    return result, target, assigned


def _condition(test: Any, bindings: dict) -> bool:
    if isinstance(test, bool):
        return test
    value = test.evaluate(bindings, field="Condition")
    if not isinstance(value, bool):
        shown = "nothing (undefined)" if value is UNDEFINED else paths.to_json(value)
        raise StateDataError("States.QueryEvaluationError",
                             f"The JSONata expression '{test.text[2:-2].strip()}' specified for the field "
                             f"'Condition' returned {shown}, not a boolean.")
    return value


def _wait(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    kind = options["kind"]
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables)
        value = options["expression"](bindings) if "expression" in options else options["value"]
        run.sleep(_wait_seconds(kind.removesuffix("Path"), value, run.clock))
        output, assigned = _jsonata_finish(state, bindings, raw, variables)
        return output, state.next, assigned
    env = paths.Env(paths.select(state.input_path, paths.Env(raw, context, variables), "InputPath"),
                    context, variables)
    value = paths.select(options["path"], env, kind) if "path" in options else options["value"]
    run.sleep(_wait_seconds(kind.removesuffix("Path"), value, run.clock))
    assigned = state.assign(env) if state.assign is not None else None
    output = paths.select(state.output_path, env, "OutputPath")
    if assigned:
        variables.update(assigned)
    return output, state.next, assigned


def _wait_seconds(kind: str, value: Any, clock: Clock) -> float:
    if kind == "Seconds":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise StateDataError("States.Runtime", f"The SecondsPath parameter does not reference a valid "
                                                   f"non-negative integer: {paths.to_json(value)}")
        return float(value)
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        raise StateDataError("States.Runtime", f"The TimestampPath parameter does not reference a valid "
                                               f"ISO-8601 extended offset date-time format string: {paths.to_json(value)}")
    return max(moment - clock.now(), 0.0)


def _succeed(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        output = state.output(_bindings(raw, context, variables)) if state.output is not None else raw
        return output, None, None
    env = paths.Env(paths.select(state.input_path, paths.Env(raw, context, variables), "InputPath"),
                    context, variables)
    return paths.select(state.output_path, env, "OutputPath"), None, None


def _fail(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    found: dict[str, Any] = {}
    for key in ("error", "cause"):
        spec = state.options.get(key)
        if spec is None:
            found[key] = None
        elif spec[0] == "value":
            found[key] = spec[1]
        elif spec[0] == "jsonata":
            found[key] = spec[1](_bindings(raw, context, variables))
        else:
            found[key] = spec[1](paths.Env(raw, context, variables))["v"]
    raise StatesError(found["error"], found["cause"])


def _parallel(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables)
        branch_input = state.parameters(bindings) if state.parameters is not None else raw
    else:
        branch_input, _ = _effective_input(state, raw, variables, context)
    run.events.add("ParallelStateStarted")
    try:
        result = run.fan_out([(branch, branch_input) for branch in state.options["branches"]], variables, 0, None, None)
    except StatesError:
        run.events.add("ParallelStateFailed")
        raise
    run.events.add("ParallelStateSucceeded")
    if state.language == d.JSONATA:
        bindings["states"]["result"] = result
        output, assigned = _jsonata_finish(state, bindings, result, variables)
    else:
        output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _map(run: _Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    selector = options.get("selector")
    if state.language == d.JSONATA:
        bindings = _bindings(raw, context, variables)
        items = options["items"](bindings) if "items" in options else raw
        effective, env = raw, None
    else:
        bindings = None
        effective, env = _effective_input(state, raw, variables, context)
        items = paths.select(options["items_path"], env, "ItemsPath") if "items_path" in options else effective
    if not isinstance(items, list):
        raise StateDataError("States.Runtime", f"Items of the Map state must be a JSON array, but was "
                                               f"{paths.to_json(items)}")
    max_concurrency = _number(options["MaxConcurrency"], bindings, env, "MaxConcurrencyPath") or 0
    tolerated = _tolerance(options, bindings, env, len(items))
    jobs = []
    for index, item in enumerate(items):
        item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
        if selector is None:
            item_input = item
        elif state.language == d.JSONATA:
            item_input = selector(_bindings(raw, item_context, variables))
        else:
            item_input = selector(paths.Env(effective, item_context, variables))
        jobs.append((options["processor"], item_input))
    events = run.events
    events.add("MapStateStarted", "mapStateStartedEventDetails", {"length": len(items)})

    def on_item(outcome: str, index: int) -> None:
        events.add(f"MapIteration{outcome}", f"mapIteration{outcome}EventDetails", {"name": state.name, "index": index})

    try:
        result = run.fan_out(jobs, variables, int(max_concurrency), tolerated, on_item)
    except StatesError:
        events.add("MapStateFailed")
        raise
    events.add("MapStateSucceeded")
    if state.language == d.JSONATA:
        bindings["states"]["result"] = result
        output, assigned = _jsonata_finish(state, bindings, result, variables)
    else:
        output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _tolerance(options: dict, bindings: dict | None, env: paths.Env | None, total: int) -> Callable[[int], bool] | None:
    count = _number(options["ToleratedFailureCount"], bindings, env, "ToleratedFailureCountPath")
    percentage = _number(options["ToleratedFailurePercentage"], bindings, env, "ToleratedFailurePercentagePath")
    if count is None and percentage is None:
        return None

    def tolerated(failures: int) -> bool:
        within_count = count is None or failures <= count
        within_percentage = percentage is None or (total and failures * 100.0 / total <= percentage)
        return bool(within_count and within_percentage)

    return tolerated


_HANDLERS: dict[str, Callable[..., tuple]] = {
    "Pass": _pass, "Task": _task, "Choice": _choice, "Wait": _wait, "Succeed": _succeed,
    "Fail": _fail, "Parallel": _parallel, "Map": _map,
}
