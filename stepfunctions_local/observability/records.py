"""A bounded local record of every execution, Express included, for the console and the exporters.

The AWS API stays AWS-exact (an Express ARN is still not describable); this record is a
separate, local view fed through the runtime's observer hook. It keeps the newest
``max_executions`` executions (``SFN_LOCAL_MAX_EXECUTIONS``, default 1000) and, per state
machine, per-minute counts that outlive evicted executions, for the Monitoring graphs.
"""
from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

DEFAULT_MAX_EXECUTIONS = 1000
MAX_EXECUTIONS_VARIABLE = "SFN_LOCAL_MAX_EXECUTIONS"
EXPRESS_BILLED_MEMORY_MB = 64  # what StartSyncExecution's billingDetails answer offline
_MINUTES_KEPT = 24 * 60
FINAL_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class RuntimeExecution(Protocol):
    """What a record reads from the runtime's execution (stepfunctions_local.records.Execution)."""

    arn: str
    name: str
    state_machine: Any  # .arn, .name, .type, .logging
    definition: str
    input: str
    started: datetime
    status: str
    stopped: datetime | None
    output: str | None
    error: str | None
    cause: str | None
    history: Any  # history.History: snapshot() and types(); None while nobody observes


class ExecutionRecord:
    """One execution as the console shows it; times are epoch seconds.

    A view of the runtime's own record, read when asked: keeping it costs an execution one small
    object (no copy of its fields, no event dicts until someone reads ``events``).
    """

    __slots__ = ("_execution", "trace_header", "_evicted")

    def __init__(self, execution: RuntimeExecution, trace_header: str | None = None) -> None:
        self._execution = execution
        self.trace_header = trace_header
        # the store's: None while kept; True once evicted and counted as started; "counted" when its end is too
        self._evicted: bool | str | None = None

    @property
    def arn(self) -> str:
        return self._execution.arn

    @property
    def name(self) -> str:
        return self._execution.name

    @property
    def state_machine_arn(self) -> str:
        return self._execution.state_machine.arn

    @property
    def state_machine_name(self) -> str:
        return self._execution.state_machine.name

    @property
    def type(self) -> str:
        """"STANDARD" or "EXPRESS"."""
        return self._execution.state_machine.type

    @property
    def definition(self) -> str:
        return self._execution.definition

    @property
    def logging(self) -> dict:
        return self._execution.state_machine.logging

    @property
    def input(self) -> str:
        return self._execution.input

    @property
    def started(self) -> float:
        return self._execution.started.timestamp()

    @property
    def status(self) -> str:
        return self._execution.status

    @property
    def stopped(self) -> float | None:
        stopped = self._execution.stopped
        return None if stopped is None else stopped.timestamp()

    @property
    def output(self) -> str | None:
        return self._execution.output

    @property
    def error(self) -> str | None:
        return self._execution.error

    @property
    def cause(self) -> str | None:
        return self._execution.cause

    @property
    def events(self) -> list[dict]:
        """The execution's history events so far (a new list)."""
        history = self._execution.history
        return history.snapshot() if history is not None else []

    @property
    def duration_ms(self) -> float | None:
        stopped = self.stopped
        return None if stopped is None else max(0.0, (stopped - self.started) * 1000)

    @property
    def billed_duration_ms(self) -> int | None:
        """Express bills in 100 ms steps, at least 100 ms (as StartSyncExecution's billingDetails)."""
        duration = self.duration_ms
        if self.type != "EXPRESS" or duration is None:
            return None
        return max(100, math.ceil(duration / 100) * 100)

    @property
    def billed_memory_mb(self) -> int | None:
        return EXPRESS_BILLED_MEMORY_MB if self.type == "EXPRESS" and self.stopped is not None else None

    @property
    def states_run(self) -> int:
        history = self._execution.history
        types = history.types() if history is not None else []
        return sum(1 for event_type in types if event_type.endswith("StateEntered"))

    def __repr__(self) -> str:
        return f"ExecutionRecord({self.arn!r}, status={self.status!r})"


@dataclass
class MinuteCounts:
    """What the six Monitoring graphs show for one state machine and one minute."""

    minute: int  # epoch seconds at the start of the minute
    started: int = 0
    succeeded: int = 0
    failed: int = 0
    timed_out: int = 0
    aborted: int = 0
    duration_ms_total: float = 0.0
    finished: int = 0
    billed_duration_ms_total: int = 0
    billed_memory_mb_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        average = self.duration_ms_total / self.finished if self.finished else None
        return {"minute": self.minute, "started": self.started, "succeeded": self.succeeded,
                "failed": self.failed, "timedOut": self.timed_out, "aborted": self.aborted,
                "averageDurationMs": average, "billedDurationMs": self.billed_duration_ms_total,
                "billedMemoryMb": self.billed_memory_mb_total}


def max_executions_from_environment() -> int:
    text = os.environ.get(MAX_EXECUTIONS_VARIABLE, "")
    try:
        value = int(text) if text else DEFAULT_MAX_EXECUTIONS
    except ValueError:
        raise ValueError(f"{MAX_EXECUTIONS_VARIABLE} must be a whole number, not {text!r}") from None
    if value < 1:
        raise ValueError(f"{MAX_EXECUTIONS_VARIABLE} must be at least 1, not {value}")
    return value


