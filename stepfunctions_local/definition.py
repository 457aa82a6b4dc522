"""Parse and validate an ASL definition once, into typed, immutable state objects.

Problems are values (``exceptions.Problem``: a code, a message and where in the definition,
``/States/Foo/Next``); the API edge words them as AWS does. Everything that is evaluated at run
time (paths, templates, JSONata, Choice rules, intrinsic functions) is compiled here, and each
state gets the data flow of its query language (``dataflow.py``) once.
"""
from __future__ import annotations

import json
from typing import Any, Callable

from . import fields as f
from . import jsonata_support as jn
from . import paths
from .dataflow import JsonataFlow, JsonPathFlow, Scope
from .exceptions import DefinitionError, Problem, StateDataError, StatesError, invalid
from .fields import JSONATA, JSONPATH
from .integrations import optimized
from .json_errors import jackson_location, jackson_problem, loads
from .specs import (
    ChoiceRule,
    ChoiceSpec,
    FailSpec,
    FromExpression,
    FromPath,
    FromTemplate,
    Literal,
    MapSpec,
    ParallelSpec,
    PassSpec,
    Program,
    StateSpec,
    SucceedSpec,
    TaskSpec,
    WaitSpec,
)
from .timestamps import parse_timestamp

_AWS_TYPE_ORDER = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")  # as AWS lists them
_COMMON = {"Type", "Comment", "QueryLanguage"}
_FLOW = {"Next", "End"}
_JSONPATH_IO = {"InputPath", "OutputPath"}
_ERRORS = {"Retry", "Catch"}
_ALLOWED = {
    "Pass": _COMMON | _FLOW | _JSONPATH_IO | {"Parameters", "Result", "ResultPath", "Assign", "Output"},
    "Task": _COMMON | _FLOW | _JSONPATH_IO | _ERRORS
    | {"Resource", "Parameters", "ResultSelector", "ResultPath", "Assign", "Arguments", "Output", "TimeoutSeconds",
       "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"},
    "Choice": _COMMON | _JSONPATH_IO | {"Choices", "Default", "Assign", "Output"},
    "Wait": _COMMON | _FLOW | _JSONPATH_IO
    | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", "Output"},
    "Succeed": _COMMON | _JSONPATH_IO | {"Output"},
    "Fail": _COMMON | {"Error", "Cause", "ErrorPath", "CausePath"},
    "Parallel": _COMMON | _FLOW | _JSONPATH_IO | _ERRORS
    | {"Branches", "Parameters", "ResultSelector", "ResultPath", "Assign", "Arguments", "Output"},
    "Map": _COMMON | _FLOW | _JSONPATH_IO | _ERRORS
    | {"ItemProcessor", "Iterator", "ItemsPath", "Items", "ItemSelector", "Parameters", "ResultSelector",
       "ResultPath", "Assign", "Output", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailureCount",
       "ToleratedFailureCountPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "Label",
       "ItemReader", "ItemBatcher", "ResultWriter"},
}
_JSONPATH_ONLY = {"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "ItemsPath",
                  "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath",
                  "HeartbeatSecondsPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
                  "ToleratedFailurePercentagePath", "Iterator", "Result"}
_JSONATA_ONLY = {"Arguments", "Output", "Items"}
_PROGRAM_FIELDS = {"StartAt", "States", "Comment", "TimeoutSeconds", "Version", "QueryLanguage", "ProcessorConfig"}

_SPECS: dict[str, type[StateSpec]] = {
    "Pass": PassSpec, "Task": TaskSpec, "Choice": ChoiceSpec, "Wait": WaitSpec, "Succeed": SucceedSpec,
    "Fail": FailSpec, "Parallel": ParallelSpec, "Map": MapSpec,
}


