"""TestState's ``mock.fieldValidationMode``: a mocked Task result checked against the API's response shape.

The shape is botocore's output shape of the operation the Task's resource calls (``aws-sdk:*`` and
the optimised integrations' request-response pattern), with Step Functions' PascalCase member
names. STRICT checks types, enum values, lengths, ranges and required members; PRESENT checks
only the members given; NONE checks nothing. Members the API does not have are allowed (AWS-recorded),
and the messages are the ones AWS recorded (localstack's test_field_validation_mode snapshot).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, Shape, StructureShape

from .integrations.aws_sdk import boto_service

_PREFIX = "Mock result schema validation error: "
_STATES = "arn:aws:states:::"
# optimised integration service (as the resource names it) -> boto3 service
_OPTIMISED = {"lambda": "lambda", "states": "stepfunctions", "events": "events", "dynamodb": "dynamodb",
              "sqs": "sqs", "sns": "sns"}
_NUMBERS = ("integer", "long", "float", "double")


class MockResultError(ValueError):
    """The mocked result does not fit the API's response; ``str()`` is AWS's message."""


def check(resource: str, result: Any, mode: str) -> None:
    """Raise MockResultError when ``result`` does not fit the response of the API ``resource`` calls."""
    if mode == "NONE":
        return
    shape = _output_shape(resource)
    if shape is None:
        return
    _check(result, shape, "", required=mode == "STRICT")


def _output_shape(resource: str) -> StructureShape | None:
    if not resource.startswith(_STATES):
        return None  # a Lambda ARN or an activity: no API response shape
    parts = resource[len(_STATES):].split(":")
    if parts[0] == "aws-sdk" and len(parts) >= 3:
        return _shape(boto_service(parts[1]), parts[2])
    if len(parts) == 2 and "." not in parts[1] and parts[0] in _OPTIMISED:  # request-response only
        return _shape(_OPTIMISED[parts[0]], parts[1])
    return None


@lru_cache(maxsize=256)
def _shape(service: str, action: str) -> StructureShape | None:
    try:
        model = botocore.session.get_session().get_service_model(service)
    except Exception:  # noqa: BLE001 - an unknown service has no shape to check against
        return None
    name = next((op for op in model.operation_names if op.lower() == action.lower()), None)
    return model.operation_model(name).output_shape if name is not None else None


def _pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def _fail(message: str) -> None:
    raise MockResultError(_PREFIX + message)


def _check(value: Any, shape: Shape, name: str, *, required: bool) -> None:
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            if not name:
                raise MockResultError("Mocked result must be a JSON object.")
            _fail(f"Field '{name}' must be an object")
        for member, member_shape in shape.members.items():
            key = _pascal(member)
            if key in value:
                _check(value[key], member_shape, key, required=required)
            elif required and member in shape.required_members:
                _fail(f"Required field '{key}' is missing")
    elif isinstance(shape, ListShape):
        if not isinstance(value, list):
            _fail(f"Field '{name}' must be an array")
        for item in value:
            _check(item, shape.member, name, required=required)
    elif isinstance(shape, MapShape):
        if not isinstance(value, dict):
            _fail(f"Field '{name}' must be an object")
        for item in value.values():
            _check(item, shape.value, name, required=required)
    elif kind in ("string", "blob", "timestamp"):
        if kind == "blob" and name == "Payload":
            return  # Lambda's Payload: Step Functions reads the function's JSON, whatever its type
        if not isinstance(value, str):
            _fail(f"Field '{name}' must be a string")
        if getattr(shape, "enum", None) and value not in shape.enum:
            _fail(f"Field '{name}' is not an expected value")
        if "min" in shape.metadata and len(value) < shape.metadata["min"]:
            _fail(f"Field '{name}' is smaller than the minimum length")
    elif kind in _NUMBERS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            _fail(f"Field '{name}' must be a number")
        if "min" in shape.metadata and value < shape.metadata["min"]:
            _fail(f"Field '{name}' is less than the minimum value")
        if "max" in shape.metadata and value > shape.metadata["max"]:
            _fail(f"Field '{name}' exceeds the maximum value")
    elif kind == "boolean" and not isinstance(value, bool):
        _fail(f"Field '{name}' must be a boolean")
