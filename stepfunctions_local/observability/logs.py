"""Execution events to CloudWatch Logs, in the JSON AWS writes, at the machine's log level.

A log event is the history event with AWS's logging field names (all values text):
``{"id", "type", "details", "previous_event_id", "event_timestamp", "execution_arn",
"redrive_count"}``; ``details`` is the event's ``…EventDetails``, without ``input``, ``output``
and ``parameters`` (and their ``…Details``) unless ``includeExecutionData`` is true. Streams are named
``states/<machine>/<YYYY-MM-DD-HH-MM>/00000000`` as AWS names them.
Which event types each level writes follows the developer guide's "Log levels" table.
"""
from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime, timezone
from typing import Any, TypedDict

from stepfunctions_local.observability.batcher import Batcher
from stepfunctions_local.observability.records import ExecutionRecord

FATAL_TYPES = frozenset({"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"})
ERROR_TYPES = FATAL_TYPES | {
    "FailStateEntered", "LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed",
    "LambdaFunctionTimedOut", "MapIterationAborted", "MapIterationFailed", "MapStateAborted", "MapStateFailed",
    "ParallelStateAborted", "ParallelStateFailed", "TaskFailed", "TaskStartFailed", "TaskStateAborted",
    "TaskSubmitFailed", "TaskTimedOut", "WaitStateAborted",
}
LEVEL_TYPES: dict[str, frozenset[str] | None] = {"ALL": None, "ERROR": ERROR_TYPES, "FATAL": FATAL_TYPES}
# AWS-recorded: without execution data the log event drops the data's ``…Details`` (truncated flags) too
_DATA_FIELDS = ("input", "inputDetails", "output", "outputDetails", "parameters", "parametersDetails")
_PUT_LIMIT = 1000


class LogEvent(TypedDict):
    timestamp: int  # epoch milliseconds
    message: str


class Destination(TypedDict):
    group: str
    stream: str


def log_group(logging: dict) -> str | None:
    """The group name in a loggingConfiguration's one destination, or None when nothing is logged."""
    if logging.get("level", "OFF") == "OFF":
        return None
    for destination in logging.get("destinations") or []:
        arn = (destination.get("cloudWatchLogsLogGroup") or {}).get("logGroupArn", "")
        _, found, rest = arn.partition(":log-group:")
        if found:
            return rest[:-2] if rest.endswith(":*") else rest
    return None


def is_logged(level: str, event_type: str) -> bool:
    if level == "ALL":
        return True
    if level == "ERROR":
        return event_type in ERROR_TYPES
    if level == "FATAL":
        return event_type in FATAL_TYPES
    return False


def log_message(record: ExecutionRecord, event: dict, include_data: bool) -> str:
    details: dict[str, Any] = next((value for key, value in event.items() if key.endswith("EventDetails")), {})
    if not include_data:
        details = {key: value for key, value in details.items() if key not in _DATA_FIELDS}
    return json.dumps({
        "id": str(event["id"]),
        "type": event["type"],
        "details": details,
        "previous_event_id": str(event.get("previousEventId", 0)),
        "event_timestamp": str(epoch_ms(event["timestamp"])),
        "execution_arn": record.arn,
        "redrive_count": "0",
    }, ensure_ascii=False, separators=(",", ":"))


def log_events(record: ExecutionRecord, events: list[dict]) -> list[LogEvent]:
    """The log events AWS would write for ``events`` under the record's logging configuration."""
    level = record.logging.get("level", "OFF")
    include_data = bool(record.logging.get("includeExecutionData"))
    return [{"timestamp": epoch_ms(event["timestamp"]), "message": log_message(record, event, include_data)}
            for event in events if is_logged(level, event["type"])]


def stream_name(record: ExecutionRecord) -> str:
    minute = datetime.fromtimestamp(record.started, tz=timezone.utc).strftime("%Y-%m-%d-%H-%M")
    return f"states/{record.state_machine_name}/{minute}/00000000"


def epoch_ms(timestamp: Any) -> int:
    if isinstance(timestamp, datetime):
        return int(timestamp.timestamp() * 1000)
    return int(float(timestamp) * 1000)


class LogPublisher:
    """An execution sink: PutLogEvents in the background to each machine's log group."""

    def __init__(self, boto3_client: Any = None, *, region_name: str | None = None, interval: float = 1.0) -> None:
        self._client = boto3_client
        self._region = region_name
        self._streams: set[tuple[str, str]] = set()
        self._batcher: Batcher[tuple[Destination, LogEvent]] = Batcher(
            self._send, name="sfn-logs", interval=interval, max_batch=_PUT_LIMIT)

    def started(self, record: ExecutionRecord) -> None:
        """Events come one by one through ``event``."""

    def event_types(self, record: ExecutionRecord) -> Collection[str] | None:
        """Only the events the machine's log level writes are made into dicts and sent here."""
        if log_group(record.logging) is None:
            return frozenset()
        return LEVEL_TYPES.get(record.logging.get("level", "OFF"), frozenset())

    def event(self, record: ExecutionRecord, event: dict) -> None:
        group = log_group(record.logging)
        if group is None or not is_logged(record.logging["level"], event["type"]):
            return
        message = log_message(record, event, bool(record.logging.get("includeExecutionData")))
        self._batcher.put(({"group": group, "stream": stream_name(record)},
                           {"timestamp": epoch_ms(event["timestamp"]), "message": message}))

    def finished(self, record: ExecutionRecord) -> None:
        """The final event (ExecutionSucceeded, ExecutionFailed...) came through ``event``."""

    def flush(self, timeout: float = 10.0) -> bool:
        return self._batcher.flush(timeout)

    def close(self) -> None:
        self._batcher.close()

    def _send(self, items: list[tuple[Destination, LogEvent]]) -> None:
        if self._client is None:
            import boto3  # the endpoint comes from AWS_ENDPOINT_URL(_CLOUDWATCH_LOGS)

            self._client = boto3.client("logs", region_name=self._region)
        by_stream: dict[tuple[str, str], list[LogEvent]] = {}
        for destination, log_event in items:
            by_stream.setdefault((destination["group"], destination["stream"]), []).append(log_event)
        for (group, stream), log_events_ in by_stream.items():
            self._ensure_stream(group, stream)
            log_events_.sort(key=lambda e: e["timestamp"])  # PutLogEvents wants them in time order
            self._client.put_log_events(logGroupName=group, logStreamName=stream, logEvents=log_events_)

    def _ensure_stream(self, group: str, stream: str) -> None:
        if (group, stream) in self._streams:
            return
        errors = self._client.exceptions
        try:
            self._client.create_log_stream(logGroupName=group, logStreamName=stream)
        except errors.ResourceAlreadyExistsException:
            pass
        except errors.ResourceNotFoundException:
            # The deploy template creates the group; a bare local runtime may not have it yet.
            self._client.create_log_group(logGroupName=group)
            self._client.create_log_stream(logGroupName=group, logStreamName=stream)
        self._streams.add((group, stream))
