"""Run a compiled state machine: one state after another, as the ASL specification says.

A ``Machine`` is immutable once compiled and can run in many threads at once; everything that
belongs to one execution lives in a ``Run``.
"""
from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from . import definition as d
from . import states
from .activity_tasks import is_activity_arn, run_activity
from .callbacks import Callback
from .clock import RealClock
from .events import Events, data_limit_exceeded, is_lambda_function_arn, resource_type, too_large
from .exceptions import BranchesFailed, SentFailure, StateDataError, StatesError
from .map_runs import MapRuns
from .progress import Progress
from .specs import (
    Catcher,
    ChoiceSpec,
    FailSpec,
    MapSpec,
    ParallelSpec,
    PassSpec,
    Program,
    Retrier,
    StateSpec,
    SucceedSpec,
)
from .timestamps import format_timestamp
from .types import Clock, HistoryRecorder, Submitted, TaskRunner
from .workers import WORKERS

# AWS never retries or catches States.Runtime (AWS-recorded: States.DataLimitExceeded is caught).
_TERMINAL_ERROR = "States.Runtime"
_REAL_SLEEP_SLICE = 0.05
_TIMEOUTS = ("States.Timeout", "States.HeartbeatTimeout")
# AWS-recorded (localstack test_heartbeats snapshot): a missed heartbeat is reported as States.Timeout
# (TaskTimedOut / ExecutionFailed without a cause), not the States.HeartbeatTimeout the docs name.
_HEARTBEAT_EXPIRED = "States.Timeout"
WAIT_FOR_TASK_TOKEN = ".waitForTaskToken"


# Records a Map iteration event ("Started", "Succeeded", ...) for an item after an event; returns its id.
OnItem = Callable[[str, int, int], int]


@dataclass(frozen=True)
class ExecutionResult:
    status: str  # "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED"
    output: Any = None
    error: str | None = None
    cause: str | None = None
    last_state: str | None = None  # the state that produced ``output``


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

    def __init__(self, definition: dict, program: Program, timeout: float | None) -> None:
        self.definition = definition
        self.program = program
        self.timeout = timeout

    def run(self, input: Any, *, context: dict, tasks: TaskRunner, clock: Clock,
            history: HistoryRecorder | None = None, stop: threading.Event | None = None,
            max_duration: float | None = None, execution: Any = None,
            progress: Progress | None = None, map_runs: MapRuns | None = None) -> ExecutionResult:
        """Run to the end; ``execution`` is the API's record, handed to a task interceptor as it is.

        ``progress`` (Standard executions) records where the run got to; when it already holds a
        position (RedriveExecution), the run continues there instead of at StartAt.
        """
        limits = [limit for limit in (self.timeout, max_duration) if limit]
        deadline = clock.now() + min(limits) if limits else None
        region = _region(context)
        run = Run(context, tasks, clock, Events(history, region), Signal(stop, None), deadline, execution, progress,
                  map_runs)
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
        except Exception as error:  # noqa: BLE001 - a broken library call fails the execution, not the caller
            return ExecutionResult("FAILED", error="States.Runtime", cause=f"{type(error).__name__}: {error}")
        return ExecutionResult("SUCCEEDED", output=output, last_state=run.last_state)


def _region(context: dict) -> str:
    parts = context.get("StateMachine", {}).get("Id", "").split(":")
    return parts[3] if len(parts) > 3 and parts[3] else "us-east-1"


class Signal:
    """Stop flag for one run or branch; set when the caller stops or a sibling branch failed.

    Setting one sets its descendants too, so ``is_set`` (asked before every state) reads this
    signal alone and the stop event, never its ancestors.
    """

    __slots__ = ("_event", "_children", "_set")

    def __init__(self, event: threading.Event | None, parent: Signal | None) -> None:
        self._children: list[Signal] = []
        self._event = event
        self._set = False
        if parent is not None:
            if event is None:
                self._event = parent._event
            parent._children.append(self)
            self._set = parent._set  # read after joining: a parent set meanwhile has either told it or is seen here

    def set(self) -> None:
        self._set = True
        for child in self._children:
            child.set()

    def is_set(self) -> bool:
        return self._set or (self._event is not None and self._event.is_set())


