"""A request body as AWS's JSON 1.0 front end reads it, before the operation sees it.

AWS reads the body against the operation's model: a member of the wrong JSON type fails there as
``SerializationException`` (the deserializer, before any validation: e.g. "Start of structure or
map found where not expected.", github.com/aws/aws-sdk-js-v3/issues/7102; the same for Lambda's
rest-json, github.com/floci-io/floci/issues/2537); ``null`` reads as the member being absent
(same issue); a required member that is absent fails validation as ``ValidationException``
"1 validation error detected: Value null at 'x' failed to satisfy constraint: Member must not be
null" (AWS's constraint wording, as the recorded answers in
tests/stepfunctions_local/aws_api_recordings word maxResults/nextToken/statusFilter).
The in-process client keeps boto3's own client-side checks (client.validate) instead.
"""
from __future__ import annotations

from typing import Any

from botocore.model import Shape

from .api_errors import ApiError
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
    missing = _missing(members, shape, "")
    if missing:
        count = f"{len(missing)} validation error{'s' if len(missing) > 1 else ''} detected"
        raise ApiError("ValidationException", f"{count}: " + "; ".join(
            f"Value null at '{path}' failed to satisfy constraint: Member must not be null" for path in missing))
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


def _missing(value: dict[str, Any], shape: Shape, path: str) -> list[str]:
    """Paths of the absent required members, AWS's order: the structure's own, then nested ones."""
    found = [_join(path, name) for name in shape.required_members if name not in value]
    for name, item in value.items():
        member = shape.members.get(name)
        if member is None:
            continue
        if member.type_name == "structure":
            found += _missing(item, member, _join(path, name))
        elif member.type_name == "list" and member.member.type_name == "structure":
            for index, element in enumerate(item, 1):
                found += _missing(element, member.member, f"{_join(path, name)}.{index}.member")
    return found


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
