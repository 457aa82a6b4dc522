"""Observability offline: a local record of every execution, AWS/States metrics, execution logs.

```python
store = ExecutionStore()                                   # bounded: SFN_LOCAL_MAX_EXECUTIONS
observe(runtime, store, *exporters_from_environment())     # + MetricsPublisher, LogPublisher
```
"""
from __future__ import annotations

import os

from stepfunctions_local.observability.logs import LogPublisher
from stepfunctions_local.observability.metrics import MetricsPublisher
from stepfunctions_local.observability.observer import RecordingObserver, Sink, observe
from stepfunctions_local.observability.records import ExecutionRecord, ExecutionStore
from stepfunctions_local.observability.summary import TerminalSummary

__all__ = ["ExecutionRecord", "ExecutionStore", "LogPublisher", "MetricsPublisher", "RecordingObserver", "Sink",
           "TerminalSummary", "exporters_from_environment", "observe"]

_ENDPOINT_VARIABLES = {
    "cloudwatch": ("AWS_ENDPOINT_URL_CLOUDWATCH", "AWS_ENDPOINT_URL"),
    "logs": ("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "AWS_ENDPOINT_URL"),
}


def exporters_from_environment(region_name: str | None = None) -> list[Sink]:
    """A metrics and a log publisher for each service whose endpoint boto3 is given by the environment.

    Without an ``AWS_ENDPOINT_URL…`` nothing is published: a local runtime never writes to a real
    account unless told where to write.
    """
    sinks: list[Sink] = []
    if any(os.environ.get(name) for name in _ENDPOINT_VARIABLES["cloudwatch"]):
        sinks.append(MetricsPublisher(region_name=region_name))
    if any(os.environ.get(name) for name in _ENDPOINT_VARIABLES["logs"]):
        sinks.append(LogPublisher(region_name=region_name))
    return sinks
