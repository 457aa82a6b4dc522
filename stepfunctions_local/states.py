"""What each state type does with its input: the ASL data flow, state by state.

Handlers take (run, state, raw input, variables, context) and return (output, next state name,
assigned variables). JSONPath states go InputPath -> Parameters -> work -> Assign ->
ResultSelector -> ResultPath -> OutputPath; JSONata states go Arguments -> work -> Assign/Output.
"""
from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any, Callable

from . import definition as d
from . import paths
from .exceptions import StateDataError, StatesError
from .jsonata_support import JSON_NULL, UNDEFINED
from .timestamps import parse_timestamp
from .types import Clock

_NUMBER = re.compile(r"\d+(\.\d+)?")

if TYPE_CHECKING:
    from .interpreter import Run


def jsonata_bindings(raw: Any, context: dict, variables: dict, **states: Any) -> dict:
    bindings = {name: JSON_NULL if value is None else value for name, value in variables.items()}
    bindings["states"] = {"input": raw, "context": context, **states}
    return bindings


def _jsonpath_finish(state: d.State, raw: Any, result: Any, variables: dict, context: dict) -> tuple[Any, dict | None]:
    """Assign (on the raw result) -> ResultSelector -> ResultPath -> OutputPath."""
    assigned = state.assign(paths.Env(result, context, variables)) if state.assign is not None else None
    if state.result_selector is not None:
        result = state.result_selector(paths.Env(result, context, variables))
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


def _finish_with_result(state: d.State, raw: Any, result: Any, bindings: dict | None, variables: dict,
                        context: dict) -> tuple:
    """A Task's, Parallel's or Map's result through its state's query language to (output, next, assigned)."""
    if state.language == d.JSONATA:
        bindings["states"]["result"] = result
        output, assigned = _jsonata_finish(state, bindings, result, variables)
    else:
        output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _effective_input(state: d.State, raw: Any, variables: dict, context: dict) -> tuple[Any, paths.Env]:
    """InputPath, then Parameters."""
    env = paths.Env(raw, context, variables)
    effective = paths.select(state.input_path, env, "InputPath")
    env = paths.Env(effective, context, variables)
    if state.parameters is not None:
        effective = state.parameters(env)
    return effective, env


# -- state handlers: (run, state, raw input, variables, context) -> (output, next, assigned) ---

