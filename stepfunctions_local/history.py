"""An execution's event list as GetExecutionHistory answers it."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Any, Callable

from .types import Clock

Listener = Callable[[dict], None]  # sees each event once it is recorded (execution observers)


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


class History:
    """The execution's events: ids from 1; each event points at the one before it."""

    def __init__(self, clock: Clock, listener: Listener | None = None) -> None:
        self._clock = clock
        self._listener = listener
        # re-entrant: a listener may read the history it is told about
        self._lock = threading.RLock()
        self._closed = False
        self.events: list[dict] = []

    def add(self, event_type: str, details_key: str | None = None, details: dict | None = None,
            previous_event_id: int | None = None) -> int:
        with self._lock:
            return self._append(event_type, details_key, details, previous_event_id)

    def close(self, event_type: str, details_key: str, details: dict) -> None:
        """Record the execution's final event; nothing is recorded after it."""
        with self._lock:
            self._append(event_type, details_key, details)
            self._closed = True

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.events)

    def _append(self, event_type: str, details_key: str | None, details: dict | None,
                previous_event_id: int | None = None) -> int:
        event_id = len(self.events) + 1
        if self._closed:  # a stopped execution's last steps are not part of its history
            return event_id
        # AWS chains events, but the first state entered points at 0 like ExecutionStarted;
        # inside Parallel branches and Map iterations the interpreter names the previous event.
        if previous_event_id is not None:
            previous = previous_event_id
        else:
            previous = 0 if event_id <= 2 else event_id - 1
        event: dict[str, Any] = {
            "timestamp": to_datetime(self._clock.now()),
            "type": event_type,
            "id": event_id,
            "previousEventId": previous,
        }
        if details_key is not None:
            event[details_key] = details if details is not None else {}
        self.events.append(event)
        if self._listener is not None:  # under the lock, so listeners see events in id order
            self._listener(event)
        return event_id
