"""The workflow variables each JSONPath state reads: DescribeStateMachine's ``variableReferences``.

AWS-recorded (localstack's test_sfn_api_variable_references snapshot): a state's entry lists the
``$name`` variables read by its paths, its ``.$`` payload fields (intrinsic functions' arguments
included), its Assign and its Choice rules; nested states (Map, Parallel) have their own entries;
a plain string such as ``"$name"`` in a field without ``.$`` is no reference, JSONata states list
none, and a machine reading no variable has no ``variableReferences`` at all.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

_PATH_FIELDS = ("InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath", "MaxConcurrencyPath",
                "ToleratedFailurePercentagePath", "ToleratedFailureCountPath", "ErrorPath", "CausePath",
                "TimeoutSecondsPath", "HeartbeatSecondsPath")
_TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")
_VARIABLE_AT_START = re.compile(r"\$([^\W\d]\w*)")
_VARIABLE_IN_CALL = re.compile(r"(?<![\w$])\$([^\W\d]\w*)")
_QUOTED = re.compile(r"'(?:\\.|[^'\\])*'")


def described(definition: str) -> dict:
    """The ``variableReferences`` member of a Describe answer for this (valid) definition, or nothing."""
    found = variable_references(json.loads(definition))
    return {"variableReferences": found} if found else {}


def variable_references(definition: dict) -> dict[str, list[str]]:
    """State name -> the sorted names of the variables it reads, for the states that read any."""
    found: dict[str, list[str]] = {}
    for name, state, language in _states(definition, "JSONPath"):
        if language == "JSONata":
            continue
        names = sorted(set(_in_state(state)))
        if names:
            found[name] = names
    return found


def _states(program: dict, language: str) -> Iterator[tuple[str, dict, str]]:
    language = program.get("QueryLanguage", language)
    for name, state in (program.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        own = state.get("QueryLanguage", language)
        yield name, state, own
        for nested in [*state.get("Branches", []), state.get("ItemProcessor"), state.get("Iterator")]:
            if isinstance(nested, dict):
                yield from _states(nested, own)


def _in_state(state: dict) -> Iterator[str]:
    for field in _PATH_FIELDS:
        yield from _in_path(state.get(field))
    for field in _TEMPLATE_FIELDS:
        yield from _in_template(state.get(field))
    reader = state.get("ItemReader")
    if isinstance(reader, dict):
        yield from _in_template(reader.get("Parameters"))
        yield from _in_path((reader.get("ReaderConfig") or {}).get("MaxItemsPath"))
    for catcher in state.get("Catch") or []:
        yield from _in_template(catcher.get("Assign"))
    for rule in state.get("Choices") or []:
        yield from _in_rule(rule)
        yield from _in_template(rule.get("Assign"))


def _in_rule(rule: Any) -> Iterator[str]:
    if not isinstance(rule, dict):
        return
    for key, value in rule.items():
        if key == "Variable" or key.endswith("Path"):
            yield from _in_path(value)
        elif key in ("And", "Or"):
            for inner in value or []:
                yield from _in_rule(inner)
        elif key == "Not":
            yield from _in_rule(value)


def _in_template(template: Any) -> Iterator[str]:
    if isinstance(template, dict):
        for key, value in template.items():
            if key.endswith(".$") and isinstance(value, str):
                yield from _in_path(value)
            else:
                yield from _in_template(value)
    elif isinstance(template, list):
        for item in template:
            yield from _in_template(item)


def _in_path(text: Any) -> Iterator[str]:
    if not isinstance(text, str):
        return
    if text.startswith("States."):
        # An intrinsic function: its variable arguments, not "$" signs inside its string literals.
        yield from _VARIABLE_IN_CALL.findall(_QUOTED.sub("''", text))
    elif match := _VARIABLE_AT_START.match(text):
        yield match.group(1)