class ExecutionStore:
    """Keeps ExecutionRecords, newest last; wakes up waiters whenever something changes.

    An execution costs the store one append (no lock): the per-minute counts are made when asked,
    from the records kept and the counts of those already evicted. Records are evicted a batch at
    a time, once the store holds an eighth more than it keeps.
    """

    def __init__(self, max_executions: int | None = None) -> None:
        self.max_executions = max_executions or max_executions_from_environment()
        self._evict_at = self.max_executions + max(1, self.max_executions // 8)
        self._records: deque[ExecutionRecord] = deque()
        self._evicted_minutes: dict[str, dict[int, MinuteCounts]] = {}  # of evicted records only
        self._changed = threading.Condition()
        self._traces: OrderedDict[str, str] = OrderedDict()  # trace headers of executions not seen yet
        self._waiting = 0  # callers in wait_for_change: nobody to wake up (the usual case) costs nothing
        self.version = 0

    # -- what the runtime reports (through observer.RecordingObserver) --------------------------
    def started(self, record: ExecutionRecord) -> None:
        records = self._records
        records.append(record)  # atomic: readers copy the deque whole
        if self._traces:  # read after the append: ``note_trace`` looks for the record after adding its header
            with self._changed:
                record.trace_header = self._traces.pop(record.arn, record.trace_header)
        if len(records) > self._evict_at:
            self._evict()
        self._bump()

    def event(self, record: ExecutionRecord, event: dict) -> None:
        """Not called: ``record.events`` reads them when the console asks."""

    def event_types(self, record: ExecutionRecord) -> frozenset[str]:
        return frozenset()

    def finished(self, record: ExecutionRecord) -> None:
        if record._evicted is True:  # evicted while running: its end is counted now
            with self._changed:
                if record._evicted is True:
                    _count_finished(self._evicted_minutes.setdefault(record.state_machine_arn, {}), record)
                    record._evicted = "counted"
        self._bump()

    def note_trace(self, arn: str, trace_header: str) -> None:
        """Keep the X-Ray trace header an execution was started with (it may not have started yet)."""
        with self._changed:
            self._traces[arn] = trace_header
            while len(self._traces) > self.max_executions:
                self._traces.popitem(last=False)
            record = self.get(arn)  # looked for after adding the header: ``started`` looks in the other order
            if record is not None:
                record.trace_header = self._traces.pop(arn, trace_header)
                self._bump()

    # -- what the console asks ------------------------------------------------------------------
    def executions(self, state_machine_arn: str | None = None, status: str | None = None) -> list[ExecutionRecord]:
        """Newest first."""
        records = self._kept()
        records.reverse()
        return [r for r in records if (state_machine_arn is None or r.state_machine_arn == state_machine_arn)
                and (status is None or r.status == status)]

    def get(self, arn: str) -> ExecutionRecord | None:
        for record in reversed(self._kept()):
            if record.arn == arn:
                return record
        return None

    def minutes(self, state_machine_arn: str) -> list[dict[str, Any]]:
        """Per-minute counts, oldest first."""
        with self._changed:  # no eviction meanwhile: each execution is counted once, evicted or kept
            records = list(self._records)
            minutes = {minute: replace(counts)
                       for minute, counts in self._evicted_minutes.get(state_machine_arn, {}).items()}
        for record in records:
            if record.state_machine_arn == state_machine_arn:
                _count_started(minutes, record)
                if record.status in FINAL_STATUSES:
                    _count_finished(minutes, record)
        newest = sorted(minutes)[-_MINUTES_KEPT:]
        return [minutes[minute].as_dict() for minute in newest]

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until the version moves past ``version`` (or ``timeout`` seconds); the current version."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self.version != version, timeout)
            finally:
                self._waiting -= 1
            return self.version

    def _kept(self) -> list[ExecutionRecord]:
        """The newest ``max_executions`` records, oldest first."""
        records = list(self._records)  # one C call: atomic against appends from other threads
        return records[-self.max_executions:]

    def _evict(self) -> None:
        """Count the oldest records into ``_evicted_minutes`` and forget them, down to ``max_executions``."""
        with self._changed:
            records = self._records
            while len(records) > self.max_executions:
                record = records.popleft()
                minutes = self._evicted_minutes.setdefault(record.state_machine_arn, {})
                record._evicted = True  # before reading the status: ``finished`` counts an end seen after
                _count_started(minutes, record)
                if record.status in FINAL_STATUSES:
                    _count_finished(minutes, record)
                    record._evicted = "counted"
                while len(minutes) > _MINUTES_KEPT:
                    del minutes[min(minutes)]

    def _bump(self) -> None:
        self.version += 1
        if self._waiting:
            with self._changed:
                self._changed.notify_all()


def _minute(minutes: dict[int, MinuteCounts], when: float) -> MinuteCounts:
    minute = int(when // 60 * 60)
    counts = minutes.get(minute)
    if counts is None:
        counts = minutes[minute] = MinuteCounts(minute)
    return counts


def _count_started(minutes: dict[int, MinuteCounts], record: ExecutionRecord) -> None:
    _minute(minutes, record.started).started += 1


def _count_finished(minutes: dict[int, MinuteCounts], record: ExecutionRecord) -> None:
    stopped = record.stopped
    counts = _minute(minutes, stopped if stopped is not None else record.started)
    status = record.status
    if status == "SUCCEEDED":
        counts.succeeded += 1
    elif status == "FAILED":
        counts.failed += 1
    elif status == "TIMED_OUT":
        counts.timed_out += 1
    elif status == "ABORTED":
        counts.aborted += 1
    counts.finished += 1
    counts.duration_ms_total += record.duration_ms or 0.0
    if record.type == "EXPRESS":
        counts.billed_duration_ms_total += record.billed_duration_ms or 0
        counts.billed_memory_mb_total += record.billed_memory_mb or 0
