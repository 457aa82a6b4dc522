"""What the AWS-recording replays share: the recordings' Lambdas re-created, and how answers are compared.

Ids and per-call values compare as placeholders the way localstack's snapshots store them
(tests/stepfunctions_local/test_aws_recordings.py's docstring says which).
"""
from __future__ import annotations

import json
import re
import time
from typing import Any, Callable

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|<uuid:\d+>|<request_id>")


def _raise_exception(event: Any, context: Any) -> None:
    raise Exception("Some exception was raised.")


def _echo(event: Any, context: Any) -> Any:
    return event


def _return_bytes_str(event: Any, context: Any) -> str:
    return "HelloWorld!"


def _return_hello_world(event: Any, context: Any) -> Any:
    return {"Return": "HelloWorld"}


def _large_output_string(event: Any, context: Any) -> str:
    return "a" * 257 * 1024


def _wait_60_seconds(event: Any, context: Any) -> Any:
    # Outlives the recordings' 5-second TimeoutSeconds in real time (the runtime's task timeouts are
    # wall-clock); it sleeps on in a daemon worker after the state has timed out, as AWS's Lambda would.
    time.sleep(60)
    return event


LAMBDAS: dict[str, Callable[[Any, Any], Any]] = {
    "raise_exception": _raise_exception,
    "echo": _echo,
    "large_output_string": _large_output_string,
    "return_bytes_str": _return_bytes_str,
    "return_hello_world": _return_hello_world,
    "wait_60_seconds": _wait_60_seconds,
}


VARYING_HEADERS = ("Date", "x-amzn-RequestId", "X-Amzn-Trace-Id", "X-Amz-Log-Result", "x-amz-crc32")


def _sdk_placeholders(result: dict) -> dict:
    """An integration result with its per-call headers, request id and log tail replaced by placeholders."""
    metadata = result["SdkHttpMetadata"]
    if "LogResult" in result:
        result = {**result, "LogResult": "<LogResult>"}
    headers = {kind: {**metadata[kind], **{name: f"<{name}>" for name in VARYING_HEADERS if name in metadata[kind]}}
               for kind in ("AllHttpHeaders", "HttpHeaders") if kind in metadata}
    return {**result, "SdkHttpMetadata": {**metadata, **headers},
            "SdkResponseMetadata": {**result.get("SdkResponseMetadata", {}), "RequestId": "<RequestId>"}}


def normalised(value: Any) -> Any:
    """``value`` with UUIDs, and Lambda error causes' request id and stack trace, replaced by placeholders."""
    if isinstance(value, dict) and isinstance(value.get("SdkHttpMetadata"), dict):
        value = _sdk_placeholders(value)
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str) and value.startswith('{"errorMessage"'):
        # a snapshot transformer left the compact request id unquoted on the left; quote it again to parse
        cause = json.loads(value.replace('"requestId":<request-id>"', '"requestId":"<request-id>"'))
        cause.update({key: f"<{key}>" for key in ("requestId", "stackTrace") if key in cause})
        return {"compact": value.startswith('{"errorMessage":"'), "error": normalised(cause)}
    if isinstance(value, str):
        return UUID.sub("<uuid>", value)
    return value


def with_request_id(output: dict, recorded: dict) -> None:
    """Checks ``output``'s Content-Length is AWS's for a body holding ``output``'s request id instead of a UUID
    (AWS's ids are 36 characters, moto's are not), then writes AWS's."""
    headers = output["SdkHttpMetadata"]["HttpHeaders"]
    aws_length = recorded["SdkHttpMetadata"]["HttpHeaders"]["Content-Length"]
    assert int(headers["Content-Length"]) == int(aws_length) - 36 + len(headers["x-amzn-RequestId"])
    for kind in ("AllHttpHeaders", "HttpHeaders"):
        output["SdkHttpMetadata"][kind]["Content-Length"] = recorded["SdkHttpMetadata"][kind]["Content-Length"]
