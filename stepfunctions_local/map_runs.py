"""Map Runs: what a Distributed Map state records while its child executions run.

The interpreter starts one ``MapRun`` per Distributed Map state entered in a Standard execution
(``MapRuns.start``) and counts each child's outcome on it; the API (``api/map_runs.py``)
describes, lists and updates them. A redriven execution continues the same Map Run.
"""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from .history import to_datetime
from .types import Clock

COUNTERS = ("pending", "running", "succeeded", "failed", "timedOut", "aborted", "total", "resultsWritten")


@dataclass
class ChildExecution:
    """A child workflow execution of a Map Run, as ListExecutions(mapRunArn=…) lists it."""

    arn: str
    name: str
    item_count: int
    status: str = "PENDING"  # not started yet; ListExecutions shows only started ones
    started: datetime | None = None
    stopped: datetime | None = None


@dataclass
class MapRun:
    arn: str
    execution_arn: str
    state_machine_arn: str  # the parent machine's ARN with "/<label>", as ListMapRuns shows it
    started: datetime
    max_concurrency: int
    tolerated_count: int | None  # None: not set (DescribeMapRun shows 0)
    tolerated_percentage: float | None
    status: str = "RUNNING"
    stopped: datetime | None = None
    items: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    executions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    redrive_count: int = 0
    redrive_date: datetime | None = None
    children: list[ChildExecution] = field(default_factory=list)  # one per child, in item order

    @property
    def child_prefix(self) -> str:
        """Children are named ``…:execution:<machine>/<label>:<uuid>``, as AWS names Standard children."""
        return self.state_machine_arn.replace(":stateMachine:", ":execution:", 1)

    def tolerated(self, failures: int, total: int) -> bool:
        """Within ToleratedFailureCount and ToleratedFailurePercentage (read now: UpdateMapRun may change them)."""
        count, percentage = self.tolerated_count, self.tolerated_percentage
        if count is None and percentage is None:
            return failures == 0
        within_count = count is None or failures <= count
        within_percentage = percentage is None or (total > 0 and failures * 100.0 / total <= percentage)
        return within_count and within_percentage


class MapRuns:
    """Every Map Run of one Runtime; ``lock`` guards the runs and their counters."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self.lock = threading.RLock()
        self.runs: dict[str, MapRun] = {}

    def start(self, execution_arn: str, state_machine_arn: str, label: str | None, max_concurrency: int,
              tolerated_count: int | None, tolerated_percentage: float | None) -> MapRun:
        """A new Map Run, in AWS's ARN format ``…:mapRun:<machine>/<label or uuid>:<uuid>``."""
        part = label if label else str(uuid.uuid4())
        machine_arn = f"{state_machine_arn}/{part}"
        arn = f"{state_machine_arn.replace(':stateMachine:', ':mapRun:', 1)}/{part}:{uuid.uuid4()}"
        run = MapRun(arn, execution_arn, machine_arn, to_datetime(self._clock.now()), max_concurrency,
                     tolerated_count, tolerated_percentage)
        with self.lock:
            self.runs[arn] = run
        return run

    def get(self, arn: str) -> MapRun | None:
        with self.lock:
            return self.runs.get(arn)

    def child_executions(self, run: MapRun, status: str | None) -> list[dict]:
        """ListExecutions(mapRunArn=…): the started children, most recent first."""
        with self.lock:
            started = [(child.started, child) for child in run.children if child.started is not None
                       and (status is None or child.status == status)]
            items = []
            for _, child in sorted(started, key=lambda pair: pair[0], reverse=True):
                item = {"executionArn": child.arn, "stateMachineArn": run.state_machine_arn, "name": child.name,
                        "status": child.status, "startDate": child.started, "mapRunArn": run.arn,
                        "itemCount": child.item_count}
                if child.stopped is not None:
                    item["stopDate"] = child.stopped
                items.append(item)
        return items

    def redrive(self, run: MapRun) -> None:
        """The parent was redriven: the run continues with its unsuccessful children."""
        with self.lock:
            run.redrive_count += 1
            run.redrive_date = to_datetime(self._clock.now())
            run.status, run.stopped = "RUNNING", None
            for counts in (run.items, run.executions):
                redriven = counts["failed"] + counts["aborted"] + counts["timedOut"]
                counts["failed"] = counts["aborted"] = counts["timedOut"] = 0
                counts["pending"] += redriven

    def counting(self, run: MapRun, sizes: list[int]) -> Callable[[str, int, int], int]:
        """An ``on_item`` callback for the interpreter's fan-out: each child moves pending -> running -> outcome.

        ``sizes[i]`` is the number of items child ``i`` holds (1, or a batch's size).
        """
        def on_child(outcome: str, index: int, previous: int) -> int:
            key = {"Started": "running", "Succeeded": "succeeded", "Failed": "failed", "Aborted": "aborted"}[outcome]
            now = to_datetime(self._clock.now())
            with self.lock:
                for counts, amount in ((run.items, sizes[index]), (run.executions, 1)):
                    counts["pending" if key == "running" else "running"] -= amount
                    counts[key] += amount
                child = run.children[index]
                child.status = key.upper() if key != "running" else "RUNNING"
                if key == "running":
                    child.started, child.stopped = now, None
                else:
                    child.stopped = now
            return previous

        return on_child

    def begin(self, run: MapRun, sizes: list[int]) -> None:
        """Every child pending (a redriven run keeps its counts: redrive() moved the unsuccessful back)."""
        with self.lock:
            if run.executions["total"] == 0:
                run.items["total"], run.executions["total"] = sum(sizes), len(sizes)
                run.items["pending"], run.executions["pending"] = sum(sizes), len(sizes)
                for size in sizes:
                    name = str(uuid.uuid4())
                    run.children.append(ChildExecution(f"{run.child_prefix}:{name}", name, size))

    def finish(self, run: MapRun, status: str) -> None:
        with self.lock:
            run.status, run.stopped = status, to_datetime(self._clock.now())
            if status == "SUCCEEDED":
                run.items["resultsWritten"] = run.items["succeeded"]
                run.executions["resultsWritten"] = run.executions["succeeded"]
