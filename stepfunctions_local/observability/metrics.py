"""AWS/States execution metrics, published to the CloudWatch endpoint boto3 is given.

Names, units and the ``StateMachineArn`` dimension are AWS's (Step Functions developer guide,
"Metrics for Step Functions"): counts in ``Count``, ExecutionTime and
ExpressExecutionBilledDuration in ``Milliseconds``, ExpressExecutionBilledMemory in ``Megabytes``.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, TypedDict

from stepfunctions_local.observability.batcher import Batcher
from stepfunctions_local.observability.records import ExecutionRecord

NAMESPACE = "AWS/States"
_PUT_LIMIT = 1000  # PutMetricData takes at most 1000 MetricData entries a call
_VALUES_LIMIT = 150  # and at most 150 distinct values in one entry's Values
_FINAL_METRIC = {"SUCCEEDED": "ExecutionsSucceeded", "FAILED": "ExecutionsFailed",
                 "TIMED_OUT": "ExecutionsTimedOut", "ABORTED": "ExecutionsAborted"}


class Dimension(TypedDict):
    Name: str
    Value: str


class MetricDatum(TypedDict):
    MetricName: str
    Dimensions: list[Dimension]
    Timestamp: datetime
    Value: float
    Unit: str


class CombinedDatum(TypedDict):
    """Data points of one metric and second as PutMetricData takes them: each value with how often it came."""

    MetricName: str
    Dimensions: list[Dimension]
    Timestamp: datetime
    Values: list[float]
    Counts: list[float]
    Unit: str


def started_metrics(record: ExecutionRecord) -> list[MetricDatum]:
    return [_datum(record, "ExecutionsStarted", record.started, 1, "Count")]


def finished_metrics(record: ExecutionRecord) -> list[MetricDatum]:
    """The outcome's count, ExecutionTime, and for Express the billed duration and memory."""
    when = record.stopped if record.stopped is not None else record.started
    data = [_datum(record, _FINAL_METRIC[record.status], when, 1, "Count")]
    if record.duration_ms is not None:
        data.append(_datum(record, "ExecutionTime", when, record.duration_ms, "Milliseconds"))
    if record.billed_duration_ms is not None:
        data.append(_datum(record, "ExpressExecutionBilledDuration", when, record.billed_duration_ms, "Milliseconds"))
    if record.billed_memory_mb is not None:
        data.append(_datum(record, "ExpressExecutionBilledMemory", when, record.billed_memory_mb, "Megabytes"))
    return data


def _datum(record: ExecutionRecord, name: str, when: float, value: float, unit: str) -> MetricDatum:
    return {"MetricName": name, "Dimensions": [{"Name": "StateMachineArn", "Value": record.state_machine_arn}],
            "Timestamp": datetime.fromtimestamp(when, tz=timezone.utc), "Value": float(value), "Unit": unit}


class MetricsPublisher:
    """An execution sink: PutMetricData in the background, at most one call a second."""

    def __init__(self, boto3_client: Any = None, *, region_name: str | None = None, interval: float = 1.0) -> None:
        self._client = boto3_client
        self._region = region_name
        self._batcher: Batcher[MetricDatum] = Batcher(self._send, name="sfn-metrics", interval=interval,
                                                      max_batch=_PUT_LIMIT)

    def started(self, record: ExecutionRecord) -> None:
        for datum in started_metrics(record):
            self._batcher.put(datum)

    def event(self, record: ExecutionRecord, event: dict) -> None:
        """Metrics are per execution, not per event."""

    def event_types(self, record: ExecutionRecord) -> frozenset[str]:
        return frozenset()  # ``event`` is never needed

    def finished(self, record: ExecutionRecord) -> None:
        if record.status in _FINAL_METRIC:
            for datum in finished_metrics(record):
                self._batcher.put(datum)

    def flush(self, timeout: float = 10.0) -> bool:
        return self._batcher.flush(timeout)

    def close(self) -> None:
        self._batcher.close()

    def _send(self, data: list[MetricDatum]) -> None:
        if self._client is None:
            import boto3  # the endpoint comes from AWS_ENDPOINT_URL(_CLOUDWATCH), as for every integration

            self._client = boto3.client("cloudwatch", region_name=self._region)
        self._client.put_metric_data(Namespace=NAMESPACE, MetricData=combined(data))


def combined(data: list[MetricDatum]) -> list[CombinedDatum]:
    """``data`` as fewer entries, one per metric, state machine, unit and second, with ``Values`` and ``Counts``.

    CloudWatch's statistics (sum, sample count, minimum, maximum, percentiles) come out the same;
    a second of executions costs a handful of entries to send and to parse instead of five each.
    """
    groups: dict[tuple[str, str, str, datetime], dict[float, int]] = {}
    for datum in data:
        key = (datum["MetricName"], datum["Dimensions"][0]["Value"], datum["Unit"],
               datum["Timestamp"].replace(microsecond=0))
        counts = groups.setdefault(key, {})
        counts[datum["Value"]] = counts.get(datum["Value"], 0) + 1
    entries: list[CombinedDatum] = []
    for (name, arn, unit, second), counts in groups.items():
        values = list(counts)
        for start in range(0, len(values), _VALUES_LIMIT):
            chunk = values[start:start + _VALUES_LIMIT]
            entries.append({"MetricName": name, "Dimensions": [{"Name": "StateMachineArn", "Value": arn}],
                            "Timestamp": second, "Values": chunk, "Counts": [float(counts[v]) for v in chunk],
                            "Unit": unit})
    return entries