def parse(definition: str) -> tuple[dict, Program, float | None]:
    """Return the parsed JSON, the compiled top-level program and its TimeoutSeconds."""
    if isinstance(definition, str) and not definition.strip():
        raise invalid("Definition must be a valid JSON object")
    try:
        document = loads(definition)
    except json.JSONDecodeError as error:
        raise DefinitionError(_json_problem(error)) from None
    except (TypeError, ValueError) as error:
        raise DefinitionError(Problem("INVALID_JSON_DESCRIPTION", str(error))) from None
    if not isinstance(document, dict):
        raise invalid("Definition must be a valid JSON object")
    language = document.get("QueryLanguage", JSONPATH)
    builder = _Builder(language)
    if language not in (JSONPATH, JSONATA):
        builder.problem("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", "/QueryLanguage")
        language = builder.machine_language = JSONPATH
    timeout = document.get("TimeoutSeconds")
    if timeout is not None and (not f.is_int(timeout) or timeout <= 0):
        builder.problem("The value for the field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds")
    program = builder.program(document, "", language)
    if builder.problems:
        raise DefinitionError(*builder.problems)
    return document, program, timeout


def _json_problem(error: json.JSONDecodeError) -> Problem:
    """INVALID_JSON_DESCRIPTION as AWS words it: Jackson's message, located where Jackson stopped."""
    worded = jackson_problem(error)
    if worded is None:
        return Problem("INVALID_JSON_DESCRIPTION", str(error))
    location = jackson_location(error.doc, worded[1])
    return Problem("INVALID_JSON_DESCRIPTION", f"{worded[0]}\n at {location}", location)


def all_states(program: Program):
    """Every state of a program, those in Parallel branches and Map processors included."""
    for state in program.states.values():
        yield state
        if isinstance(state, ParallelSpec):
            for branch in state.branches:
                yield from all_states(branch)
        elif isinstance(state, MapSpec):
            yield from all_states(state.processor)


def task_states(program: Program):
    """Every Task state of a program, those in Parallel branches and Map processors included."""
    return (state for state in all_states(program) if isinstance(state, TaskSpec))


