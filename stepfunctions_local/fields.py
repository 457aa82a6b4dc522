"""Compile one field of a state (paths, Assign, numbers, Retry, Catch, ItemBatcher) or say what is wrong.

Each function raises ``DefinitionError`` whose problem names the field's location.
"""
from __future__ import annotations

from typing import Any, Callable

from . import jsonata_support as jn
from . import paths
from .exceptions import invalid
from .specs import Catcher, FromExpression, FromPath, ItemBatcher, Literal, Retrier, Template, Value

JSONPATH, JSONATA = "JSONPath", "JSONata"


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def optional_path(body: dict, key: str, where: str) -> paths.Path | None:
    if key not in body:
        return paths.compile_path("$")
    value = body[key]
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("$"):
        raise invalid(f"The value for the field '{key}' must be a valid JSONPath", f"{where}/{key}")
    return paths.compile_path(value)


def result_path(body: dict, where: str) -> paths.Path | None:
    if "ResultPath" not in body:
        return paths.compile_path("$")
    value = body["ResultPath"]
    if value is None:
        return None
    message, location = "The value for the field 'ResultPath' must be a valid ReferencePath", f"{where}/ResultPath"
    if not isinstance(value, str) or not value.startswith("$") or value.startswith("$$"):
        raise invalid(message, location)
    path = paths.compile_reference_path(value)
    if path.root != "input":
        raise invalid(message, location)
    return path


def assign(value: Any, where: str, language: str) -> Template:
    if not isinstance(value, dict):
        raise invalid("The value for the field 'Assign' must be an OBJECT", f"{where}/Assign")
    for name in value:
        bare = name[:-2] if name.endswith(".$") and language == JSONPATH else name
        if not bare.isidentifier() or bare == "states":
            raise invalid(f"The variable name '{bare}' is invalid", f"{where}/Assign/{name}")
    if language == JSONATA:
        return jn.compile_template(value, f"{where}/Assign")
    return paths.compile_template(value, f"{where}/Assign")


def expression(value: Any, where: str) -> FromExpression:
    return FromExpression(jn.compile_template(value, where), value)


def seconds(body: dict, key: str, where: str, language: str) -> Value | None:
    """TimeoutSeconds / HeartbeatSeconds (or their ...Path)."""
    if f"{key}Path" in body:
        if key in body:
            raise invalid(f"Only one of '{key}' or '{key}Path' can be present", where)
        return FromPath(paths.compile_reference_path(body[f"{key}Path"]), f"{key}Path", numeric_text=True)
    if key not in body:
        return None
    value = body[key]
    if language == JSONATA and jn.is_expression(value):
        return expression(value, f"{where}/{key}")
    if not is_int(value) or value <= 0:
        raise invalid(f"The value for the field '{key}' must be a positive integer", f"{where}/{key}")
    return Literal(value)


def map_number(body: dict, key: str, where: str, language: str, check: Callable[[Any], bool]) -> Value | None:
    if key in body and f"{key}Path" in body:
        raise invalid(f"Only one of '{key}' or '{key}Path' can be present", f"{where}/{key}")
    if f"{key}Path" in body:
        return FromPath(paths.compile_reference_path(body[f"{key}Path"]), f"{key}Path", numeric_text=True)
    if key not in body:
        return None
    value = body[key]
    if language == JSONATA and jn.is_expression(value):
        return expression(value, f"{where}/{key}")
    if not check(value) or value < 0:
        raise invalid(f"The value for the field '{key}' must be a non-negative number", f"{where}/{key}")
    return Literal(value)


def item_batcher(batcher: Any, where: str, language: str) -> ItemBatcher:
    if not isinstance(batcher, dict):
        raise invalid("The value for the field 'ItemBatcher' must be an OBJECT", where)
    allowed = {"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch", "MaxInputBytesPerBatchPath",
               "BatchInput"}
    for key in batcher:
        if key not in allowed:
            raise invalid(f"Field '{key}' is not supported", f"{where}/{key}")
    batch_input = None
    if "BatchInput" in batcher:
        compile_input = jn.compile_template if language == JSONATA else paths.compile_template
        batch_input = compile_input(batcher["BatchInput"], f"{where}/BatchInput")
    return ItemBatcher(map_number(batcher, "MaxItemsPerBatch", where, language, is_int),
                       map_number(batcher, "MaxInputBytesPerBatch", where, language, is_int), batch_input)


def retrier(item: Any, where: str) -> Retrier:
    errors = error_equals(item, where)
    interval = item.get("IntervalSeconds", 1)
    attempts = item.get("MaxAttempts", 3)
    backoff = item.get("BackoffRate", 2.0)
    max_delay = item.get("MaxDelaySeconds")
    jitter = item.get("JitterStrategy", "NONE")
    if not is_int(interval) or interval < 1:
        raise invalid("The value for the field 'IntervalSeconds' must be a positive integer",
                      f"{where}/IntervalSeconds")
    if not is_int(attempts) or attempts < 0:
        raise invalid("The value for the field 'MaxAttempts' must be a non-negative integer", f"{where}/MaxAttempts")
    if not is_number(backoff) or backoff < 1:
        raise invalid("The value for the field 'BackoffRate' must be a number greater than or equal to 1.0",
                      f"{where}/BackoffRate")
    if max_delay is not None and (not is_int(max_delay) or max_delay < 1):
        raise invalid("The value for the field 'MaxDelaySeconds' must be a positive integer",
                      f"{where}/MaxDelaySeconds")
    if jitter not in ("FULL", "NONE"):
        raise invalid("The value for the field 'JitterStrategy' must be one of [FULL, NONE]",
                      f"{where}/JitterStrategy")
    return Retrier(errors, interval, attempts, float(backoff), max_delay, jitter)


def catcher(item: Any, where: str, language: str) -> Catcher:
    errors = error_equals(item, where)
    target = item.get("Next")
    if not isinstance(target, str):
        raise invalid("These fields are required: [Next]", where)
    assigned = assign(item["Assign"], where, language) if "Assign" in item else None
    if language == JSONATA:
        output = jn.compile_template(item["Output"], f"{where}/Output") if "Output" in item else None
        return Catcher(errors, target, None, output, assigned)
    return Catcher(errors, target, result_path(item, where), None, assigned)


def error_equals(item: Any, where: str) -> tuple[str, ...]:
    errors = item.get("ErrorEquals") if isinstance(item, dict) else None
    if not isinstance(errors, list) or not errors or not all(isinstance(e, str) for e in errors):
        raise invalid("These fields are required: [ErrorEquals]", where)
    if "States.ALL" in errors and len(errors) > 1:
        raise invalid("'States.ALL' must appear alone in 'ErrorEquals'", f"{where}/ErrorEquals")
    return tuple(errors)


def check_all_last(groups: list[tuple[str, ...]], where: str) -> None:
    for i, errors in enumerate(groups[:-1]):
        if "States.ALL" in errors:
            raise invalid("'States.ALL' must be in the last element of the array", f"{where}[{i}]")
