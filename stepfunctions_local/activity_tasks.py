"""Activity Task states (``arn:aws:states:…:activity:Name``): a worker takes them with GetActivityTask.

The interpreter schedules the task on its activity's board and waits; GetActivityTask hands the
oldest pending task to a worker (the task is then *started*), which answers with SendTask* on
the task's token. History as AWS records it: ActivityScheduled, ActivityStarted (``workerName``),
then ActivitySucceeded, ActivityFailed or ActivityTimedOut. An activity that does not exist
fails the execution with ``States.Runtime`` before anything is scheduled, as AWS does.
"""
from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from .exceptions import StateDataError, StatesError

if TYPE_CHECKING:
    from .interpreter import Run

_SLICE = 0.05  # how often a waiting task checks for stop, TimeoutSeconds and HeartbeatSeconds
_TIMEOUTS = ("States.Timeout", "States.HeartbeatTimeout")
_NOT_TRUNCATED = {"truncated": False}


def is_activity_arn(resource: str) -> bool:
    if ":activity:" not in resource:  # every Task state asks: keep the common answer cheap
        return False
    parts = resource.split(":")
    return len(parts) == 7 and parts[2] == "states" and parts[5] == "activity"


class ActivityGone(Exception):
    """The activity was deleted (or never existed)."""


@dataclass
class ActivityTask:
    token: str
    input: str
    on_start: Callable[[str | None], None]  # records ActivityStarted and starts the heartbeat clock
    taken: bool = False
    cancelled: bool = False  # its state is over (answered, timed out, stopped): no worker may take it


class ActivityBoard:
    """Every activity's pending tasks, oldest first; thread-safe."""

    def __init__(self) -> None:
        self._pending: dict[str, deque[ActivityTask]] = {}  # only existing activities have a queue
        self._changed = threading.Condition()

    def add(self, arn: str) -> None:
        with self._changed:
            self._pending.setdefault(arn, deque())

    def remove(self, arn: str) -> None:
        with self._changed:
            self._pending.pop(arn, None)
            self._changed.notify_all()

    def exists(self, arn: str) -> bool:
        with self._changed:
            return arn in self._pending

    def withdraw(self, task: ActivityTask) -> None:
        """No worker gets ``task`` from now on (its state is over)."""
        with self._changed:
            task.cancelled = True

    def schedule(self, arn: str, task: ActivityTask) -> None:
        with self._changed:
            queue = self._pending.get(arn)
            if queue is None:
                raise ActivityGone(arn)
            queue.append(task)
            self._changed.notify_all()

    def take(self, arn: str, worker_name: str | None, wait_seconds: float) -> ActivityTask | None:
        """The oldest pending task, waiting up to ``wait_seconds`` for one (GetActivityTask's long poll)."""
        deadline = time.monotonic() + wait_seconds
        with self._changed:
            while True:
                queue = self._pending.get(arn)
                if queue is None:
                    raise ActivityGone(arn)
                while queue and queue[0].cancelled:
                    queue.popleft()
                if queue:
                    task = queue.popleft()
                    task.taken = True
                    # under the lock: a task withdrawn (timed out, stopped) is never recorded as started
                    task.on_start(worker_name)
                    return task
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._changed.wait(left)


def run_activity(run: Run, resource: str, parameters: Any, timeout: float | None, heartbeat: float | None) -> Any:
    """Schedule the task, wait for a worker's answer (or a timeout, or the execution's stop), record history."""
    board: ActivityBoard = run.tasks.activities
    if not board.exists(resource):
        raise StateDataError("States.Runtime", f"The activity {resource} does not exist.")
    tokens = run.tasks.tokens
    token = uuid.uuid4().hex + uuid.uuid4().hex
    text = json.dumps(parameters, separators=(",", ":"), ensure_ascii=False)
    scheduled: dict[str, Any] = {"resource": resource, "input": text, "inputDetails": _NOT_TRUNCATED}
    if timeout is not None:
        scheduled["timeoutInSeconds"] = int(timeout)
    if heartbeat is not None:
        scheduled["heartbeatInSeconds"] = int(heartbeat)
    run.events.add("ActivityScheduled", "activityScheduledEventDetails", scheduled)
    callback = tokens.open(token)

    def started(worker_name: str | None) -> None:
        run.events.add("ActivityStarted", "activityStartedEventDetails",
                       {"workerName": worker_name} if worker_name is not None else {})
        callback.last_beat = time.monotonic()

    task = ActivityTask(token, text, started)
    try:
        board.schedule(resource, task)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not callback.answered.wait(_SLICE):
            run.check()
            now = time.monotonic()
            if deadline is not None and now >= deadline:
                raise StatesError("States.Timeout", None)
            # the heartbeat clock runs once a worker has the task
            if heartbeat is not None and task.taken and now - callback.last_beat >= heartbeat:
                raise StatesError("States.HeartbeatTimeout", None)
        result = callback.result()
    except ActivityGone:
        raise StateDataError("States.Runtime", f"The activity {resource} does not exist.") from None
    except StatesError as error:
        board.withdraw(task)  # before the failure is recorded: no ActivityStarted can follow it
        failure = {key: value for key, value in (("error", error.error), ("cause", error.cause)) if value}
        if error.error in _TIMEOUTS:
            run.events.add("ActivityTimedOut", "activityTimedOutEventDetails", failure)
        else:
            run.events.add("ActivityFailed", "activityFailedEventDetails", failure)
        raise
    finally:
        board.withdraw(task)
        tokens.close(token)
    run.events.add("ActivitySucceeded", "activitySucceededEventDetails",
                   {"output": json.dumps(result, separators=(",", ":"), ensure_ascii=False),
                    "outputDetails": _NOT_TRUNCATED})
    return result
