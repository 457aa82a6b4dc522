"""``arn:aws:states:::aws-sdk:<service>:<action>`` mapped onto boto3.

Step Functions speaks PascalCase and names errors ``<Service>.<Name>Exception`` after the Java
SDK v2 client (``DynamoDb``, ``Sfn``, ``SesV2``); boto3 clients reach moto or whatever endpoint
``AWS_ENDPOINT_URL*`` names.
"""
from __future__ import annotations

import base64
import json
import os
import threading
import uuid
from datetime import datetime, timezone
from typing import Any

import boto3
from botocore import xform_name
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError
from botocore.model import ListShape, MapShape, Shape, StructureShape

from stepfunctions_local.api_errors import validation_message, violation
from stepfunctions_local.exceptions import StatesError

# ARN service name -> boto3 service name, where they differ.
_BOTO_NAMES = {
    "sfn": "stepfunctions",
    "eventbridge": "events",
    "cloudwatchlogs": "logs",
    "acmpca": "acm-pca",
    "elasticloadbalancingv2": "elbv2",
    "costexplorer": "ce",
    "apigatewayv2": "apigatewayv2",
}
# Java SDK v2 client names that a simple rule gets wrong.
_ERROR_PREFIXES = {"dynamodb": "DynamoDb", "sfn": "Sfn", "sesv2": "SesV2", "iot": "Iot", "acmpca": "AcmPca"}


# The AWS SDK Step Functions calls with adds no checksums unless the API requires them (AWS-recorded: an
# s3:getObject result has no ChecksumCRC32, which boto3's default checksums would store and return).
_SDK_CONFIG = Config(request_checksum_calculation="when_required", response_checksum_validation="when_required")


class Boto3Clients:
    """boto3 clients made on first use and reused; keyed by the endpoint settings in force."""

    def __init__(self, region: str) -> None:
        self._region = region
        self._clients: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def get(self, service: str) -> Any:
        key = (service, os.environ.get("AWS_ENDPOINT_URL"),
               os.environ.get(f"AWS_ENDPOINT_URL_{service.upper().replace('-', '_')}"))
        client = self._clients.get(key)
        if client is None:
            with self._lock:
                client = self._clients.get(key)
                if client is None:
                    # A Session per client: boto3's default session is not thread-safe.
                    client = boto3.session.Session().client(service, region_name=self._region, config=_SDK_CONFIG)
                    self._clients[key] = client
        return client


def boto_service(arn_service: str) -> str:
    return _BOTO_NAMES.get(arn_service, arn_service)


def error_prefix(arn_service: str, service_id: str) -> str:
    """``dynamodb`` -> ``DynamoDb``; otherwise each word of botocore's serviceId, capitalised."""
    if arn_service in _ERROR_PREFIXES:
        return _ERROR_PREFIXES[arn_service]
    words = service_id.split()
    return "".join(w if any(c.islower() for c in w) and w[0].isupper() else w.capitalize() for w in words)


def call_sdk(clients: Boto3Clients, arn_service: str, action: str, parameters: Any) -> Any:
    """Call ``action`` (camelCase) with PascalCase ``parameters``; return the PascalCase response."""
    client = clients.get(boto_service(arn_service))
    model = client.meta.service_model
    operation = _operation(model, action, arn_service)
    prefix = error_prefix(arn_service, model.service_id)
    arguments = to_boto(parameters or {}, operation.input_shape)
    violations = null_violations(arguments, operation.input_shape)
    if violations:
        raise StatesError(f"{prefix}.{prefix}Exception",
                          f"{violations} (Service: {prefix}, Status Code: 400, Request ID: {uuid.uuid4()})")
    try:
        response = getattr(client, xform_name(operation.name))(**arguments)
    except ClientError as error:
        raise StatesError(f"{prefix}.{exception_name(error, f'{prefix}Exception')}",
                          sdk_v2_cause(prefix, error)) from None
    except ParamValidationError as error:
        raise StatesError(f"{prefix}.{prefix}Exception", str(error)) from None
    response.pop("ResponseMetadata", None)
    return from_boto(without_unasked_capacity(response, arguments), operation.output_shape)


