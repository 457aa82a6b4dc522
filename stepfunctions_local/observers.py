"""Execution observers: told about every execution, never able to change one.

``Runtime.add_observer(observer)`` registers an ``ExecutionObserver``. It is called for every
execution (Standard and Express, sync and async, nested ones too), from the execution's thread:
``execution_started`` once, ``history_event`` for each event as it is recorded, in id order, and
``execution_finished`` once the status is final. An observer that raises is logged and skipped;
the execution and every API answer go on as if it were not there. With no observer registered
nothing is built for them (Express executions keep no history then).
"""
from __future__ import annotations

import logging
import threading
from typing import Protocol

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
            self._call(observer, "execution_started", record)

    def event(self, record: Execution, event: dict) -> None:
        for observer in self._observers:
            self._call(observer, "history_event", record, event)

    def finished(self, record: Execution) -> None:
        for observer in self._observers:
            self._call(observer, "execution_finished", record)

    @staticmethod
    def _call(observer: ExecutionObserver, method: str, *args: object) -> None:
        try:
            getattr(observer, method)(*args)
        except Exception as error:  # noqa: BLE001 - an observer must never break an execution
            # the error's type only: its text may hold execution data
            logger.warning("execution observer %s.%s failed: %s", type(observer).__name__, method,
                           type(error).__name__)