class _Builder:
    def __init__(self, machine_language: str) -> None:
        self.problems: list[Problem] = []
        self.machine_language = machine_language  # the top-level QueryLanguage

    def problem(self, message: str, where: str, code: str = "SCHEMA_VALIDATION_FAILED") -> None:
        self.problems.append(Problem(code, message, where or "/"))

    def guarded(self, build: Callable[[], Any], where: str) -> Any:
        try:
            return build()
        except DefinitionError as error:
            self.problems.extend(problem.at(where) for problem in error.problems)
            return None

    # -- programs -------------------------------------------------------------------------
    def program(self, node: Any, where: str, language: str) -> Program:
        if not isinstance(node, dict):
            self.problem("The value must be an OBJECT", where)
            return Program("", {})
        for key in node:
            if key not in _PROGRAM_FIELDS:
                self.problem(f"Field '{key}' is not supported", f"{where}/{key}")
        start_at, states = node.get("StartAt"), node.get("States")
        missing = [key for key in ("States", "StartAt") if key not in node]
        if missing:  # AWS-recorded wording
            self.problem(f"These fields are required: [{', '.join(missing)}]", where or "/")
        elif not isinstance(start_at, str):
            self.problem("The value for the field 'StartAt' must be a STRING", f"{where}/StartAt")
        if not isinstance(states, dict) or not states:
            if "States" in node:
                self.problem("The field 'States' must be a non-empty OBJECT", f"{where}/States")
            return Program(start_at if isinstance(start_at, str) else "", {})
        if isinstance(start_at, str) and start_at not in states:
            self.problem(f"Missing 'Next' target: {start_at}", f"{where}/StartAt", "MISSING_TRANSITION_TARGET")
        compiled = {}
        for name, body in states.items():
            state = self.state(name, body, f"{where}/States/{name}", language)
            if state is not None:
                compiled[name] = state
        if len(compiled) == len(states):  # reachability is meaningless around a state that didn't compile
            self._check_graph(start_at, states, compiled, where)
        else:
            self._check_targets(states, compiled)
        return Program(start_at if isinstance(start_at, str) else "", compiled)

    def _check_targets(self, raw: dict, states: dict[str, StateSpec]) -> None:
        for state in states.values():
            for target, field_name in _targets(state):
                if target not in raw:
                    self.problem(f"Missing 'Next' target: {target}", f"{state.where}/{field_name}",
                                 "MISSING_TRANSITION_TARGET")

    def _check_graph(self, start_at: Any, raw: dict, states: dict[str, StateSpec], where: str) -> None:
        self._check_targets(raw, states)
        if start_at not in states:
            return
        reached, frontier = {start_at}, [start_at]
        while frontier:
            for target, _ in _targets(states[frontier.pop()]):
                if target in states and target not in reached:
                    reached.add(target)
                    frontier.append(target)
        for name in raw:
            if name not in reached and name in states:
                self.problem(f"State '{name}' is not reachable", f"{where}/States/{name}", "UNREACHABLE_STATE")
        if not any(_is_terminal(states[name]) for name in reached):
            self.problem("No terminal state found in machine", f"{where}/States", "NO_TERMINAL_STATE")

    # -- states ---------------------------------------------------------------------------
    def state(self, name: str, body: Any, where: str, inherited: str) -> StateSpec | None:
        if len(name) > 80:
            self.problem("State name must be at most 80 characters", where)
        if not isinstance(body, dict):
            self.problem("The value for a state must be an OBJECT", where)
            return None
        kind = body.get("Type")
        if kind not in _SPECS:
            if kind is None:
                self.problem("These fields are required: [Type]", where)
            else:
                self.problem(f"The field 'Type' should have one of these values: [{', '.join(_AWS_TYPE_ORDER)}]",
                             f"{where}/Type")
            return None
        language = body.get("QueryLanguage", inherited)
        if language not in (JSONPATH, JSONATA):
            self.problem("The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]",
                         f"{where}/QueryLanguage")
            return None
        # AWS-recorded: only a JSONata machine forbids JSONPath states; a JSONata Map's states may go back
        if self.machine_language == JSONATA and language == JSONPATH:
            self.problem("'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", where)
        before = len(self.problems)
        for key in body:
            if key not in _ALLOWED[kind]:
                self.problem(f"Field '{key}' is not supported", f"{where}/{key}")
            elif language == JSONATA and key in _JSONPATH_ONLY:
                # AWS points at the state here, not at the field
                self.problem(f"The field '{key}' is not supported in JSONata states", where)
            elif language == JSONPATH and key in _JSONATA_ONLY:
                self.problem(f"The field '{key}' is supported only in JSONata states", f"{where}/{key}")
        next_name = self._flow_control(kind, body, where)
        if len(self.problems) > before:
            return None
        flow = self.guarded(lambda: _data_flow(kind, body, where, language), where)
        fields = self.guarded(lambda: getattr(self, f"_fields_{kind.lower()}")(body, where, language), where)
        if kind in ("Task", "Parallel", "Map"):
            errors = self.guarded(lambda: _errors(body, where, language), where)
        else:
            errors = {}
        if flow is None or fields is None or errors is None:
            return None
        return _SPECS[kind](name=name, where=where, flow=flow, next=next_name,
                            reads_context=_reads_context(kind, body, language), **fields, **errors)

    def _flow_control(self, kind: str, body: dict, where: str) -> str | None:
        if kind in ("Choice", "Succeed", "Fail"):
            return None
        has_next, end = "Next" in body, body.get("End")
        if has_next and end:
            self.problem("Only one of 'Next' or 'End' can be present", where)
        elif not has_next and end is not True:
            self.problem("Exactly one of 'Next' or 'End' must be present", where)
        elif has_next and not isinstance(body["Next"], str):
            self.problem("The value for the field 'Next' must be a STRING", f"{where}/Next")
        return body.get("Next") if has_next else None

    # -- type-specific fields ---------------------------------------------------------------
    def _fields_pass(self, body: dict, where: str, language: str) -> dict:
        if "Result" in body:
            return {"result": paths.compile_template(body["Result"], f"{where}/Result", dynamic=False)}
        return {}

    def _fields_succeed(self, body: dict, where: str, language: str) -> dict:
        return {}

    def _fields_task(self, body: dict, where: str, language: str) -> dict:
        resource = body.get("Resource")
        if not isinstance(resource, str) or not resource.startswith("arn:"):
            raise invalid("The value for the field 'Resource' must be a valid ARN", f"{where}/Resource")
        if optimized.unrecognised(resource):
            raise invalid(f"The resource provided {resource} is not recognized. The value is not a valid resource "
                          "ARN, or the resource is not available in this region.", f"{where}/Resource")
        timeout = f.seconds(body, "TimeoutSeconds", where, language)
        heartbeat = f.seconds(body, "HeartbeatSeconds", where, language)
        if isinstance(timeout, Literal) and isinstance(heartbeat, Literal) and heartbeat.value >= timeout.value:
            raise invalid("HeartbeatSeconds must be smaller than TimeoutSeconds", f"{where}/HeartbeatSeconds")
        credentials = body.get("Credentials")
        if credentials is not None:
            at = f"{where}/Credentials"
            if not isinstance(credentials, dict) or not {"RoleArn", "RoleArn.$"} & set(credentials):
                raise invalid("The field 'RoleArn' is required but was missing", at)
            credentials = (f.expression(credentials, at) if language == JSONATA
                           else FromTemplate(paths.compile_template(credentials, at)))
        return {"resource": resource, "timeout": timeout, "heartbeat": heartbeat, "credentials": credentials,
                "token": resource.endswith(".waitForTaskToken")}

    def _fields_wait(self, body: dict, where: str, language: str) -> dict:
        given = [key for key in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if key in body]
        if len(given) != 1:
            raise invalid("A Wait state must have exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or "
                          "'TimestampPath'", where)
        key = given[0]
        value = body[key]
        if key.endswith("Path"):
            return {"kind": key, "value": FromPath(paths.compile_reference_path(value), key)}
        if jn.is_expression(value):
            return {"kind": key, "value": f.expression(value, f"{where}/{key}")}
        if key == "Seconds" and not (f.is_int(value) and value >= 0):
            raise invalid("The value for the field 'Seconds' must be a non-negative integer", f"{where}/Seconds")
        if key == "Timestamp" and (not isinstance(value, str) or parse_timestamp(value) is None):
            raise invalid("String does not match RFC3339 timestamp", f"{where}/Timestamp")
        return {"kind": key, "value": Literal(value)}

    def _fields_fail(self, body: dict, where: str, language: str) -> dict:
        out: dict[str, Any] = {}
        for key in ("Error", "Cause"):
            if key in body and f"{key}Path" in body:
                raise invalid(f"Only one of '{key}' or '{key}Path' can be present", where)
            if f"{key}Path" in body:
                text, at = body[f"{key}Path"], f"{where}/{key}Path"
                if not isinstance(text, str):
                    raise invalid(f"The value for the field '{key}Path' must be a STRING", at)
                out[key.lower()] = FromTemplate(paths.compile_dynamic("v.$", text, at))
            elif key in body:
                value = body[key]
                if language == JSONATA and jn.is_expression(value):
                    out[key.lower()] = f.expression(value, f"{where}/{key}")
                elif not isinstance(value, str):
                    raise invalid(f"The value for the field '{key}' must be a STRING", f"{where}/{key}")
                else:
                    out[key.lower()] = Literal(value)
        return out

    def _fields_choice(self, body: dict, where: str, language: str) -> dict:
        choices = body.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise invalid("These fields are required: [Choices]", where)
        rules = []
        for i, rule in enumerate(choices):
            at = f"{where}/Choices[{i}]"
            if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
                raise invalid("These fields are required: [Next]", at)
            assign = f.assign(rule["Assign"], at, language) if "Assign" in rule else None
            if language == JSONATA:
                condition = rule.get("Condition")
                if not jn.is_expression(condition) and not isinstance(condition, bool):
                    raise invalid("The field 'Condition' must be a JSONata expression", at)
                output = jn.compile_template(rule["Output"], f"{at}/Output") if "Output" in rule else None
                rules.append(ChoiceRule(rule["Next"], _jsonata_condition(condition, f"{at}/Condition"), assign,
                                        output))
            else:
                from . import choice

                rules.append(ChoiceRule(rule["Next"], _jsonpath_condition(choice.compile_rule(rule, at)), assign))
        default = body.get("Default")
        if default is not None and not isinstance(default, str):
            raise invalid("The value for the field 'Default' must be a STRING", f"{where}/Default")
        return {"rules": tuple(rules), "default": default}

    def _fields_parallel(self, body: dict, where: str, language: str) -> dict:
        branches = body.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise invalid("These fields are required: [Branches]", where)
        return {"branches": tuple(self.program(b, f"{where}/Branches[{i}]", language) for i, b in enumerate(branches))}

    def _fields_map(self, body: dict, where: str, language: str) -> dict:
        for key in ("ItemReader", "ResultWriter"):
            if key in body:
                raise DefinitionError(Problem("UNSUPPORTED_FEATURE", f"'{key}' (Distributed Map) is not supported by "
                                                                     "stepfunctions_local", f"{where}/{key}"))
        processor_key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
        processor = body.get(processor_key)
        if not isinstance(processor, dict):
            raise invalid("These fields are required: [ItemProcessor]", where)
        config = processor.get("ProcessorConfig") or {}
        config_at = f"{where}/{processor_key}/ProcessorConfig"
        mode = config.get("Mode", "INLINE")
        if mode not in ("INLINE", "DISTRIBUTED"):
            raise invalid("The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED]", f"{config_at}/Mode")
        if mode == "DISTRIBUTED" and config.get("ExecutionType") not in ("STANDARD", "EXPRESS"):
            raise invalid("The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS]",
                          f"{config_at}/ExecutionType")
        if mode == "INLINE" and "ItemBatcher" in body:
            raise invalid("Field 'ItemBatcher' is supported only in DISTRIBUTED mode", f"{where}/ItemBatcher")
        inner_language = processor.get("QueryLanguage", language)
        # A Distributed Map without ItemReader/ResultWriter runs its child executions like inline iterations.
        out: dict[str, Any] = {"processor": self.program(processor, f"{where}/{processor_key}", inner_language),
                               "distributed": mode == "DISTRIBUTED", "label": body.get("Label")}
        if "ItemBatcher" in body:
            out["batcher"] = f.item_batcher(body["ItemBatcher"], f"{where}/ItemBatcher", language)
        selector_key = "ItemSelector" if "ItemSelector" in body else ("Parameters" if "Parameters" in body else None)
        if selector_key and language == JSONATA:
            out["selector"] = jn.compile_template(body[selector_key], f"{where}/{selector_key}")
        elif selector_key:
            out["selector"] = paths.compile_template(body[selector_key], f"{where}/{selector_key}")
        if language == JSONATA and "Items" in body:
            # AWS quotes the expression without its {% %} in the Items error
            out["items"] = FromExpression(jn.compile_template(body["Items"], f"{where}/Items"),
                                          str(body["Items"])[2:-2].strip())
        elif language == JSONPATH and "ItemsPath" in body:
            out["items"] = FromPath(paths.compile_reference_path(body["ItemsPath"]), "ItemsPath")
        out["max_concurrency"] = f.map_number(body, "MaxConcurrency", where, language, f.is_int)
        out["tolerated_count"] = f.map_number(body, "ToleratedFailureCount", where, language, f.is_int)
        out["tolerated_percentage"] = f.map_number(body, "ToleratedFailurePercentage", where, language, f.is_number)
        return out


