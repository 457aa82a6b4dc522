"""What each state kind does with its input, over its compiled ``DataFlow``.

Handlers take (run, state spec, raw input, variables, context) and return (output, next state
name, assigned variables). Which query language a state uses was settled at compile time: the
handler asks its ``state.flow`` and never looks at the language itself.
"""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, Callable

from . import paths
from .dataflow import Scope
from .events import Events
from .exceptions import BranchesFailed, StateDataError, StatesError
from .specs import (
    ChoiceSpec,
    FailSpec,
    FromPath,
    ItemBatcher,
    Literal,
    MapSpec,
    ParallelSpec,
    PassSpec,
    Program,
    StateSpec,
    SucceedSpec,
    TaskSpec,
    Value,
    WaitSpec,
)
from .timestamps import parse_timestamp
from .types import Clock

_NUMBER = re.compile(r"\d+(\.\d+)?")
# a Map iteration's outcome -> its event type and details key
_ITERATION_EVENTS = {outcome: (f"MapIteration{outcome}", f"mapIteration{outcome}EventDetails")
                     for outcome in ("Started", "Succeeded", "Failed", "Aborted")}

if TYPE_CHECKING:
    from .interpreter import Run
    from .map_runs import MapRuns


def _pass(run: Run, state: PassSpec, raw: Any, variables: dict, context: dict) -> tuple:
    output, assigned = state.flow.pass_result(state.flow.enter(raw, context, variables), state.result)
    return output, state.next, assigned


def _task(run: Run, state: TaskSpec, raw: Any, variables: dict, context: dict) -> tuple:
    if state.token:
        context = {**context, "Task": {"Token": uuid.uuid4().hex + uuid.uuid4().hex}}
    flow = state.flow
    scope = flow.enter(raw, context, variables)
    arguments = flow.effective_input(scope)
    timeout = _number(state.timeout, scope, "TimeoutSeconds")
    heartbeat = _number(state.heartbeat, scope, "HeartbeatSeconds")
    credentials = state.credentials.get(scope) if state.credentials is not None else None
    result = run.call_task(state.name, state.resource, arguments, context, timeout, heartbeat, credentials)
    output, assigned = flow.finish(scope, result)
    return output, state.next, assigned


def _number(value: Value | None, scope: Scope, field: str) -> float | None:
    """A number field; ``field`` names it in the error unless a ...Path field was given."""
    if value is None:
        return None
    if value.__class__ is Literal:  # checked at compile time
        return value.value
    number = value.get(scope)
    if value.__class__ is FromPath:
        field = value.field
        if value.numeric_text:
            number = _numeric_text(number)
    if isinstance(number, bool) or not isinstance(number, (int, float)) or number < 0:
        raise StateDataError("States.Runtime", f"The value for the field '{field}' must be a non-negative number, "
                                               f"but was {paths.to_json(number)}")
    return number


def _tolerated(value: Value | None, scope: Scope, field: str) -> float | None:
    """ToleratedFailureCount(Path) / ToleratedFailurePercentage(Path), with AWS-recorded States.Runtime texts."""
    if value is None or value.__class__ is not FromPath:
        return _number(value, scope, field)
    number = _numeric_text(value.get(scope))
    count = field == "ToleratedFailureCount"
    valid = (int,) if count else (int, float)
    if isinstance(number, bool) or not isinstance(number, valid):
        shown = number if isinstance(number, str) else paths.to_json(number)
        raise StateDataError("States.Runtime", f'The {field}Path field refers to value "{shown}" which is not a '
                                               f"valid {'integer' if count else 'float'}: {value.source}")
    if count and number < 0:
        raise StateDataError("States.Runtime", "ToleratedFailureCount cannot be negative.")
    if not count and not 0 <= number <= 100:
        raise StateDataError("States.Runtime", "ToleratedFailurePercentage must be between 0 and 100.")
    return number


