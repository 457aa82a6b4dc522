"""The runtime's execution observer: one ExecutionRecord per execution, handed to every sink.

Registered with ``Runtime.add_observer`` (see stepfunctions_local/README.md, "Extension points");
the sinks (the store, the metrics and log publishers, the terminal summary) only ever see
ExecutionRecords, never the runtime's own objects.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Protocol

from stepfunctions_local.observability.records import ExecutionRecord

if TYPE_CHECKING:
    from stepfunctions_local.records import Execution
    from stepfunctions_local.service import Runtime


class Sink(Protocol):
    def started(self, record: ExecutionRecord) -> None: ...

    def event(self, record: ExecutionRecord, event: dict) -> None: ...

    def finished(self, record: ExecutionRecord) -> None: ...


class RecordingObserver:
    """Implements the runtime's ExecutionObserver protocol (stepfunctions_local/observers.py)."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks = sinks
        self._running: dict[str, ExecutionRecord] = {}
        self._lock = threading.Lock()

    def add(self, *sinks: Sink) -> None:
        """More sinks for the same records (one record per execution however many sinks)."""
        with self._lock:
            self.sinks = (*self.sinks, *sinks)  # a new tuple: running executions keep iterating the old one

    def execution_started(self, execution: Execution) -> None:
        record = ExecutionRecord(
            arn=execution.arn, name=execution.name, state_machine_arn=execution.state_machine_arn,
            state_machine_name=execution.state_machine_name, type=execution.state_machine_type,
            definition=execution.definition, logging=dict(execution.logging_configuration),
            input=execution.input, started=execution.started.timestamp())
        with self._lock:
            self._running[record.arn] = record
        for sink in self.sinks:
            sink.started(record)

    def history_event(self, execution: Execution, event: dict) -> None:
        record = self._running.get(execution.arn)
        if record is None:  # started before this observer was added
            return
        record.events.append(event)  # atomic under the GIL; readers take a copy
        for sink in self.sinks:
            sink.event(record, event)

    def execution_finished(self, execution: Execution) -> None:
        with self._lock:
            record = self._running.pop(execution.arn, None)
        if record is None:
            return
        record.status, record.output = execution.status, execution.output
        record.error, record.cause = execution.error, execution.cause
        record.stopped = execution.stopped.timestamp() if execution.stopped is not None else None
        for sink in self.sinks:
            sink.finished(record)


def observe(runtime: Runtime, *sinks: Sink) -> RecordingObserver:
    """Tell ``sinks`` about every execution ``runtime`` runs from now on."""
    observer = RecordingObserver(*sinks)
    runtime.add_observer(observer)
    return observer