def _data_flow(kind: str, body: dict, where: str, language: str) -> JsonPathFlow | JsonataFlow:
    if language == JSONATA:
        return JsonataFlow(
            arguments=jn.compile_template(body["Arguments"], f"{where}/Arguments") if "Arguments" in body else None,
            output=jn.compile_template(body["Output"], f"{where}/Output") if "Output" in body else None,
            assign=f.assign(body["Assign"], where, language) if "Assign" in body else None,
        )
    return JsonPathFlow(
        input_path=f.optional_path(body, "InputPath", where),
        # a Map's Parameters are its ItemSelector
        parameters=paths.compile_template(body["Parameters"], f"{where}/Parameters")
        if "Parameters" in body and kind != "Map" else None,
        result_selector=paths.compile_template(body["ResultSelector"], f"{where}/ResultSelector")
        if "ResultSelector" in body else None,
        result_path=f.result_path(body, where),
        output_path=f.optional_path(body, "OutputPath", where),
        assign=f.assign(body["Assign"], where, language) if "Assign" in body else None,
    )


def _errors(body: dict, where: str, language: str) -> dict:
    retry, catch = body.get("Retry", []), body.get("Catch", [])
    if not isinstance(retry, list) or not isinstance(catch, list):
        raise invalid("'Retry' and 'Catch' must be arrays", where)
    retriers = tuple(f.retrier(item, f"{where}/Retry[{i}]") for i, item in enumerate(retry))
    catchers = tuple(f.catcher(item, f"{where}/Catch[{i}]", language) for i, item in enumerate(catch))
    f.check_all_last([r.errors for r in retriers], f"{where}/Retry")
    f.check_all_last([c.errors for c in catchers], f"{where}/Catch")
    return {"retry": retriers, "catch": catchers}


