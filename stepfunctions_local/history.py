"""An execution's event list as GetExecutionHistory answers it, kept compact until someone reads it.

Each event is recorded as a tuple ``(id, previousEventId, epoch seconds, type, details key, render,
*args)``; the event dict (``timestamp`` a datetime, ``<type>EventDetails``) is made the first time
someone asks for it — ``snapshot()``, or a listener told about that event type — and the same dict
is handed out from then on. ``render(*args)`` makes the details (the JSON texts of a state's input
and output among them); with ``render`` None, ``args`` is the details dict itself. Deferring is
safe because the interpreter never changes state data in place (ResultPath copies along its path).

Two ways to record:
- locked (Standard executions): ``add`` numbers events one after another under a lock, so a
  listener sees them in id order as they happen and a stopped execution's last steps take no id
  (RedriveExecution continues without a gap);
- lock-free (``lock_free=True``: Express executions): ``events.Events`` appends tuples itself,
  numbered by ``ids`` (``next()`` on an ``itertools.count`` is atomic); events are put in id order
  when read, and a listener is told them, in id order, once the final event is recorded. An Express
  execution cannot be stopped or redriven, and events after its final one (a timed-out execution's
  branches) are dropped.
"""
from __future__ import annotations

import itertools
import threading
from collections.abc import Container
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from .types import Clock

Listener = Callable[[dict], None]  # sees each event once it is recorded (execution observers)
Entry = tuple  # (id, previous id, epoch seconds, type, details key | None, render | None, *args)


def to_datetime(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


class History:
    """The execution's events: ids from 1; each event points at the one before it."""

    __slots__ = ("now", "_listener", "_told", "_lock", "_closed", "_final", "lock_free", "ids", "entries",
                 "_rendered")

    def __init__(self, clock: Clock, *, lock_free: bool = False) -> None:
        self.now = clock.now
        self._listener: Listener | None = None
        self._told: Container[str] | None = None  # event types the listener is told about; None: all
        # re-entrant: a listener may read the history it is told about
        self._lock = threading.RLock()
        self._closed = False
        self._final: int | None = None  # lock-free: the id of the final event; later ones are dropped
        self.lock_free = lock_free
        self.ids: Iterator[int] = itertools.count(1)  # lock-free numbering (events.Events uses it too)
        self.entries: list[Entry] = []  # lock-free: in the order appended, not always id order
        self._rendered: dict[int, dict] | None = None  # made on the first read

    def tell(self, listener: Listener, event_types: Container[str] | None = None) -> None:
        """Call ``listener`` with each event of a type in ``event_types`` (None: every one), in id order.

        Before the first event. A locked history tells each event as it is recorded; a lock-free one
        (Express) stays lock-free and tells its events when its final event is recorded: its events
        are made only for the types told, and a log publisher's ``ERROR`` level costs no JSON text
        for an execution that succeeds.
        """
        self._listener, self._told = listener, event_types

    def add(self, event_type: str, details_key: str | None = None, details: dict | None = None,
            previous_event_id: int | None = None) -> int:
        return self.defer(event_type, details_key, None, (details,), previous_event_id)

    def defer(self, event_type: str, details_key: str | None, render: Callable[..., dict] | None, args: tuple,
              previous_event_id: int | None = None) -> int:
        """Record an event whose details ``render(*args)`` makes when read (``render`` None: ``args`` holds the
        details). Returns its id."""
        if self.lock_free:
            event_id = next(self.ids)
            if previous_event_id is None:
                previous_event_id = 0 if event_id <= 2 else event_id - 1
            self.entries.append((event_id, previous_event_id, self.now(), event_type, details_key, render, *args))
            return event_id
        with self._lock:
            return self._append(event_type, details_key, render, args, previous_event_id)

    def close(self, event_type: str, details_key: str, render: Callable[..., dict] | None, *args: Any,
              previous_event_id: int | None = None) -> None:
        """Record the execution's final event (details as ``defer``'s); nothing is recorded after it."""
        with self._lock:
            if self.lock_free:
                self._final = self.defer(event_type, details_key, render, args, previous_event_id)
                self._tell_all()
            else:
                self._append(event_type, details_key, render, args, previous_event_id)
            self._closed = True

    def reopen(self, event_type: str, details_key: str, details: dict) -> None:
        """A redriven execution continues its history after the final event (ExecutionRedriven)."""
        with self._lock:
            self._closed = False
            self._append(event_type, details_key, None, (details,))

    def withdraw_last(self) -> None:
        """Forget the newest event, once the run is over (its last state's exit, whose output is over the quota:
        AWS never writes it); the next event takes its id."""
        with self._lock:
            if not self.entries:
                return
            last = max(self.entries)
            self.entries.remove(last)
            if self._rendered is not None:
                self._rendered.pop(last[0], None)
            self.ids = itertools.count(last[0])

    def _tell_all(self) -> None:
        """A lock-free history's listener hears of its events, in id order (callers hold the lock)."""
        listener, told, final = self._listener, self._told, self._final
        if listener is None:
            return
        for entry in sorted(self.entries):
            if final is not None and entry[0] > final:
                break
            if told is None or entry[3] in told:
                listener(self._event(entry))

    def __len__(self) -> int:
        return len(self.entries)

    def snapshot(self) -> list[dict]:
        """Every event so far, in id order, as GetExecutionHistory's dicts."""
        with self._lock:
            if not self.lock_free:
                return [self._event(entry) for entry in self.entries]
            entries = sorted(self.entries)  # a copy first: another thread may be appending
            if self._final is not None:
                entries = [entry for entry in entries if entry[0] <= self._final]
            return [self._event(entry) for entry in entries]

    def types(self) -> list[str]:
        """The events' types, in id order, without making their dicts."""
        with self._lock:
            entries = sorted(self.entries) if self.lock_free else list(self.entries)
            final = self._final
        return [entry[3] for entry in entries if final is None or entry[0] <= final]

    def _append(self, event_type: str, details_key: str | None, render: Callable[..., dict] | None, args: tuple,
                previous_event_id: int | None = None) -> int:
        event_id = len(self.entries) + 1
        if self._closed:  # a stopped execution's last steps are not part of its history
            return event_id
        # AWS chains events, but the first state entered points at 0 like ExecutionStarted;
        # inside Parallel branches and Map iterations the interpreter names the previous event.
        if previous_event_id is not None:
            previous = previous_event_id
        else:
            previous = 0 if event_id <= 2 else event_id - 1
        entry = (event_id, previous, self.now(), event_type, details_key, render, *args)
        self.entries.append(entry)
        listener = self._listener
        if listener is not None and (self._told is None or event_type in self._told):
            listener(self._event(entry))  # under the lock, so listeners see events in id order
        return event_id

    def _event(self, entry: Entry) -> dict:
        """The entry's event dict, made once (callers hold the lock)."""
        rendered = self._rendered
        if rendered is None:
            rendered = self._rendered = {}
        event = rendered.get(entry[0])
        if event is None:
            event_id, previous, seconds, event_type, details_key, render = entry[:6]
            event = {"timestamp": to_datetime(seconds), "type": event_type, "id": event_id,
                     "previousEventId": previous}
            if details_key is not None:
                details = render(*entry[6:]) if render is not None else entry[6]
                event[details_key] = details if details is not None else {}
            rendered[event_id] = event
        return event