def _pass(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        output, assigned = _jsonata_finish(state, jsonata_bindings(raw, context, variables), raw, variables)
        return output, state.next, assigned
    effective, _ = _effective_input(state, raw, variables, context)
    result = state.options["result"](None) if "result" in state.options else effective
    output, assigned = _jsonpath_finish(state, raw, result, variables, context)
    return output, state.next, assigned


def _task(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    if options["token"]:
        context = {**context, "Task": {"Token": uuid.uuid4().hex + uuid.uuid4().hex}}
    if state.language == d.JSONATA:
        bindings = jsonata_bindings(raw, context, variables)
        arguments = state.parameters(bindings) if state.parameters is not None else raw
        timeout = _number(options["timeout"], bindings, None, "TimeoutSeconds")
        heartbeat = _number(options["heartbeat"], bindings, None, "HeartbeatSeconds")
        result = run.call_task(options["resource"], arguments, context, timeout, heartbeat)
        return _finish_with_result(state, raw, result, bindings, variables, context)
    effective, env = _effective_input(state, raw, variables, context)
    timeout = _number(options["timeout"], None, env, "TimeoutSecondsPath")
    heartbeat = _number(options["heartbeat"], None, env, "HeartbeatSecondsPath")
    result = run.call_task(options["resource"], effective, context, timeout, heartbeat)
    return _finish_with_result(state, raw, result, None, variables, context)


def _number(spec: tuple[str, Any] | None, bindings: dict | None, env: paths.Env | None, field: str) -> float | None:
    if spec is None:
        return None
    kind, value = spec
    if kind == "value":
        return value
    if kind == "jsonata":
        value = value(bindings)
    else:
        value = _numeric_text(paths.select(value, env, field))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise StateDataError("States.Runtime", f"The value for the field '{field}' must be a non-negative number, "
                                               f"but was {paths.to_json(value)}")
    return value


def _numeric_text(value: Any) -> Any:
    """AWS-recorded: a ...Path field may select a number written as a string ("1")."""
    if isinstance(value, str) and _NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    return value


def _choice(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        bindings = jsonata_bindings(raw, context, variables)
        for rule in state.options["rules"]:
            if _condition(rule.test, bindings):
                return _choose(rule.assign, rule.output, bindings, raw, variables, rule.next)
        return _choose(state.assign, state.output, bindings, raw, variables, _default(state))
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


def _choose(assign: Any, output: Any, bindings: dict, raw: Any, variables: dict,
            target: str) -> tuple:
    """A matched rule's Assign/Output, or the state's own when the Default is taken."""
    assigned = assign(bindings) if assign is not None else None
    result = output(bindings) if output is not None else raw
    if assigned:
        variables.update(assigned)
    return result, target, assigned


def _condition(test: Any, bindings: dict) -> bool:
    if isinstance(test, bool):
        return test
    value = test.evaluate(bindings)
    if not isinstance(value, bool):
        shown = "nothing (undefined)" if value is UNDEFINED else paths.to_json(value)
        raise StateDataError("States.QueryEvaluationError",
                             f"The JSONata expression '{test.text[2:-2].strip()}' specified for the field "
                             f"'{test.field}' returned {shown}, not a boolean.", test.field)
    return value


def _wait(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    kind = options["kind"]
    if state.language == d.JSONATA:
        bindings = jsonata_bindings(raw, context, variables)
        value = options["expression"](bindings) if "expression" in options else options["value"]
        run.sleep(_wait_seconds(kind, value, run.clock, options.get("text")))
        output, assigned = _jsonata_finish(state, bindings, raw, variables)
        return output, state.next, assigned
    env = paths.Env(paths.select(state.input_path, paths.Env(raw, context, variables), "InputPath"),
                    context, variables)
    value = paths.select(options["path"], env, kind) if "path" in options else options["value"]
    path = options.get("path")
    run.sleep(_wait_seconds(kind, value, run.clock, path.text if path is not None else None))
    assigned = state.assign(env) if state.assign is not None else None
    output = paths.select(state.output_path, env, "OutputPath")
    if assigned:
        variables.update(assigned)
    return output, state.next, assigned


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


def _succeed(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        output = state.output(jsonata_bindings(raw, context, variables)) if state.output is not None else raw
        return output, None, None
    env = paths.Env(paths.select(state.input_path, paths.Env(raw, context, variables), "InputPath"),
                    context, variables)
    return paths.select(state.output_path, env, "OutputPath"), None, None


def _fail(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    found: dict[str, Any] = {}
    for key in ("error", "cause"):
        spec = state.options.get(key)
        if spec is None:
            found[key] = None
        elif spec[0] == "value":
            found[key] = spec[1]
        elif spec[0] == "jsonata":
            found[key] = spec[1](jsonata_bindings(raw, context, variables))
        else:
            found[key] = spec[1](paths.Env(raw, context, variables))["v"]
    raise StatesError(found["error"], found["cause"])


def _parallel(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    if state.language == d.JSONATA:
        bindings = jsonata_bindings(raw, context, variables)
        branch_input = state.parameters(bindings) if state.parameters is not None else raw
    else:
        bindings = None
        branch_input, _ = _effective_input(state, raw, variables, context)
    started = run.events.add("ParallelStateStarted")
    try:
        jobs = [(branch, branch_input, None) for branch in state.options["branches"]]
        result = run.fan_out(jobs, variables, 0, None, None, started)
    except StatesError:
        run.events.add("ParallelStateFailed")
        raise
    run.events.add("ParallelStateSucceeded")
    return _finish_with_result(state, raw, result, bindings, variables, context)


def _map(run: Run, state: d.State, raw: Any, variables: dict, context: dict) -> tuple:
    options = state.options
    selector = options.get("selector")
    if state.language == d.JSONATA:
        bindings = jsonata_bindings(raw, context, variables)
        items = options["items"](bindings) if "items" in options else raw
        effective, env = raw, None
    else:
        bindings = None
        effective, env = _effective_input(state, raw, variables, context)
        items = paths.select(options["items_path"], env, "ItemsPath") if "items_path" in options else effective
    if not isinstance(items, list):
        raise _items_error(state, items)
    max_concurrency = _number(options["MaxConcurrency"], bindings, env, "MaxConcurrencyPath") or 0
    tolerated = _tolerance(options, bindings, env, len(items))
    jobs = []
    for index, item in enumerate(items):
        item_context = {**context, "Map": {"Item": {"Index": index, "Value": item}}}
        if selector is None:
            item_input = item
        elif state.language == d.JSONATA:
            item_input = selector(jsonata_bindings(raw, item_context, variables))
        else:
            item_input = selector(paths.Env(effective, item_context, variables))
        # $$.Map.Item stays visible inside the iteration, as in AWS's context object.
        jobs.append((options["processor"], item_input, {**run.context, "Map": item_context["Map"]}))
    if "batcher" in options:
        jobs = _batches(options["processor"], [job[1] for job in jobs], options["batcher"], bindings, env, run.context)
    events = run.events
    started = events.add("MapStateStarted", "mapStateStartedEventDetails", {"length": len(jobs)})

    def on_item(outcome: str, index: int, previous: int) -> int:
        return events.branch(previous).add(f"MapIteration{outcome}", f"mapIteration{outcome}EventDetails",
                                           {"name": state.name, "index": index})

    try:
        result = run.fan_out(jobs, variables, int(max_concurrency), tolerated, on_item, started)
    except StatesError:
        events.add("MapStateFailed")
        raise
    events.add("MapStateSucceeded")
    return _finish_with_result(state, raw, result, bindings, variables, context)


def _batches(processor: d.Program, items: list, batcher: dict, bindings: dict | None, env: paths.Env | None,
             context: dict) -> list[tuple[d.Program, Any, dict]]:
    """ItemBatcher: each child gets ``{"BatchInput"?, "Items": [...]}`` within the item and byte limits."""
    max_items = _number(batcher["MaxItemsPerBatch"], bindings, env, "MaxItemsPerBatchPath")
    max_bytes = _number(batcher["MaxInputBytesPerBatch"], bindings, env, "MaxInputBytesPerBatchPath")
    batch_input = None
    if "input" in batcher:
        batch_input = batcher["input"](bindings if bindings is not None else env)
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
    return [(processor, wrap(group), context) for group in groups]


def _items_error(state: d.State, items: Any) -> StateDataError:
    kind = {dict: "object", str: "string", bool: "boolean", type(None): "null"}.get(type(items), "number")
    if state.language == d.JSONATA and "items" not in state.options:
        return StateDataError("States.QueryEvaluationError",
                              f"Map state input must be an array but was: {paths.to_json(items)}")
    if state.language == d.JSONATA:
        return StateDataError("States.QueryEvaluationError",
                              f"The JSONata expression '{state.options['items_text']}' specified for the field "
                              f"'Items' returned an unexpected result type. Expected 'array', but was '{kind}' "
                              f"for value: {paths.to_json(items)}", "Items")
    return StateDataError("States.Runtime", f"Items of the Map state must be a JSON array, but was '{kind}' "
                                            f"for value: {paths.to_json(items)}")


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


HANDLERS: dict[str, Callable[..., tuple]] = {
    "Pass": _pass, "Task": _task, "Choice": _choice, "Wait": _wait, "Succeed": _succeed,
    "Fail": _fail, "Parallel": _parallel, "Map": _map,
}