def _jsonpath_condition(rule: Any) -> Callable[[Scope], bool]:
    evaluate = rule.evaluate

    def test(scope: Scope) -> bool:
        try:
            return evaluate(scope.resolve)
        except StatesError as error:
            raise StateDataError(error.error, error.cause) from None

    return test


# States whose handler hands the context object to nothing but the state's own JSONPath fields
_CONTEXT_BLIND = frozenset({"Pass", "Choice", "Succeed", "Wait", "Fail"})


def _reads_context(kind: str, body: dict, language: str) -> bool:
    """Can the state see its context object? A JSONPath field reads it only through a ``$$`` path (as a field
    or an intrinsic function's argument); JSONata states, Task, Parallel and Map always get it."""
    return language != JSONPATH or kind not in _CONTEXT_BLIND or "$$" in json.dumps(body)


def _jsonata_condition(condition: Any, where: str) -> Callable[[Scope], bool]:
    if isinstance(condition, bool):
        return lambda scope: condition
    expression = jn.Expression(condition, where)

    def test(scope: Scope) -> bool:
        assert scope.bindings is not None  # a JSONata Choice state's scope always has them
        value = expression.evaluate(scope.bindings)
        if not isinstance(value, bool):
            shown = "nothing (undefined)" if value is jn.UNDEFINED else paths.to_json(value)
            raise StateDataError("States.QueryEvaluationError",
                                 f"The JSONata expression '{expression.text[2:-2].strip()}' specified for the field "
                                 f"'{expression.field}' returned {shown}, not a boolean.", expression.field)
        return value

    return test


def _targets(state: StateSpec) -> list[tuple[str, str]]:
    found = [(state.next, "Next")] if state.next else []
    if isinstance(state, ChoiceSpec):
        found += [(rule.next, f"Choices[{i}]/Next") for i, rule in enumerate(state.rules)]
        if state.default:
            found.append((state.default, "Default"))
    found += [(c.next, f"Catch[{i}]/Next") for i, c in enumerate(state.catch)]
    return found


def _is_terminal(state: StateSpec) -> bool:
    return isinstance(state, (SucceedSpec, FailSpec)) or (not isinstance(state, ChoiceSpec) and state.next is None)
