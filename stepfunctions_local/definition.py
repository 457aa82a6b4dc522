"""Parse and validate an ASL definition once, into typed, immutable state objects.

Problems are reported like AWS's InvalidDefinition: a code, a message and where in the
definition (``/States/Foo/Next``). Everything that is evaluated at run time (paths, templates,
JSONata, Choice rules, intrinsic functions) is compiled here.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from . import jsonata_support as jn
from . import paths
from .exceptions import DefinitionError
from .timestamps import parse_timestamp

JSONPATH, JSONATA = "JSONPath", "JSONata"
STATE_TYPES = ("Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map")

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
    "Wait": _COMMON | _FLOW | _JSONPATH_IO | {"Seconds", "Timestamp", "SecondsPath", "TimestampPath", "Assign", "Output"},
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

Template = Callable[[Any], Any]  # paths.Env -> value (JSONPath) or bindings -> value (JSONata)


@dataclass(frozen=True)
class Retrier:
    errors: tuple[str, ...]
    interval: float = 1.0
    max_attempts: int = 3
    backoff: float = 2.0
    max_delay: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True)
class Catcher:
    errors: tuple[str, ...]
    next: str
    result_path: paths.Path | None = None
    output: Template | None = None
    assign: Template | None = None


@dataclass(frozen=True)
class State:
    name: str
    type: str
    language: str
    where: str
    next: str | None = None
    input_path: paths.Path | None = None
    output_path: paths.Path | None = None
    parameters: Template | None = None  # Parameters (JSONPath) or Arguments (JSONata)
    result_selector: Template | None = None
    result_path: paths.Path | None = None
    output: Template | None = None  # JSONata Output
    assign: Template | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
    options: dict = field(default_factory=dict)  # type-specific, compiled


@dataclass(frozen=True)
class Program:
    """A state machine or one Parallel branch / Map item processor."""

    start_at: str
    states: dict[str, State]


def parse(definition: str) -> tuple[dict, Program, float | None]:
    """Return the parsed JSON, the compiled top-level program and its TimeoutSeconds."""
    if isinstance(definition, str) and not definition.strip():
        raise DefinitionError("SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object")
    try:
        document = json.loads(definition)
    except (TypeError, ValueError) as error:
        raise DefinitionError(f"INVALID_JSON_DESCRIPTION: {error}") from None
    if not isinstance(document, dict):
        raise DefinitionError("SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object")
    builder = _Builder()
    language = document.get("QueryLanguage", JSONPATH)
    if language not in (JSONPATH, JSONATA):
        builder.problem("SCHEMA_VALIDATION_FAILED", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", "/QueryLanguage")
        language = JSONPATH
    timeout = document.get("TimeoutSeconds")
    if timeout is not None and (not _is_int(timeout) or timeout <= 0):
        builder.problem("SCHEMA_VALIDATION_FAILED", "The value for the field 'TimeoutSeconds' must be a positive integer", "/TimeoutSeconds")
    program = builder.program(document, "", language)
    if builder.problems:
        raise DefinitionError(*builder.problems)
    return document, program, timeout


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _Builder:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, code: str, message: str, where: str) -> None:
        self.problems.append(f"{code}: {message} at {where or '/'}")

    def guarded(self, build: Callable[[], Any], where: str) -> Any:
        try:
            return build()
        except DefinitionError as error:
            self.problems.extend(text if " at /" in text else f"SCHEMA_VALIDATION_FAILED: {text} at {where}"
                                 for text in error.problems)
            return None

    # -- programs -------------------------------------------------------------------------
    def program(self, node: Any, where: str, language: str) -> Program:
        if not isinstance(node, dict):
            self.problem("SCHEMA_VALIDATION_FAILED", "The value must be an OBJECT", where)
            return Program("", {})
        for key in node:
            if key not in _PROGRAM_FIELDS:
                self.problem("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", f"{where}/{key}")
        start_at, states = node.get("StartAt"), node.get("States")
        missing = [key for key in ("States", "StartAt") if key not in node]
        if missing:  # AWS-recorded wording
            self.problem("SCHEMA_VALIDATION_FAILED", f"These fields are required: [{', '.join(missing)}]", where or "/")
        elif not isinstance(start_at, str):
            self.problem("SCHEMA_VALIDATION_FAILED", "The value for the field 'StartAt' must be a STRING", f"{where}/StartAt")
        if not isinstance(states, dict) or not states:
            if "States" in node:
                self.problem("SCHEMA_VALIDATION_FAILED", "The field 'States' must be a non-empty OBJECT", f"{where}/States")
            return Program(start_at if isinstance(start_at, str) else "", {})
        if isinstance(start_at, str) and start_at not in states:
            self.problem("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {start_at}", f"{where}/StartAt")
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

    def _check_targets(self, raw: dict, states: dict[str, State]) -> None:
        for state in states.values():
            for target, field_name in _targets(state):
                if target not in raw:
                    self.problem("MISSING_TRANSITION_TARGET", f"Missing 'Next' target: {target}", f"{state.where}/{field_name}")

    def _check_graph(self, start_at: Any, raw: dict, states: dict[str, State], where: str) -> None:
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
                self.problem("UNREACHABLE_STATE", f"State '{name}' is not reachable", f"{where}/States/{name}")
        if not any(_is_terminal(states[name]) for name in reached):
            self.problem("NO_TERMINAL_STATE", "No terminal state found in machine", f"{where}/States")

    # -- states ---------------------------------------------------------------------------
    def state(self, name: str, body: Any, where: str, inherited: str) -> State | None:
        if len(name) > 80:
            self.problem("SCHEMA_VALIDATION_FAILED", "State name must be at most 80 characters", where)
        if not isinstance(body, dict):
            self.problem("SCHEMA_VALIDATION_FAILED", "The value for a state must be an OBJECT", where)
            return None
        kind = body.get("Type")
        if kind not in STATE_TYPES:
            if kind is None:
                self.problem("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", where)
            else:
                self.problem("SCHEMA_VALIDATION_FAILED", f"The field 'Type' should have one of these values: "
                             f"[{', '.join(_AWS_TYPE_ORDER)}]", f"{where}/Type")
            return None
        language = body.get("QueryLanguage", inherited)
        if language not in (JSONPATH, JSONATA):
            self.problem("SCHEMA_VALIDATION_FAILED", "The value for the field 'QueryLanguage' must be one of [JSONPath, JSONata]", f"{where}/QueryLanguage")
            return None
        if inherited == JSONATA and language == JSONPATH:
            self.problem("SCHEMA_VALIDATION_FAILED", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", where)
        before = len(self.problems)
        for key in body:
            if key not in _ALLOWED[kind]:
                self.problem("SCHEMA_VALIDATION_FAILED", f"Field '{key}' is not supported", f"{where}/{key}")
            elif language == JSONATA and key in _JSONPATH_ONLY:
                # AWS points at the state here, not at the field
                self.problem("SCHEMA_VALIDATION_FAILED", f"The field '{key}' is not supported in JSONata states", where)
            elif language == JSONPATH and key in _JSONATA_ONLY:
                self.problem("SCHEMA_VALIDATION_FAILED", f"The field '{key}' is supported only in JSONata states", f"{where}/{key}")
        next_name = self._flow(kind, body, where)
        if len(self.problems) > before:
            return None
        common = dict(name=name, type=kind, language=language, where=where, next=next_name)
        io = self.guarded(lambda: self._io(kind, body, where, language), where)
        options = self.guarded(lambda: getattr(self, f"_options_{kind.lower()}")(body, where, language), where)
        errors = self.guarded(lambda: self._errors(body, where, language), where) if kind in ("Task", "Parallel", "Map") else {}
        if io is None or options is None or errors is None:
            return None
        return State(**common, **io, **errors, options=options)

    def _flow(self, kind: str, body: dict, where: str) -> str | None:
        if kind in ("Choice", "Succeed", "Fail"):
            return None
        has_next, end = "Next" in body, body.get("End")
        if has_next and end:
            self.problem("SCHEMA_VALIDATION_FAILED", "Only one of 'Next' or 'End' can be present", where)
        elif not has_next and end is not True:
            self.problem("SCHEMA_VALIDATION_FAILED", "Exactly one of 'Next' or 'End' must be present", where)
        elif has_next and not isinstance(body["Next"], str):
            self.problem("SCHEMA_VALIDATION_FAILED", "The value for the field 'Next' must be a STRING", f"{where}/Next")
        return body.get("Next") if has_next else None

    def _io(self, kind: str, body: dict, where: str, language: str) -> dict:
        if language == JSONATA:
            out: dict[str, Any] = {}
            if "Arguments" in body:
                out["parameters"] = jn.compile_template(body["Arguments"], f"{where}/Arguments")
            if "Output" in body:
                out["output"] = jn.compile_template(body["Output"], f"{where}/Output")
            if "Assign" in body:
                out["assign"] = _assign(body["Assign"], where, language)
            return out
        out = {
            "input_path": _optional_path(body, "InputPath", where),
            "output_path": _optional_path(body, "OutputPath", where),
            "result_path": _result_path(body, where),
        }
        if "Parameters" in body and kind != "Map":
            out["parameters"] = paths.compile_template(body["Parameters"], f"{where}/Parameters")
        if "ResultSelector" in body:
            out["result_selector"] = paths.compile_template(body["ResultSelector"], f"{where}/ResultSelector")
        if "Assign" in body:
            out["assign"] = _assign(body["Assign"], where, language)
        return out

    def _errors(self, body: dict, where: str, language: str) -> dict:
        retry, catch = body.get("Retry", []), body.get("Catch", [])
        if not isinstance(retry, list) or not isinstance(catch, list):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: 'Retry' and 'Catch' must be arrays at {where}")
        retriers = tuple(_retrier(item, f"{where}/Retry[{i}]") for i, item in enumerate(retry))
        catchers = tuple(_catcher(item, f"{where}/Catch[{i}]", language) for i, item in enumerate(catch))
        _check_all_last([r.errors for r in retriers], f"{where}/Retry")
        _check_all_last([c.errors for c in catchers], f"{where}/Catch")
        return {"retry": retriers, "catch": catchers}

    # -- type-specific options --------------------------------------------------------------
    def _options_pass(self, body: dict, where: str, language: str) -> dict:
        if "Result" in body:
            return {"result": paths.compile_template(body["Result"], f"{where}/Result", dynamic=False)}
        return {}

    def _options_succeed(self, body: dict, where: str, language: str) -> dict:
        return {}

    def _options_task(self, body: dict, where: str, language: str) -> dict:
        resource = body.get("Resource")
        if not isinstance(resource, str) or not resource.startswith("arn:"):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'Resource' must be a valid ARN at {where}/Resource")
        timeout = _seconds(body, "TimeoutSeconds", where, language)
        heartbeat = _seconds(body, "HeartbeatSeconds", where, language)
        if timeout and heartbeat and timeout[0] == heartbeat[0] == "value" and heartbeat[1] >= timeout[1]:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: HeartbeatSeconds must be smaller than TimeoutSeconds "
                                  f"at {where}/HeartbeatSeconds")
        return {"resource": resource, "timeout": timeout, "heartbeat": heartbeat,
                "token": resource.endswith(".waitForTaskToken")}

    def _options_wait(self, body: dict, where: str, language: str) -> dict:
        given = [key for key in ("Seconds", "Timestamp", "SecondsPath", "TimestampPath") if key in body]
        if len(given) != 1:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: A Wait state must have exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath' at {where}")
        key = given[0]
        value = body[key]
        if key.endswith("Path"):
            return {"kind": key, "path": paths.compile_reference_path(value)}
        if jn.is_expression(value):
            return {"kind": key, "expression": jn.compile_template(value, f"{where}/{key}"), "text": value}
        if key == "Seconds" and not (_is_int(value) and value >= 0):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'Seconds' must be a non-negative integer at {where}/Seconds")
        if key == "Timestamp":
            if not isinstance(value, str) or parse_timestamp(value) is None:
                raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at {where}/Timestamp")
        return {"kind": key, "value": value}

    def _options_fail(self, body: dict, where: str, language: str) -> dict:
        out: dict[str, Any] = {}
        for key in ("Error", "Cause"):
            if key in body and f"{key}Path" in body:
                raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Only one of '{key}' or '{key}Path' can be present at {where}")
            if f"{key}Path" in body:
                text = body[f"{key}Path"]
                out[key.lower()] = ("path", _fail_path(text, f"{where}/{key}Path", f"{key}Path"))
            elif key in body:
                value = body[key]
                if language == JSONATA and jn.is_expression(value):
                    out[key.lower()] = ("jsonata", jn.compile_template(value, f"{where}/{key}"))
                elif not isinstance(value, str):
                    raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field '{key}' must be a STRING at {where}/{key}")
                else:
                    out[key.lower()] = ("value", value)
        return out

    def _options_choice(self, body: dict, where: str, language: str) -> dict:
        choices = body.get("Choices")
        if not isinstance(choices, list) or not choices:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [Choices] at {where}")
        rules = []
        for i, rule in enumerate(choices):
            at = f"{where}/Choices[{i}]"
            if not isinstance(rule, dict) or not isinstance(rule.get("Next"), str):
                raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at {at}")
            assign = _assign(rule["Assign"], at, language) if "Assign" in rule else None
            if language == JSONATA:
                condition = rule.get("Condition")
                if not jn.is_expression(condition) and not isinstance(condition, bool):
                    raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The field 'Condition' must be a JSONata expression at {at}")
                test = jn.Expression(condition, f"{at}/Condition") if jn.is_expression(condition) else condition
                output = jn.compile_template(rule["Output"], f"{at}/Output") if "Output" in rule else None
                rules.append(ChoiceRule(rule["Next"], test, assign, output))
            else:
                from . import choice

                evaluator = choice.compile_rule(rule, at)
                rules.append(ChoiceRule(rule["Next"], evaluator, assign, None))
        default = body.get("Default")
        if default is not None and not isinstance(default, str):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'Default' must be a STRING at {where}/Default")
        return {"rules": tuple(rules), "default": default}

    def _options_parallel(self, body: dict, where: str, language: str) -> dict:
        branches = body.get("Branches")
        if not isinstance(branches, list) or not branches:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [Branches] at {where}")
        return {"branches": tuple(self.program(b, f"{where}/Branches[{i}]", language) for i, b in enumerate(branches))}

    def _options_map(self, body: dict, where: str, language: str) -> dict:
        for key in ("ItemReader", "ResultWriter"):
            if key in body:
                raise DefinitionError(f"UNSUPPORTED_FEATURE: '{key}' (Distributed Map) is not supported by stepfunctions_local at {where}/{key}")
        processor_key = "ItemProcessor" if "ItemProcessor" in body else "Iterator"
        processor = body.get(processor_key)
        if not isinstance(processor, dict):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [ItemProcessor] at {where}")
        config = processor.get("ProcessorConfig") or {}
        config_at = f"{where}/{processor_key}/ProcessorConfig"
        mode = config.get("Mode", "INLINE")
        if mode not in ("INLINE", "DISTRIBUTED"):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'Mode' must be one of [INLINE, DISTRIBUTED] at {config_at}/Mode")
        if mode == "DISTRIBUTED" and config.get("ExecutionType") not in ("STANDARD", "EXPRESS"):
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'ExecutionType' must be one of [STANDARD, EXPRESS] at {config_at}/ExecutionType")
        if mode == "INLINE" and "ItemBatcher" in body:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Field 'ItemBatcher' is supported only in DISTRIBUTED mode at {where}/ItemBatcher")
        inner_language = processor.get("QueryLanguage", language)
        # A Distributed Map without ItemReader/ResultWriter runs its child executions like inline iterations.
        out: dict[str, Any] = {"processor": self.program(processor, f"{where}/{processor_key}", inner_language)}
        if "ItemBatcher" in body:
            out["batcher"] = _item_batcher(body["ItemBatcher"], f"{where}/ItemBatcher", language)
        selector_key = "ItemSelector" if "ItemSelector" in body else ("Parameters" if "Parameters" in body else None)
        if selector_key and language == JSONATA:
            out["selector"] = jn.compile_template(body[selector_key], f"{where}/{selector_key}")
        elif selector_key:
            out["selector"] = paths.compile_template(body[selector_key], f"{where}/{selector_key}")
        if language == JSONATA:
            if "Items" in body:
                out["items"] = jn.compile_template(body["Items"], f"{where}/Items")
                out["items_text"] = str(body["Items"])[2:-2].strip()
        elif "ItemsPath" in body:
            out["items_path"] = paths.compile_reference_path(body["ItemsPath"])
        for key, check in (("MaxConcurrency", _is_int), ("ToleratedFailureCount", _is_int), ("ToleratedFailurePercentage", _is_number)):
            out[key] = _map_number(body, key, where, language, check)
        return out


@dataclass(frozen=True)
class ChoiceRule:
    next: str
    test: Any  # choice rule object (.evaluate(resolve)), jsonata Expression, or a literal bool
    assign: Template | None
    output: Template | None


def _targets(state: State) -> list[tuple[str, str]]:
    found = [(state.next, "Next")] if state.next else []
    if state.type == "Choice":
        found += [(rule.next, f"Choices[{i}]/Next") for i, rule in enumerate(state.options["rules"])]
        if state.options["default"]:
            found.append((state.options["default"], "Default"))
    found += [(c.next, f"Catch[{i}]/Next") for i, c in enumerate(state.catch)]
    return found


def _is_terminal(state: State) -> bool:
    return state.type in ("Succeed", "Fail") or (state.type != "Choice" and state.next is None)


def _optional_path(body: dict, key: str, where: str) -> paths.Path | None:
    if key not in body:
        return paths.compile_path("$")
    value = body[key]
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("$"):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field '{key}' must be a valid JSONPath at {where}/{key}")
    return paths.compile_path(value)


def _result_path(body: dict, where: str) -> paths.Path | None:
    if "ResultPath" not in body:
        return paths.compile_path("$")
    value = body["ResultPath"]
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("$") or value.startswith("$$"):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'ResultPath' must be a valid ReferencePath at {where}/ResultPath")
    path = paths.compile_reference_path(value)
    if path.root != "input":
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'ResultPath' must be a valid ReferencePath at {where}/ResultPath")
    return path


def _fail_path(text: Any, where: str, key: str) -> Template:
    if not isinstance(text, str):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field '{key}' must be a STRING at {where}")
    return paths.compile_template({"v.$": text}, where)


def _assign(value: Any, where: str, language: str) -> Template:
    if not isinstance(value, dict):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'Assign' must be an OBJECT at {where}/Assign")
    for name in value:
        bare = name[:-2] if name.endswith(".$") and language == JSONPATH else name
        if not bare.isidentifier() or bare == "states":
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The variable name '{bare}' is invalid at {where}/Assign/{name}")
    if language == JSONATA:
        return jn.compile_template(value, f"{where}/Assign")
    return paths.compile_template(value, f"{where}/Assign")


def _seconds(body: dict, key: str, where: str, language: str) -> tuple[str, Any] | None:
    if f"{key}Path" in body:
        if key in body:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Only one of '{key}' or '{key}Path' can be present at {where}")
        return ("path", paths.compile_reference_path(body[f"{key}Path"]))
    if key not in body:
        return None
    value = body[key]
    if language == JSONATA and jn.is_expression(value):
        return ("jsonata", jn.compile_template(value, f"{where}/{key}"))
    if not _is_int(value) or value <= 0:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field '{key}' must be a positive integer at {where}/{key}")
    return ("value", value)


def _map_number(body: dict, key: str, where: str, language: str, check: Callable[[Any], bool]) -> tuple[str, Any] | None:
    if key in body and f"{key}Path" in body:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Only one of '{key}' or '{key}Path' can be present at {where}/{key}")
    if f"{key}Path" in body:
        return ("path", paths.compile_reference_path(body[f"{key}Path"]))
    if key not in body:
        return None
    value = body[key]
    if language == JSONATA and jn.is_expression(value):
        return ("jsonata", jn.compile_template(value, f"{where}/{key}"))
    if not check(value) or value < 0:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field '{key}' must be a non-negative number at {where}/{key}")
    return ("value", value)


def _item_batcher(batcher: Any, where: str, language: str) -> dict:
    if not isinstance(batcher, dict):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'ItemBatcher' must be an OBJECT at {where}")
    allowed = {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath", "BatchInput"}
    for key in batcher:
        if key not in allowed:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: Field '{key}' is not supported at {where}/{key}")
    out: dict[str, Any] = {key: _map_number(batcher, key, where, language, _is_int)
                           for key in ("MaxItemsPerBatch", "MaxInputBytesPerBatch")}
    if "BatchInput" in batcher:
        compile_input = jn.compile_template if language == JSONATA else paths.compile_template
        out["input"] = compile_input(batcher["BatchInput"], f"{where}/BatchInput")
    return out


def _retrier(item: Any, where: str) -> Retrier:
    errors = _error_equals(item, where)
    interval = item.get("IntervalSeconds", 1)
    attempts = item.get("MaxAttempts", 3)
    backoff = item.get("BackoffRate", 2.0)
    max_delay = item.get("MaxDelaySeconds")
    jitter = item.get("JitterStrategy", "NONE")
    if not _is_int(interval) or interval < 1:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'IntervalSeconds' must be a positive integer at {where}/IntervalSeconds")
    if not _is_int(attempts) or attempts < 0:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'MaxAttempts' must be a non-negative integer at {where}/MaxAttempts")
    if not _is_number(backoff) or backoff < 1:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'BackoffRate' must be a number greater than or equal to 1.0 at {where}/BackoffRate")
    if max_delay is not None and (not _is_int(max_delay) or max_delay < 1):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'MaxDelaySeconds' must be a positive integer at {where}/MaxDelaySeconds")
    if jitter not in ("FULL", "NONE"):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: The value for the field 'JitterStrategy' must be one of [FULL, NONE] at {where}/JitterStrategy")
    return Retrier(errors, interval, attempts, float(backoff), max_delay, jitter)


def _catcher(item: Any, where: str, language: str) -> Catcher:
    errors = _error_equals(item, where)
    target = item.get("Next")
    if not isinstance(target, str):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [Next] at {where}")
    assign = _assign(item["Assign"], where, language) if "Assign" in item else None
    if language == JSONATA:
        output = jn.compile_template(item["Output"], f"{where}/Output") if "Output" in item else None
        return Catcher(errors, target, None, output, assign)
    return Catcher(errors, target, _result_path(item, where), None, assign)


def _error_equals(item: Any, where: str) -> tuple[str, ...]:
    errors = item.get("ErrorEquals") if isinstance(item, dict) else None
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: These fields are required: [ErrorEquals] at {where}")
    if "States.ALL" in errors and len(errors) > 1:
        raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: 'States.ALL' must appear alone in 'ErrorEquals' at {where}/ErrorEquals")
    return tuple(errors)


def _check_all_last(groups: list[tuple[str, ...]], where: str) -> None:
    for i, errors in enumerate(groups[:-1]):
        if "States.ALL" in errors:
            raise DefinitionError(f"SCHEMA_VALIDATION_FAILED: 'States.ALL' must be in the last element of the array at {where}[{i}]")