def _numeric_text(value: Any) -> Any:
    """AWS-recorded: a ...Path field may select a number written as a string ("1")."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def _choice(run: Run, state: ChoiceSpec, raw: Any, variables: dict, context: dict) -> tuple:
    scope = state.flow.enter(raw, context, variables)
    for rule in state.rules:
        if rule.test(scope):
            output, assigned = state.flow.leave(scope, rule)
            return output, rule.next, assigned
    if state.default is None:
        raise StatesError("States.NoChoiceMatched", "No Matches!")
    output, assigned = state.flow.leave(scope)
    return output, state.default, assigned


def _wait(run: Run, state: WaitSpec, raw: Any, variables: dict, context: dict) -> tuple:
    scope = state.flow.enter(raw, context, variables)
    run.sleep(_wait_seconds(state.kind, _wait_value(state, scope), run.clock, state.value.source))
    output, assigned = state.flow.leave(scope)
    return output, state.next, assigned


def _wait_value(state: WaitSpec, scope: Scope) -> Any:
    try:
        return state.value.get(scope)
    except StateDataError:
        if not isinstance(state.value, FromPath):
            raise
        # AWS-recorded (test_logs): a SecondsPath / TimestampPath selecting nothing says so in its own words
        raise StateDataError("States.Runtime", f"The {state.kind} parameter does not reference an input value: "
                                               f"{state.value.source}") from None


def _wait_seconds(kind: str, value: Any, clock: Clock, source: str | None) -> float:
    """``source`` is the path or the JSONata text the value came from: AWS quotes it as ``<source> == <value>``."""
    shown = value if isinstance(value, str) else paths.to_json(value)
    if source is not None:
        shown = f"{source} == {shown}"
    if kind.startswith("Seconds"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
            raise StateDataError("States.Runtime", f"The {kind} parameter cannot be parsed as a long value: {shown}")
        if value < 0:
            raise StateDataError("States.Runtime", f"The {kind} parameter references a negative value: {shown}")
        return float(value)
    moment = parse_timestamp(value) if isinstance(value, str) else None
    if moment is None:
        raise StateDataError("States.Runtime", f"The {kind} parameter does not reference a valid "
                                               f"ISO-8601 extended offset date-time format string: {shown}")
    return max(moment - clock.now(), 0.0)


def _succeed(run: Run, state: SucceedSpec, raw: Any, variables: dict, context: dict) -> tuple:
    output, _ = state.flow.leave(state.flow.enter(raw, context, variables))
    return output, None, None


def _fail(run: Run, state: FailSpec, raw: Any, variables: dict, context: dict) -> tuple:
    scope = state.flow.enter(raw, context, variables)
    error = state.error.get(scope) if state.error is not None else None
    cause = state.cause.get(scope) if state.cause is not None else None
    raise StatesError(error, cause)


def _parallel(run: Run, state: ParallelSpec, raw: Any, variables: dict, context: dict) -> tuple:
    scope = state.flow.enter(raw, context, variables)
    branch_input = state.flow.effective_input(scope)
    started = run.events.add("ParallelStateStarted")
    try:
        jobs = [(branch, branch_input, None) for branch in state.branches]
        result = run.fan_out(jobs, variables, 0, None, None, started)
    except StatesError as error:
        raise BranchesFailed(error) from error
    run.events.add("ParallelStateSucceeded")
    output, assigned = state.flow.finish(scope, result)
    return output, state.next, assigned


def _map(run: Run, state: MapSpec, raw: Any, variables: dict, context: dict) -> tuple:
    flow = state.flow
    scope = flow.enter(raw, context, variables)
    effective = flow.effective_input(scope)
    items = state.items.get(scope) if state.items is not None else effective
    if not isinstance(items, list):
        kind = {dict: "object", str: "string", bool: "boolean", type(None): "null"}.get(type(items), "number")
        raise flow.not_an_array(items, state.items, kind)
    max_concurrency = _max_concurrency(state.max_concurrency, scope)
    selector, processor = state.selector, state.processor
    if selector is None and not processor.reads_context:  # no $$.Map.Item to make: nothing would see it
        jobs = [(processor, item, run.context) for item in items]
    else:
        jobs = []
        for index, item in enumerate(items):
            entry = {"Item": {"Index": index, "Value": item}}
            item_input = item if selector is None else flow.item_input(scope, selector, effective,
                                                                       {**context, "Map": entry})
            # $$.Map.Item stays visible inside the iteration, as in AWS's context object.
            jobs.append((processor, item_input, {**run.context, "Map": entry}))
    if state.batcher is not None:
        jobs = _batches(state, [job[1] for job in jobs], state.batcher, scope, run.context)
    events = run.events
    started = events.add("MapStateStarted", "mapStateStartedEventDetails", {"length": len(jobs)})
    # AWS-recorded: the tolerated failure paths are read after MapStateStarted
    count = _tolerated(state.tolerated_count, scope, "ToleratedFailureCount")
    percentage = _tolerated(state.tolerated_percentage, scope, "ToleratedFailurePercentage")

    take_id = events.id_source()
    if take_id is not None:  # nothing recorded: an iteration's Started / Succeeded... event only takes an id
        def on_item(outcome: str, index: int, previous: int) -> int:
            return take_id()
    else:
        def on_item(outcome: str, index: int, previous: int) -> int:
            event_type, key = _ITERATION_EVENTS[outcome]
            return events.add_after(previous, event_type, key, {"name": state.name, "index": index})

    try:
        map_runs = run.map_runs
        if state.distributed and map_runs is not None:
            result = _map_run(run, map_runs, state, jobs, variables, int(max_concurrency), count, percentage)
        else:
            result = run.fan_out(jobs, variables, int(max_concurrency), _tolerance(count, percentage, len(items)),
                                 on_item, started)
    except StatesError as error:
        raise BranchesFailed(error) from error
    events.add("MapStateSucceeded")
    output, assigned = flow.finish(scope, result)
    return output, state.next, assigned


def _max_concurrency(value: Value | None, scope: Scope) -> int:
    """MaxConcurrency(Path): 0 means no limit. A value that is no integer fails as AWS recorded it (a States.Runtime
    naming the state); a negative one as localstack words it (no AWS recording of it was found)."""
    if value is None:
        return 0
    number = value.get(scope)
    if value.__class__ is not FromPath:
        return int(number)
    if not isinstance(number, int) or isinstance(number, bool):
        try:
            number = int(number) if not isinstance(number, bool) else number
        except (TypeError, ValueError):
            pass
    if not isinstance(number, int) or isinstance(number, bool):
        shown = number if isinstance(number, str) else paths.to_json(number)
        raise StateDataError("States.Runtime", f'The MaxConcurrencyPath field refers to value "{shown}" which is '
                                               f"not a valid integer: {value.source}")
    if number < 0:
        raise StatesError("States.Runtime", f"Expected non-negative integer for MaxConcurrency, got '{number}' "
                                            "instead.")
    return number


def _batches(state: MapSpec, items: list, batcher: ItemBatcher, scope: Scope,
             context: dict) -> list[tuple[Program, Any, dict]]:
    """ItemBatcher: each child gets ``{"BatchInput"?, "Items": [...]}`` within the item and byte limits."""
    max_items = _number(batcher.max_items, scope, "MaxItemsPerBatchPath")
    max_bytes = _number(batcher.max_bytes, scope, "MaxInputBytesPerBatchPath")
    batch_input = state.flow.template(batcher.input, scope) if batcher.input is not None else None
    groups: list[list] = []
    size = 0
    for item in items:
        item_size = len(paths.to_json(item).encode())
        if not groups or (max_items and len(groups[-1]) >= max_items) or (max_bytes and size + item_size > max_bytes):
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += item_size
    wrap = (lambda group: {"Items": group}) if batch_input is None else (
        lambda group: {"BatchInput": batch_input, "Items": group})
    return [(state.processor, wrap(group), context) for group in groups]


def _map_run(run: Run, runs: MapRuns, state: MapSpec, jobs: list, variables: dict, max_concurrency: int,
             count: float | None, percentage: float | None) -> list:
    """A Distributed Map in a Standard execution: its children run as a Map Run, outside the parent's history."""
    progress, events = run.progress, run.events
    map_run = progress.map_run if progress is not None else None
    if map_run is not None:  # the parent was redriven: the same Map Run continues
        runs.redrive(map_run)
        events.add("MapRunRedriven", "mapRunRedrivenEventDetails",
                   {"mapRunArn": map_run.arn, "redriveCount": map_run.redrive_count})
    else:
        map_run = runs.start(run.context["Execution"]["Id"], run.context["StateMachine"]["Id"], state.label,
                             max_concurrency, None if count is None else int(count), percentage)
        if progress is not None:
            progress.map_run = map_run
        events.add("MapRunStarted", "mapRunStartedEventDetails", {"mapRunArn": map_run.arn})
    sizes = [len(job[1]["Items"]) if state.batcher is not None else 1 for job in jobs]
    runs.begin(map_run, sizes)
    children = run.branch(run.signal, None, Events(None, events.region), progress)
    try:
        result = children.fan_out(jobs, variables, map_run.max_concurrency,
                                  lambda failures: map_run.tolerated(failures, len(jobs)),
                                  runs.counting(map_run, sizes), 0)
    except StatesError as error:
        runs.finish(map_run, "FAILED")
        failure = {key: value for key, value in (("error", error.error), ("cause", error.cause)) if value is not None}
        events.add("MapRunFailed", "mapRunFailedEventDetails", failure)
        raise
    except BaseException:
        runs.finish(map_run, "ABORTED")
        raise
    runs.finish(map_run, "SUCCEEDED")
    events.add("MapRunSucceeded")
    return result


def _tolerance(count: float | None, percentage: float | None, total: int) -> Callable[[int], bool] | None:
    if count is None and percentage is None:
        return None

    def tolerated(failures: int) -> bool:
        within_count = count is None or failures <= count
        within_percentage = percentage is None or (total and failures * 100.0 / total <= percentage)
        return bool(within_count and within_percentage)

    return tolerated


Handler = Callable[["Run", Any, Any, dict, dict], tuple]
HANDLERS: dict[type[StateSpec], Handler] = {
    PassSpec: _pass, TaskSpec: _task, ChoiceSpec: _choice, WaitSpec: _wait, SucceedSpec: _succeed,
    FailSpec: _fail, ParallelSpec: _parallel, MapSpec: _map,
}
