"""Hands items to a background thread that sends them in batches, so executions never wait on I/O."""
from __future__ import annotations

import logging
import queue
import threading
from typing import Callable, Generic, TypeVar

logger = logging.getLogger(__name__)

Item = TypeVar("Item")


class Batcher(Generic[Item]):
    """``put`` costs a queue append; ``send(items)`` runs in one daemon thread every ``interval`` seconds.

    A failing ``send`` is logged once per kind of failure and the batch dropped: like AWS's own
    metrics and vended logs, delivery is best effort and never fails an execution.
    """

    def __init__(self, send: Callable[[list[Item]], None], *, name: str, interval: float = 1.0,
                 max_batch: int = 1000) -> None:
        self._send = send
        self._interval = interval
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[Item] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._pending = 0  # put but not yet sent (or dropped)
        self._settled = threading.Condition()
        self._reported: set[str] = set()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    def put(self, item: Item) -> None:
        with self._settled:
            self._pending += 1
        self._queue.put(item)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything put so far was sent (for tests and shutdown)."""
        with self._settled:
            return self._settled.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._stop.wait(self._interval)
            self._drain()

    def _drain(self) -> None:
        while True:
            items: list[Item] = []
            while len(items) < self._max_batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if not items:
                return
            try:
                self._send(items)
            except Exception as error:  # noqa: BLE001 - best effort, as AWS delivers metrics and logs
                kind = type(error).__name__
                if kind not in self._reported:
                    self._reported.add(kind)
                    # The type only: an error's text may quote what it was sent (execution data).
                    logger.warning("%s could not deliver %d item(s): %s", self._thread.name, len(items), kind)
            with self._settled:
                self._pending -= len(items)
                self._settled.notify_all()
