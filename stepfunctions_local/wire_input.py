"""A request body as AWS's JSON 1.0 front end reads it, before the operation sees it.

AWS reads the body against the operation's model: a member of the wrong JSON type fails there as
``SerializationException`` (the deserializer, before any validation: e.g. "Start of structure or
map found where not expected.", github.com/aws/aws-sdk-js-v3/issues/7102; the same for Lambda's
rest-json, github.com/floci-io/floci/issues/2537); ``null`` reads as the member being absent
(same issue); a required member that is absent fails validation as ``ValidationException``
"1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be
null", and so does a value under the model's minimum ("... Member must have length greater than or
equal to 1"): AWS's constraint wording, as the recorded answers in
tests/stepfunctions_local/aws_api_recordings word the maxima of maxResults, nextToken and alias names
(no minimum is recorded: boto3 refuses those before sending; "greater than" mirrors the maxima).
The in-process client keeps boto3's own client-side checks (client.validate) instead.
"""
from __future__ import annotations

from typing import Any

from botocore.model import Shape

from .api_errors import ApiError, validation_error, violation
from .client import service_model

# botocore type -> the JSON types that read as it (bool is an int in Python, so it is checked first).
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "long": (int,), "float": (int, float), "double": (int, float),
    "boolean": (bool,), "list": (list,), "structure": (dict,), "map": (dict,),
}
_JSON_NAMES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}


def read_members(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """``params`` with nulls dropped; raises AWS's SerializationException / ValidationException."""
    shape = service_model().operation_model(operation).input_shape
    if shape is None:
        return {key: value for key, value in params.items() if value is not None}
    members = _read(params, shape, "")
    problems = _violations(members, shape, "")
    if problems:
        raise validation_error(*problems)
    return members


def _read(value: Any, shape: Shape, path: str) -> Any:
    kind = shape.type_name
    expected = _JSON_TYPES.get(kind)
    wrong_bool = isinstance(value, bool) and kind != "boolean"
    if expected is not None and (wrong_bool or not isinstance(value, expected)):
        # AWS's own words here name no member ("Start of structure or map found where not expected.");
        # ours name it, so the caller can tell which one.
        raise ApiError("SerializationException",
                       f"Unexpected JSON {_JSON_NAMES.get(type(value), 'null')} at '{path}': expected {kind}")
    if kind == "structure":
        return {name: (_read(item, shape.members[name], _join(path, name)) if name in shape.members else item)
                for name, item in value.items() if item is not None}
    if kind == "list":
        return [_read(item, shape.member, f"{path}.{index}.member") for index, item in enumerate(value, 1)]
    if kind == "map":
        return {key: _read(item, shape.value, f"{path}.{key}") for key, item in value.items()}
    return value


def _violations(value: dict[str, Any], shape: Shape, path: str) -> list[str]:
    """AWS's words for each absent required member and each value under the model's minimum (botocore
    checks minima too, client-side; maxima and patterns are the operations' own checks)."""
    found = [violation(_join(path, name), None, "Member must not be null")
             for name in shape.required_members if name not in value]
    for name, item in value.items():
        member = shape.members.get(name)
        if member is not None:
            found += _member_violations(item, member, _join(path, name))
    return found


def _member_violations(value: Any, shape: Shape, path: str) -> list[str]:
    least = shape.metadata.get("min")
    kind = shape.type_name
    if least is not None and kind in ("string", "list") and len(value) < least:
        shown = value if kind == "string" else f"[{', '.join(map(str, value))}]"
        return [violation(path, shown, f"Member must have length greater than or equal to {least}")]
    if least is not None and kind in ("integer", "long", "float", "double") and value < least:
        return [violation(path, value, f"Member must have value greater than or equal to {least}")]
    if kind == "structure":
        return _violations(value, shape, path)
    if kind == "list":
        return [problem for index, item in enumerate(value, 1)
                for problem in _member_violations(item, shape.member, f"{path}.{index}.member")]
    return []


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
