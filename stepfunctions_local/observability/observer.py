"""The runtime's execution observer: one ExecutionRecord per execution, handed to every sink.

Registered with ``Runtime.add_observer`` (see stepfunctions_local/README.md, "Extension points");
the sinks (the store, the metrics and log publishers, the terminal summary) only ever see
ExecutionRecords, never the runtime's own objects. A sink may say which events it wants one by
one (``event_types``); a record's ``events`` are made from the runtime's history when read, so a
sink that wants none (the store, metrics, the terminal summary) costs an execution no event dicts.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Protocol

from stepfunctions_local.observability.records import ExecutionRecord

if TYPE_CHECKING:
    from stepfunctions_local.records import Execution
    from stepfunctions_local.service import Runtime


class Sink(Protocol):
    def started(self, record: ExecutionRecord) -> None: ...

    def event(self, record: ExecutionRecord, event: dict) -> None: ...

    def finished(self, record: ExecutionRecord) -> None: ...

    # Optional: ``event_types(record) -> Collection[str] | None``, the event types ``event`` is called for
    # (empty: none; None, or no such method: every one), asked once per execution after ``started``.


class RecordingObserver:
    """Implements the runtime's ExecutionObserver protocol (stepfunctions_local/observers.py)."""

    def __init__(self, *sinks: Sink) -> None:
        self.sinks: tuple[Sink, ...] = ()
        # each sink with its ``event_types`` (None: it has none, so it wants every event), looked up once
        self._askers: tuple[tuple[Sink, Callable[[ExecutionRecord], Collection[str] | None] | None], ...] = ()
        # arn -> the record and the sinks told about its events one by one, with the types each wants
        self._running: dict[str, tuple[ExecutionRecord, list[tuple[Sink, Collection[str] | None]]]] = {}
        self._lock = threading.Lock()
        self.add(*sinks)

    def add(self, *sinks: Sink) -> None:
        """More sinks for the same records (one record per execution however many sinks)."""
        with self._lock:
            # new tuples: running executions keep iterating the old ones
            self.sinks = (*self.sinks, *sinks)
            self._askers = (*self._askers, *((sink, getattr(sink, "event_types", None)) for sink in sinks))

    def execution_started(self, execution: Execution) -> None:
        record = ExecutionRecord(execution)
        askers = self._askers
        told = []
        for sink, _ in askers:
            sink.started(record)
        for sink, ask in askers:
            wanted = None if ask is None else ask(record)
            if wanted is None or wanted:
                told.append((sink, wanted))
        self._running[execution.arn] = (record, told)  # one dict operation: atomic under the GIL

    def history_event_types(self, execution: Execution) -> Collection[str] | None:
        running = self._running.get(execution.arn)
        if running is None:
            return ()
        told = running[1]
        if not told:
            return ()
        if any(wanted is None for _, wanted in told):
            return None
        return frozenset().union(*(wanted for _, wanted in told if wanted is not None))

    def history_event(self, execution: Execution, event: dict) -> None:
        running = self._running.get(execution.arn)
        if running is None:  # started before this observer was added
            return
        record, told = running
        for sink, wanted in told:
            if wanted is None or event["type"] in wanted:
                sink.event(record, event)

    def execution_finished(self, execution: Execution) -> None:
        running = self._running.pop(execution.arn, None)
        if running is None:
            return
        record = running[0]  # a view: it reads the final status, output and times from the execution
        for sink in self.sinks:
            sink.finished(record)


def observe(runtime: Runtime, *sinks: Sink) -> RecordingObserver:
    """Tell ``sinks`` about every execution ``runtime`` runs from now on."""
    observer = RecordingObserver(*sinks)
    runtime.add_observer(observer)
    return observer
