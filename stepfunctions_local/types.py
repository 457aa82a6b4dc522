"""Protocols shared by the interpreter and the service layer."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Protocol

if TYPE_CHECKING:
    from .activity_tasks import ActivityBoard
    from .callbacks import TaskTokens
    from .interception import TaskInterceptor

# Resolves a path string ("$.a.b", "$$.Execution.Id", "$var.x") against the current
# input / context object / variables. Raises exceptions.PathNotFound when nothing matches.
Resolver = Callable[[str], Any]


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch."""

    def sleep(self, seconds: float) -> None:
        """Wait; a test clock advances time without waiting."""


@dataclass(frozen=True)
class Submitted:
    """What ``run_task`` may return for a ``.sync`` task: the start's ``response`` (the TaskSubmitted event's
    output) and ``outcome``, which waits for the job and returns its result (or raises StatesError)."""

    response: Any
    outcome: Callable[[], Any]


class TaskRunner(Protocol):
    tokens: TaskTokens  # where ``.waitForTaskToken`` and activity tasks wait for SendTaskSuccess/Failure
    activities: ActivityBoard  # where activity tasks wait for a worker's GetActivityTask
    interceptor: TaskInterceptor | None  # asked before each resource call (mocks); None: always the real one

    def run_task(self, resource: str, parameters: Any, *, context: dict, timeout: float | None) -> Any:
        """Run a Task state's resource; return its result or raise exceptions.StatesError."""


class HistoryRecorder(Protocol):
    def add(self, event_type: str, details_key: str | None = None, details: dict | None = None,
            previous_event_id: int | None = None) -> int:
        """Append an AWS history event (e.g. 'TaskStateEntered'); return its id.

        ``previous_event_id`` chains events inside a Parallel branch or Map iteration; without it
        the event follows the one recorded just before.
        """