class Run:
    """One execution (or one branch of it): the context object, the services, the limits."""

    __slots__ = ("context", "tasks", "clock", "events", "signal", "deadline", "execution", "progress", "map_runs",
                 "last_state")

    def __init__(self, context: dict, tasks: TaskRunner, clock: Clock, events: Events, signal: Signal,
                 deadline: float | None, execution: Any = None, progress: Progress | None = None,
                 map_runs: MapRuns | None = None) -> None:
        self.context = context
        self.tasks = tasks
        self.clock = clock
        self.events = events
        self.signal = signal
        self.deadline = deadline
        self.execution = execution
        self.progress = progress  # this run's program position, for redrive (Standard only)
        self.map_runs = map_runs  # where Distributed Map states record their Map Runs
        self.last_state: str | None = None

    def branch(self, signal: Signal, context: dict | None, events: Events, progress: Progress | None = None) -> Run:
        return Run(self.context if context is None else context, self.tasks, self.clock, events, signal,
                   self.deadline, self.execution, progress, self.map_runs)

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
    def program(self, program: Program, input: Any, variables: dict) -> Any:
        states = program.states
        name: str | None = program.start_at
        progress = self.progress
        if progress is None:
            last = name
            while name is not None:
                self.check()
                last = name
                input, name = self.state(states[name], input, variables)
            self.last_state = last  # names the state in a DataLimitExceeded found by the caller (no history)
            return input
        resuming = progress.resumable()
        if resuming:  # redriven: the unsuccessful state again, with the input and variables it had
            name, input, variables = progress.state, progress.input, dict(progress.variables or {})
        while name is not None:
            self.check()
            if resuming:
                resuming = False  # keep its branches' / iterations' progress
            else:
                progress.enter(name, input, variables)
            input, name = self.state(states[name], input, variables)
        progress.finish(input)
        return input

    def state(self, state: StateSpec, raw: Any, variables: dict) -> tuple[Any, str | None]:
        entered = self.events.entered(state.type, state.name, raw)
        handler = states.HANDLERS[state.__class__]
        retries: list[int] | None = None  # attempts per retrier, made on the first failure
        retry_count = 0
        while True:
            if state.reads_context:
                # AWS-recorded: only Task, Parallel and Map states have $$.State.RetryCount
                entered_state: dict[str, Any] = {"EnteredTime": format_timestamp(self.clock.now()),
                                                 "Name": state.name}
                if state.retries:
                    entered_state["RetryCount"] = retry_count
                context = {**self.context, "State": entered_state}
            else:
                context = self.context  # never read: no $$.State to make
            try:
                output, next_name, assigned = handler(self, state, raw, variables, context)
            except StatesError as error:
                if isinstance(error, StateDataError) and error.location is not None:
                    self.events.evaluation_failed(state.name, error)
                error = located(error, state, entered)
                if retries is None:
                    retries = [0] * len(state.retry)
                delay = _retry_delay(state.retry, retries, error.error)
                if delay is not None:
                    self.sleep(delay)
                    retry_count += 1
                    if self.progress is not None:  # a retried Parallel / Map runs all its branches again
                        self.progress.children = self.progress.map_run = None
                    continue
                if isinstance(error, BranchesFailed):
                    self.events.add(f"{state.type}StateFailed")
                for catcher in state.catch:
                    if error_matches(catcher.errors, error.error):
                        try:
                            output, assigned = caught_output(state, catcher, error, raw, variables, context)
                        except StatesError as failure:
                            raise located(failure, state, entered) from None
                        self.events.exited(state.type, state.name, output, assigned)
                        return output, catcher.next
                raise error
            if state.type != "Fail":
                self.events.exited(state.type, state.name, output, assigned)
            return output, next_name

    # -- tasks ----------------------------------------------------------------------------
    def call_task(self, state_name: str, resource: str, parameters: Any, context: dict, timeout: float | None,
                  heartbeat: float | None, credentials: Any = None) -> Any:
        """The one place a Task state's resource is called; a task interceptor may answer instead."""
        # In-process tasks answer directly and never send heartbeats, so only TimeoutSeconds bounds them;
        # a .waitForTaskToken task waits for SendTask* and its heartbeats as well.
        # None too when there is no execution to ask about (TestState's runs)
        interceptor = self.tasks.interceptor if self.execution is not None else None
        mocked = None
        if is_activity_arn(resource):
            # A mock answers an activity like any task; otherwise a worker takes it with GetActivityTask.
            if interceptor is not None:
                mocked = interceptor.intercept(self.execution, state_name, resource, parameters)
            if mocked is None:
                return run_activity(self, resource, parameters, timeout, heartbeat)
            interceptor = None  # answered: not asked again below
        self.events.task_scheduled(resource, parameters, timeout, heartbeat, credentials)
        token = context["Task"]["Token"] if resource.endswith(WAIT_FOR_TASK_TOKEN) else None
        callback = self.tasks.tokens.open(token) if token else None
        started = time.monotonic()
        try:
            if interceptor is not None:
                mocked = interceptor.intercept(self.execution, state_name, resource, parameters)
            if mocked is not None:  # the integration's response (for a callback task: the callback's output)
                result = mocked.result()
            elif timeout is None:
                result = self.tasks.run_task(resource, parameters, context=context, timeout=None)
            else:
                result = _with_time_limit(lambda: self.tasks.run_task(resource, parameters, context=context,
                                                                      timeout=timeout), timeout)
            if isinstance(result, Submitted):  # a .sync job: started (AWS records TaskSubmitted), then waited for
                self.events.task_submitted(resource, result.response)
                left = None if timeout is None else timeout - (time.monotonic() - started)
                result = result.outcome() if left is None else _with_time_limit(result.outcome, left)
            if callback is not None and mocked is None:
                self.events.task_submitted(resource, result)
                left = None if timeout is None else timeout - (time.monotonic() - started)
                result = self._await_callback(callback, left, heartbeat)
        except StatesError as error:
            timed_out = error.error in _TIMEOUTS
            self.events.task_failed(resource, error.error, error.cause, timed_out)
            raise
        except (_Aborted, _TimedOut):
            raise
        except Exception as error:  # a broken task runner must fail the state, not the runtime
            failure = StatesError("States.TaskFailed", f"{type(error).__name__}: {error}")
            self.events.task_failed(resource, failure.error, failure.cause, False)
            raise failure from error
        finally:
            if token:
                self.tasks.tokens.close(token)
        if _too_large(result):
            failure = data_limit_exceeded(resource if is_lambda_function_arn(resource) else resource_type(resource)[0])
            self.events.task_failed(resource, failure.error, failure.cause, False)
            raise failure
        self.events.task_succeeded(resource, result)
        return result

    def _await_callback(self, callback: Callback, timeout: float | None, heartbeat: float | None) -> Any:
        """Wait in real time for SendTaskSuccess/Failure; stop, TimeoutSeconds and HeartbeatSeconds end it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not callback.answered.wait(_REAL_SLEEP_SLICE):
            self.check()
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise StatesError("States.Timeout", None)
            if heartbeat is not None and now - callback.last_beat >= heartbeat:
                raise StatesError(_HEARTBEAT_EXPIRED, None)
        return callback.result()

    # -- Parallel / Map fan-out -------------------------------------------------------------
    def fan_out(self, jobs: Sequence[tuple[Program, Any, dict | None]], variables: dict, max_concurrency: int,
                tolerated: Callable[[int], bool] | None, on_item: OnItem | None, started: int) -> list:
        """Run (program, input, context) jobs concurrently; results in order.

        Without ``tolerated`` the first failure wins and stops the other jobs. Each job's history
        chains from ``started`` (ParallelStateStarted), or from its own MapIterationStarted event.
        """
        if not jobs:
            return []
        signal = Signal(None, self.signal)
        results: list[Any] = [None] * len(jobs)
        failures: list[tuple[int, StatesError]] = []
        lock = threading.Lock()
        children = self.progress.fan_out(len(jobs)) if self.progress is not None else None

        def work(index: int) -> None:
            program, item_input, context = jobs[index]
            child = children[index] if children is not None else None
            if child is not None and child.done:  # redriven: a branch / iteration that succeeded is kept
                results[index] = child.output
                return
            events = self.events.branch(on_item("Started", index, started) if on_item else started)
            try:
                results[index] = self.branch(signal, context, events, child).program(program, item_input,
                                                                                     dict(variables))
            except StatesError as error:
                if on_item:
                    on_item("Failed", index, events.last)
                with lock:
                    failures.append((index, error))
                    over = tolerated is None or not tolerated(len(failures))
                if over:
                    signal.set()
                else:
                    results[index] = _error_output(error)
                return
            except _Aborted:
                if on_item:
                    on_item("Aborted", index, events.last)
                return
            if on_item:
                on_item("Succeeded", index, events.last)

        workers = min(len(jobs), max_concurrency or len(jobs), 40)
        errors: list[BaseException] = []
        if workers == 1 or all(_never_waits(program) for program in {id(job[0]): job[0] for job in jobs}.values()):
            # Nothing in these jobs can wait (no Task, no Wait): concurrency would only add thread
            # switches, and running them one after another is one of the orders AWS may run them in.
            for index in range(len(jobs)):
                if signal.is_set():
                    break
                work(index)
        else:
            _run_concurrently(work, len(jobs), workers, errors)
        if errors:
            raise errors[0]
        self.check()
        if failures and (tolerated is None or not tolerated(len(failures))):
            if tolerated is not None:
                raise StatesError("States.ExceedToleratedFailureThreshold",
                                  "The specified tolerated failure threshold was exceeded")
            raise failures[0][1]  # the first to fail, as AWS reports it
        return results


def _run_concurrently(work: Callable[[int], None], count: int, workers: int, errors: list[BaseException]) -> None:
    """The caller and up to ``workers - 1`` pool threads pull indices in order; non-ASL exceptions are kept."""
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

    helpers = [WORKERS.submit(loop) for _ in range(workers - 1)]
    loop()
    for helper in helpers:
        helper.wait()


_INSTANT_STATES = (PassSpec, ChoiceSpec, SucceedSpec, FailSpec)


def _never_waits(program: Program) -> bool:
    """True when no state of ``program`` (nested branches included) is a Task or a Wait."""
    for state in program.states.values():
        if isinstance(state, ParallelSpec):
            if not all(_never_waits(branch) for branch in state.branches):
                return False
        elif isinstance(state, MapSpec):
            if not _never_waits(state.processor):
                return False
        elif not isinstance(state, _INSTANT_STATES):
            return False
    return True


def _too_large(result: Any) -> bool:
    """Over Step Functions' 256 KiB payload quota (UTF-8 bytes of the JSON text)."""
    return too_large(json.dumps(result, separators=(",", ":"), ensure_ascii=False))