def without_unasked_capacity(response: dict, arguments: dict) -> dict:
    """DynamoDB reports ConsumedCapacity only when asked to; moto's UpdateItem reports it always."""
    if arguments.get("ReturnConsumedCapacity", "NONE") == "NONE":
        response.pop("ConsumedCapacity", None)
    return response


def to_boto(value: Any, shape: Shape | None) -> Any:
    """Step Functions' PascalCase keys onto the model's member names, recursively."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = {name.lower(): name for name in shape.members}
        converted = {}
        for key, item in value.items():
            name = members.get(key.lower(), key)
            converted[name] = to_boto(item, shape.members.get(name))
        return converted
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [to_boto(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: to_boto(item, shape.value) for key, item in value.items()}
    if shape is not None and shape.type_name == "string" and not isinstance(value, str):
        return json.dumps(value, separators=(",", ":"))
    if shape is not None and shape.type_name == "blob" and (
            not isinstance(value, str) or shape.serialization.get("streaming")):
        # AWS-recorded (s3:putObject): a payload stream holds the JSON text of any value, a string's quoted too
        return json.dumps(value, separators=(",", ":"))
    return value


def from_boto(value: Any, shape: Shape | None) -> Any:
    """A boto3 response as Step Functions returns it: PascalCase members, ISO dates, text bodies."""
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        return {key[:1].upper() + key[1:]: from_boto(item, shape.members.get(key)) for key, item in value.items()}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [from_boto(item, shape.member) for item in value]
    if isinstance(shape, MapShape) and isinstance(value, dict):
        return {key: from_boto(item, shape.value) for key, item in value.items()}
    if isinstance(value, datetime):
        return iso_instant(value)
    if hasattr(value, "read"):
        value = value.read()
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return base64.b64encode(value).decode("ascii")
    return value


def iso_instant(value: datetime) -> str:
    """Java's ``Instant.toString()``: UTC, milliseconds only when there are some."""
    value = value.astimezone(timezone.utc)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    return text + "Z"


def exception_name(error: ClientError, unmodelled: str) -> str:
    """The modelled exception's name (``QueueDoesNotExist`` -> ``QueueDoesNotExistException``); an error the
    service's model does not name (DynamoDB's ValidationException) is the SDK's ``unmodelled`` base exception."""
    name = type(error).__name__
    if name == "ClientError":
        return unmodelled
    return name if name.endswith("Exception") else f"{name}Exception"


def sdk_v2_cause(prefix: str, error: ClientError) -> str:
    metadata = error.response.get("ResponseMetadata", {})
    message = error.response.get("Error", {}).get("Message", "")
    # AWS-recorded: S3's causes end with its extended request id (the x-amz-id-2 header)
    extended = f", Extended Request ID: {metadata.get('HostId', '')}" if prefix == "S3" else ""
    return (f"{message} (Service: {prefix}, Status Code: {metadata.get('HTTPStatusCode', 400)}, "
            f"Request ID: {metadata.get('RequestId', '')}{extended})")


def null_violations(arguments: dict, shape: Shape | None) -> str:
    """Drops null members from ``arguments``; the service's validation message when a required one was null.

    AWS-recorded: ``"Item": null`` fails ``1 validation error detected: Value null at 'item' failed to satisfy
    constraint: Member must not be null`` (a ValidationException) where boto3 would refuse to send it.
    """
    required = shape.required_members if isinstance(shape, StructureShape) else []
    nulls = [name for name, value in arguments.items() if value is None]
    for name in nulls:
        del arguments[name]
    wrong = [violation(f"{name[:1].lower()}{name[1:]}", None, "Member must not be null")
             for name in nulls if name in required]
    return validation_message(*wrong) if wrong else ""


def _operation(model: Any, action: str, arn_service: str) -> Any:
    wanted = action.lower()
    for name in model.operation_names:
        if name.lower() == wanted:
            return model.operation_model(name)
    raise StatesError("States.Runtime", f"The API action '{action}' is not known for service '{arn_service}'")

