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
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Protocol

DEFAULT_MAX_EXECUTIONS = 1000
MAX_EXECUTIONS_VARIABLE = "SFN_LOCAL_MAX_EXECUTIONS"
EXPRESS_BILLED_MEMORY_MB = 64  # what StartSyncExecution's billingDetails answer offline
_MINUTES_KEPT = 24 * 60
FINAL_STATUSES = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")


class EventSource(Protocol):
    """Where a record's events come from: the runtime's history of the execution (history.History)."""

    def snapshot(self) -> list[dict]:
        """Every event so far, in id order, as GetExecutionHistory's dicts."""

    def types(self) -> list[str]:
        """Their types, in id order, without making the dicts."""


@dataclass(slots=True)
class ExecutionRecord:
    """One execution as the console shows it; times are epoch seconds.

    ``events`` are made from ``source`` when read (the runtime records them compactly, history.py).
    """

    arn: str
    name: str
    state_machine_arn: str
    state_machine_name: str
    type: str  # "STANDARD" | "EXPRESS"
    definition: str
    logging: dict
    input: str
    started: float
    trace_header: str | None = None
    status: str = "RUNNING"
    stopped: float | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    source: EventSource | None = field(default=None, repr=False, compare=False)

    @property
    def events(self) -> list[dict]:
        """The execution's history events so far (a new list)."""
        return self.source.snapshot() if self.source is not None else []

    @property
    def duration_ms(self) -> float | None:
        return None if self.stopped is None else max(0.0, (self.stopped - self.started) * 1000)

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
        types = self.source.types() if self.source is not None else []
        return sum(1 for event_type in types if event_type.endswith("StateEntered"))


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
    """Keeps ExecutionRecords, newest last; wakes up waiters whenever something changes."""

    def __init__(self, max_executions: int | None = None) -> None:
        self.max_executions = max_executions or max_executions_from_environment()
        self._records: OrderedDict[str, ExecutionRecord] = OrderedDict()
        self._minutes: dict[str, OrderedDict[int, MinuteCounts]] = {}
        self._changed = threading.Condition()
        self._traces: OrderedDict[str, str] = OrderedDict()  # trace headers of executions not seen yet
        self._waiting = 0  # callers in wait_for_change: nobody to wake up (the usual case) costs nothing
        self._current: tuple[str, int, MinuteCounts] | None = None  # the last minute counted
        self.version = 0

    # -- what the runtime reports (see adapter.py) ---------------------------------------------
    def started(self, record: ExecutionRecord) -> None:
        with self._changed:
            if self._traces:
                record.trace_header = self._traces.pop(record.arn, record.trace_header)
            records = self._records
            records[record.arn] = record
            while len(records) > self.max_executions:
                records.popitem(last=False)
            self._minute(record.state_machine_arn, record.started).started += 1
            self._bump()

    def event(self, record: ExecutionRecord, event: dict) -> None:
        """Not called: ``record.events`` reads them when the console asks."""

    def event_types(self, record: ExecutionRecord) -> frozenset[str]:
        return frozenset()

    def finished(self, record: ExecutionRecord) -> None:
        with self._changed:
            counts = self._minute(record.state_machine_arn, record.stopped or record.started)
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
            self._bump()

    def note_trace(self, arn: str, trace_header: str) -> None:
        """Keep the X-Ray trace header an execution was started with (it may not have started yet)."""
        with self._changed:
            record = self._records.get(arn)
            if record is not None:
                record.trace_header = trace_header
                self._bump()
                return
            self._traces[arn] = trace_header
            while len(self._traces) > self.max_executions:
                self._traces.popitem(last=False)

    # -- what the console asks ------------------------------------------------------------------
    def executions(self, state_machine_arn: str | None = None, status: str | None = None) -> list[ExecutionRecord]:
        """Newest first."""
        with self._changed:
            records = list(self._records.values())
        records.reverse()
        return [r for r in records if (state_machine_arn is None or r.state_machine_arn == state_machine_arn)
                and (status is None or r.status == status)]

    def get(self, arn: str) -> ExecutionRecord | None:
        with self._changed:
            return self._records.get(arn)

    def minutes(self, state_machine_arn: str) -> list[dict[str, Any]]:
        """Per-minute counts, oldest first."""
        with self._changed:
            counts = sorted(self._minutes.get(state_machine_arn, {}).values(), key=lambda c: c.minute)
            return [c.as_dict() for c in counts]

    def wait_for_change(self, version: int, timeout: float) -> int:
        """Block until the version moves past ``version`` (or ``timeout`` seconds); the current version."""
        with self._changed:
            self._waiting += 1
            try:
                self._changed.wait_for(lambda: self.version != version, timeout)
            finally:
                self._waiting -= 1
            return self.version

    def _bump(self) -> None:
        self.version += 1
        if self._waiting:
            self._changed.notify_all()

    def _minute(self, state_machine_arn: str, when: float) -> MinuteCounts:
        minute = int(when // 60 * 60)
        current = self._current
        if current is not None and current[0] == state_machine_arn and current[1] == minute:
            return current[2]
        minutes = self._minutes.get(state_machine_arn)
        if minutes is None:
            minutes = self._minutes[state_machine_arn] = OrderedDict()
        counts = minutes.get(minute)
        if counts is None:
            counts = minutes[minute] = MinuteCounts(minute)
            while len(minutes) > _MINUTES_KEPT:
                minutes.popitem(last=False)
        self._current = (state_machine_arn, minute, counts)
        return counts
