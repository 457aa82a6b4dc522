"""Clocks: real time for running workflows, a manual one so tests wait for nothing."""
from __future__ import annotations

import threading
import time


class RealClock:
    """Wall-clock time; ``sleep`` really waits."""

    # the C function itself, not a method calling it: every state entered asks the time
    now = staticmethod(time.time)

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class ManualClock:
    """Time that only moves when something sleeps; every sleep is recorded in ``sleeps``."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            if seconds > 0:
                self._now += seconds

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
