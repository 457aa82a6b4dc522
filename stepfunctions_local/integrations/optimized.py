"""Optimised integrations: DynamoDB items, SQS sendMessage, SNS publish, EventBridge putEvents.

These go through the AWS Java SDK v1 in Step Functions, which shows in their results
(``SdkHttpMetadata``) and error names (``DynamoDB.ConditionalCheckFailedException``).
"""
from __future__ import annotations

import json
import uuid
import zlib
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError

from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.integrations.aws_sdk import (
    Boto3Clients,
    exception_name,
    null_violations,
    to_boto,
    without_unasked_capacity,
)


class _Api:
    def __init__(self, boto_service: str, error_prefix: str, sdk_service: str, content_type: str,
                 actions: dict[str, str], json_fields: tuple[str, ...] = (), connection: str = "Connection") -> None:
        self.boto_service = boto_service
        self.error_prefix = error_prefix
        self.sdk_service = sdk_service
        self.content_type = content_type
        self.actions = actions
        self.json_fields = json_fields
        self.connection = connection  # the header's name as the service writes it (AWS-recorded)


_APIS = {
    "dynamodb": _Api("dynamodb", "DynamoDB", "AmazonDynamoDBv2", "application/x-amz-json-1.0", {
        "putItem": "PutItem", "getItem": "GetItem", "updateItem": "UpdateItem", "deleteItem": "DeleteItem"}),
    # AWS-recorded (2025): SQS answers in JSON now; SQS and SNS name the connection header in lower case
    "sqs": _Api("sqs", "SQS", "AmazonSQS", "application/x-amz-json-1.0", {"sendMessage": "SendMessage"},
                ("MessageBody",), connection="connection"),
    "sns": _Api("sns", "SNS", "AmazonSNS", "text/xml", {"publish": "Publish"}, ("Message",), connection="connection"),
    "events": _Api("events", "EventBridge", "AmazonCloudWatchEvents", "application/x-amz-json-1.1",
                   {"putEvents": "PutEvents"}),
}


def supports(service: str, action: str) -> bool:
    api = _APIS.get(service)
    return api is not None and action in api.actions


def unrecognised(resource: str) -> bool:
    """``arn:aws:states:::<service>:<action>[.pattern]`` naming an action these services' optimised integrations
    do not have (AWS-recorded: ``dynamodb:query`` is refused when the machine is created)."""
    service, _, action = resource.removeprefix("arn:aws:states:::").partition(":")
    api = _APIS.get(service) if resource.startswith("arn:aws:states:::") else None
    return api is not None and action.partition(".")[0] not in api.actions


def call_optimised(clients: Boto3Clients, service: str, action: str, parameters: Any,
                   origin: tuple[str, ...] = ()) -> dict:
    """``origin``: the state machine's and execution's ARNs, which AWS adds to each event's Resources."""
    api = _APIS[service]
    client = clients.get(api.boto_service)
    operation = client.meta.service_model.operation_model(api.actions[action])
    arguments = to_boto(_json_fields(api, service, parameters or {}, origin), operation.input_shape)
    # AWS-recorded: the SDK v1 base exception (DynamoDB.AmazonDynamoDBException) for what the model does not name
    unmodelled = f"{api.sdk_service.removesuffix('v2')}Exception"
    violations = null_violations(arguments, operation.input_shape)
    if violations:
        raise StatesError(f"{api.error_prefix}.{unmodelled}",
                          f"{violations} (Service: {api.sdk_service}; Status Code: 400; Error Code: "
                          f"ValidationException; Request ID: {uuid.uuid4()}; Proxy: null)")
    try:
        response = getattr(client, _method(action))(**arguments)
    except ClientError as error:
        raise StatesError(f"{api.error_prefix}.{exception_name(error, unmodelled)}",
                          _sdk_v1_cause(api, error)) from None
    except ParamValidationError as error:
        raise StatesError(f"{api.error_prefix}.{unmodelled}", str(error)) from None
    metadata = response.pop("ResponseMetadata", {})
    if service == "events":
        if response.get("FailedEntryCount"):
            raise StatesError("EventBridge.FailedEntry", json.dumps(response, separators=(",", ":")))
        return response
    if service == "dynamodb":
        without_unasked_capacity(response, arguments)
    request_id = metadata.get("RequestId") or str(uuid.uuid4())
    if service == "sns":  # AWS-recorded: 294 bytes, SNS's XML answer with a UUID message id and request id
        body = _SNS_PUBLISHED.format(message_id=response.get("MessageId", ""), request_id=request_id)
    else:  # AWS-recorded: the compact JSON
        body = json.dumps(response, default=str, separators=(",", ":"))
    extra = {}
    if service == "dynamodb":  # AWS-recorded: DynamoDB names itself "Server" and checksums its body
        extra = {"Server": "Server", "x-amz-crc32": str(zlib.crc32(body.encode()))}
    response.update(sdk_metadata(api.content_type, api.connection, request_id, len(body), extra))
    return response


_SNS_PUBLISHED = """<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult>
    <MessageId>{message_id}</MessageId>
  </PublishResult>
  <ResponseMetadata>
    <RequestId>{request_id}</RequestId>
  </ResponseMetadata>
</PublishResponse>
"""


def _json_fields(api: _Api, service: str, parameters: dict, origin: tuple[str, ...]) -> dict:
    """Step Functions serialises JSON values given for text fields (bodies, messages, details)."""
    parameters = dict(parameters)
    for name in api.json_fields:
        if name in parameters and not isinstance(parameters[name], str):
            parameters[name] = json.dumps(parameters[name], separators=(",", ":"))
    if service == "events":
        parameters["Entries"] = [_event_entry(entry, origin) for entry in parameters.get("Entries", [])]
    return parameters


def _event_entry(entry: dict, origin: tuple[str, ...]) -> dict:
    # AWS-recorded: the delivered event's resources are the entry's, then the state machine's and execution's ARNs
    entry = {**entry, "Resources": [*entry.get("Resources", []), *origin]}
    if "Detail" in entry and not isinstance(entry["Detail"], str):
        entry["Detail"] = json.dumps(entry["Detail"], separators=(",", ":"))
    entry.setdefault("EventBusName", "default")
    return entry


def sdk_metadata(content_type: str, connection: str, request_id: str, body_length: int,
                 extra_headers: dict[str, str] | None = None) -> dict:
    """The SDK v1 response metadata Step Functions adds to an optimised integration's result."""
    headers = {
        **(extra_headers or {}),
        connection: "keep-alive",
        "Content-Length": str(body_length),
        "Content-Type": content_type,
        "Date": datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S GMT"),
        "x-amzn-RequestId": request_id,
    }
    return {
        "SdkHttpMetadata": {
            "AllHttpHeaders": {key: [value] for key, value in headers.items()},
            "HttpHeaders": headers,
            "HttpStatusCode": 200,
        },
        "SdkResponseMetadata": {"RequestId": request_id},
    }


def _sdk_v1_cause(api: _Api, error: ClientError) -> str:
    metadata = error.response.get("ResponseMetadata", {})
    details = error.response.get("Error", {})
    return (f"{details.get('Message', '')} (Service: {api.sdk_service}; "
            f"Status Code: {metadata.get('HTTPStatusCode', 400)}; Error Code: {details.get('Code', '')}; "
            f"Request ID: {metadata.get('RequestId', '')}; Proxy: null)")


def _method(action: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in action)
