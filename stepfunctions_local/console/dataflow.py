"""A state entry's input and output, step by step through its data-flow fields.

JSONPath states: InputPath -> Parameters -> result -> ResultSelector -> ResultPath -> OutputPath.
JSONata states: Arguments -> result -> Output. Each step says where its value comes from:
``recorded`` (a history event holds it: the state input and output, a task's parameters and
result) or ``derived`` (the definition's field applied to the step before, by this runtime's own
path code, with a context object rebuilt from the execution). A step that cannot be derived
(e.g. it reads a variable the history does not hold) says why instead.
"""
from __future__ import annotations

import json
from typing import Any

from stepfunctions_local import paths
from stepfunctions_local.console.outcomes import Entry
from stepfunctions_local.exceptions import StepFunctionsLocalError

_NOT_DERIVABLE = (StepFunctionsLocalError, ValueError, TypeError, KeyError, IndexError)


def steps(body: dict, entry: Entry, context: dict) -> list[dict[str, Any]]:
    """[{"step", "field", "source", "value" | "note"}] for one entry of a state."""
    raw = _loads(entry.entered.get("stateEnteredEventDetails", {}).get("input"))
    output = _loads(entry.exited.get("stateExitedEventDetails", {}).get("output")) if entry.exited else _MISSING
    found: list[dict[str, Any]] = [_recorded("State input", None, raw)]
    context = {**context, "State": {"Name": entry.state, "EnteredTime": entry.entered.get("timestamp"),
                                    "RetryCount": max(0, entry.attempts - 1)}}
    if body.get("QueryLanguage") == "JSONata" or "Arguments" in body or "Output" in body:
        found += _jsonata(body, entry)
    else:
        found += _jsonpath(body, entry, raw, context)
    if entry.exited is None:
        found.append({"step": "State output", "field": None, "source": "recorded", "note": "the state did not exit"})
    else:
        found.append(_recorded("State output", "OutputPath" if "OutputPath" in body else None, output))
    return found


class _Missing:
    """No value: the step did not happen or was not recorded."""


_MISSING = _Missing()


def _jsonpath(body: dict, entry: Entry, raw: Any, context: dict) -> list[dict[str, Any]]:
    found = []
    effective: Any = raw
    if "InputPath" in body:
        effective = _derive(lambda: paths.select(_path(body["InputPath"]), paths.Env(raw, context, {}), "InputPath"))
        found.append(_step("After InputPath", "InputPath", effective))
    parameters = _task_parameters(entry)
    if parameters is not _MISSING:
        found.append(_recorded("After Parameters (task input)", "Parameters", parameters))
    elif "Parameters" in body and not isinstance(effective, _Failure):
        template = paths.compile_template(body["Parameters"], "/Parameters")
        effective = _derive(lambda: template(paths.Env(effective, context, {})))
        found.append(_step("After Parameters", "Parameters", effective))
    result = _result(body, entry, effective)
    if isinstance(result, dict) and "step" in result:
        found.append(result)
        return found
    found.append(_recorded("Result", None, result) if _task_result(entry) is not _MISSING
                 else _step("Result", "Result" if "Result" in body else None, result))
    if "ResultSelector" in body and not isinstance(result, _Failure):
        template = paths.compile_template(body["ResultSelector"], "/ResultSelector")
        result = _derive(lambda: template(paths.Env(result, context, {})))
        found.append(_step("After ResultSelector", "ResultSelector", result))
    if "ResultPath" in body and not isinstance(result, _Failure):
        target = body["ResultPath"]
        path = None if target is None else _path(target)
        combined = _derive(lambda: paths.apply_result_path(path, raw, result))
        found.append(_step("After ResultPath", "ResultPath", combined))
    return found


def _jsonata(body: dict, entry: Entry) -> list[dict[str, Any]]:
    found = []
    arguments = _task_parameters(entry)
    if arguments is not _MISSING:
        found.append(_recorded("Arguments (task input)", "Arguments", arguments))
    result = _task_result(entry)
    if result is not _MISSING:
        found.append(_recorded("Result", None, result))
    return found


def _result(body: dict, entry: Entry, effective: Any) -> Any:
    kind = body.get("Type")
    recorded = _task_result(entry)
    if recorded is not _MISSING:
        return recorded
    if kind == "Task":
        return {"step": "Result", "field": None, "source": "recorded",
                "note": "no task result: every attempt failed" if entry.failures else "the task has not answered"}
    if kind == "Pass":
        return body["Result"] if "Result" in body else effective
    if kind in ("Parallel", "Map"):
        return {"step": "Result", "field": None, "source": "recorded",
                "note": "the branches' results are in their own states' outputs"}
    return {"step": "Result", "field": None, "source": "recorded", "note": f"a {kind} state has no result"}


def _task_parameters(entry: Entry) -> Any:
    for event in entry.events:
        if event["type"] == "TaskScheduled":
            return _loads(event["taskScheduledEventDetails"].get("parameters"))
        if event["type"] == "LambdaFunctionScheduled":
            return _loads(event["lambdaFunctionScheduledEventDetails"].get("input"))
    return _MISSING


def _task_result(entry: Entry) -> Any:
    for event in reversed(entry.events):
        if event["type"] == "TaskSucceeded":
            return _loads(event["taskSucceededEventDetails"].get("output"))
        if event["type"] == "LambdaFunctionSucceeded":
            return _loads(event["lambdaFunctionSucceededEventDetails"].get("output"))
    return _MISSING


class _Failure:
    def __init__(self, reason: str) -> None:
        self.reason = reason


def _derive(compute: Any) -> Any:
    try:
        return compute()
    except _NOT_DERIVABLE as error:
        return _Failure(str(error) or type(error).__name__)


def _path(text: str) -> paths.Path:
    return paths.compile_path(text)


def _step(name: str, field_name: str | None, value: Any) -> dict[str, Any]:
    if isinstance(value, _Failure):
        return {"step": name, "field": field_name, "source": "derived", "note": f"not derivable: {value.reason}"}
    return {"step": name, "field": field_name, "source": "derived", "value": value}


def _recorded(name: str, field_name: str | None, value: Any) -> dict[str, Any]:
    if isinstance(value, _Missing):
        return {"step": name, "field": field_name, "source": "recorded", "note": "not in the history"}
    return {"step": name, "field": field_name, "source": "recorded", "value": value}


def _loads(text: Any) -> Any:
    if not isinstance(text, str):
        return _MISSING if text is None else text
    try:
        return json.loads(text)
    except ValueError:
        return text
