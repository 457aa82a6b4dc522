"""Execution observers: told about every execution, never able to change one.

``Runtime.add_observer(observer)`` registers an ``ExecutionObserver``. It is called for every
execution (Standard and Express, sync and async, nested ones too), from the execution's thread:
``execution_started`` once, ``history_event`` for each event in id order (a Standard execution's
as each is recorded, an Express execution's once its final event is), and ``execution_finished``
once the status is final. An observer that raises is logged and skipped;
the execution and every API answer go on as if it were not there. With no observer registered
nothing is built for them (Express executions keep no history then).

An observer may also say which events it wants ``history_event`` for, per execution, right after
``execution_started``: ``history_event_types(record)`` answers a collection of event types (empty:
none; it reads ``record.events`` when it needs them) or None (every event, as without the method).
An Express execution records its events without a lock or a dict per event (history.py); dicts
are made for the types some observer wants, and when ``record.events`` is read.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from typing import Protocol

from .history import Listener
from .records import Execution

logger = logging.getLogger(__name__)


class ExecutionObserver(Protocol):
    def execution_started(self, record: Execution) -> None: ...

    def history_event(self, record: Execution, event: dict) -> None: ...

    def execution_finished(self, record: Execution) -> None: ...


class Observers:
    """The registered observers, each call shielded from the others and from the execution."""

    def __init__(self) -> None:
        self._observers: tuple[ExecutionObserver, ...] = ()
        self._lock = threading.Lock()
        self.active = False  # read before anything is built for observers

    def add(self, observer: ExecutionObserver) -> None:
        with self._lock:
            self._observers = (*self._observers, observer)
            self.active = True

    def started(self, record: Execution) -> None:
        for observer in self._observers:
            try:
                observer.execution_started(record)
            except Exception as error:  # noqa: BLE001 - an observer must never break an execution
                _failed(observer, "execution_started", error)

    def listener(self, record: Execution) -> tuple[Listener | None, Collection[str] | None]:
        """What tells the observers about ``record``'s events, and the event types it wants (None: all).

        ``(None, ())`` when no observer wants any event of it one by one.
        """
        told: list[tuple[ExecutionObserver, Collection[str] | None]] = []
        for observer in self._observers:
            wanted = _wanted(observer, record)
            if wanted is None or wanted:
                told.append((observer, wanted))
        if not told:
            return None, ()
        types = None if any(wanted is None for _, wanted in told) else frozenset().union(
            *(wanted for _, wanted in told if wanted is not None))
        def listener(event: dict) -> None:
            for observer, wanted in told:
                if wanted is None or event["type"] in wanted:
                    try:
                        observer.history_event(record, event)
                    except Exception as error:  # noqa: BLE001 - an observer must never break an execution
                        _failed(observer, "history_event", error)

        return listener, types

    def finished(self, record: Execution) -> None:
        for observer in self._observers:
            try:
                observer.execution_finished(record)
            except Exception as error:  # noqa: BLE001 - an observer must never break an execution
                _failed(observer, "execution_finished", error)


def _wanted(observer: ExecutionObserver, record: Execution) -> Collection[str] | None:
    """The observer's ``history_event_types(record)``; None (every event) without it or when it fails."""
    ask = getattr(observer, "history_event_types", None)
    if ask is None:
        return None
    try:
        return ask(record)
    except Exception as error:  # noqa: BLE001 - as any observer call: logged, and the observer gets every event
        _failed(observer, "history_event_types", error)
        return None


def _failed(observer: ExecutionObserver, method: str, error: Exception) -> None:
    # the error's type only: its text may hold execution data
    logger.warning("execution observer %s.%s failed: %s", type(observer).__name__, method, type(error).__name__)