def _with_time_limit(call: Callable[[], Any], seconds: float) -> Any:
    """``call()`` on a pool thread; States.Timeout if it has not returned after ``seconds`` (it runs on)."""
    job = WORKERS.submit(call)
    if not job.wait(seconds):
        raise StatesError("States.Timeout", None)
    return job.result()


# -- error handling ---------------------------------------------------------------------------

def error_matches(errors: tuple[str, ...], name: str | None) -> bool:
    if name == _TERMINAL_ERROR:
        return False
    if name in errors or "States.ALL" in errors:
        return True
    return "States.TaskFailed" in errors and name != "States.Timeout"


def located(error: StatesError, state: StateSpec, entered: int) -> StatesError:
    """Data-processing failures name the state and its entered event, as AWS's causes do."""
    if not isinstance(error, StateDataError):
        return error
    return StatesError(error.error, f"An error occurred while executing the state '{state.name}' "
                                    f"(entered at the event id #{entered}). {error.cause}")


def _retry_delay(retriers: tuple[Retrier, ...], attempts: list[int], name: str | None) -> float | None:
    for index, retrier in enumerate(retriers):
        if error_matches(retrier.errors, name):
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
    origin = error
    while isinstance(origin, BranchesFailed):
        origin = origin.failure
    if isinstance(origin, SentFailure):
        return {"Error": error.error, "Cause": error.cause}
    # AWS binds an empty string where a failure has no error or cause.
    return {"Error": error.error or "", "Cause": error.cause or ""}


def caught_output(state: StateSpec, catcher: Catcher, error: StatesError, raw: Any, variables: dict,
            context: dict) -> tuple[Any, dict | None]:
    return state.flow.catch(catcher, raw, context, variables, _error_output(error))
