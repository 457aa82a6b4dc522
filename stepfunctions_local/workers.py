"""Reusable daemon threads for the interpreter: Tasks bounded by TimeoutSeconds, Parallel branches, Map items.

Starting a thread costs ~50-100 µs of CPU, and one execution of a workflow with a Parallel state
and five bounded Tasks started seven. A worker that finishes a job waits for the next one and
ends after ``IDLE_SECONDS`` without work. A job never waits behind another: when no worker is
idle a new one starts, so a Task that hangs past its TimeoutSeconds holds only its own worker.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

IDLE_SECONDS = 30.0


class Job:
    """One call handed to a worker; ``wait`` for it, then ``result`` (which re-raises its exception)."""

    __slots__ = ("_call", "_done", "_value", "_error")

    def __init__(self, call: Callable[[], Any]) -> None:
        self._call: Callable[[], Any] | None = call
        self._done = threading.Lock()
        self._done.acquire()  # released by the worker when the call returned or raised
        self._value: Any = None
        self._error: BaseException | None = None

    def wait(self, timeout: float | None = None) -> bool:
        """True once the call has finished; False if ``timeout`` seconds passed first."""
        if self._done.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            self._done.release()  # later waiters see it finished too
            return True
        return False

    def result(self) -> Any:
        if self._error is not None:
            raise self._error
        return self._value

    def _run(self) -> None:
        call, self._call = self._call, None  # a Job runs once: what its closure holds goes with it
        assert call is not None
        try:
            self._value = call()
        except BaseException as error:  # noqa: BLE001 - handed to the waiting thread
            self._error = error

    def _finish(self) -> None:
        self._done.release()


class _Worker:
    __slots__ = ("job", "wake")

    def __init__(self, job: Job) -> None:
        self.job: Job | None = job
        self.wake = threading.Lock()
        self.wake.acquire()  # released when an idle worker is handed a job


class Workers:
    """A pool of daemon threads that grows on demand and shrinks when idle."""

    def __init__(self, idle_seconds: float = IDLE_SECONDS) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._idle_seconds = idle_seconds

    def submit(self, call: Callable[[], Any]) -> Job:
        job = Job(call)
        with self._lock:
            worker = self._idle.pop() if self._idle else None
            if worker is not None:
                worker.job = job
        if worker is None:
            threading.Thread(target=self._serve, args=(_Worker(job),), name="sfn-worker", daemon=True).start()
        else:
            worker.wake.release()
        return job

    def _serve(self, worker: _Worker) -> None:
        while True:
            job, worker.job = worker.job, None
            assert job is not None
            job._run()
            with self._lock:
                self._idle.append(worker)
            # Idle before the job is seen finished: a caller that waited for it and submits again
            # finds this worker, rather than starting a thread while this one is on its way back.
            job._finish()
            if not worker.wake.acquire(timeout=self._idle_seconds):
                with self._lock:
                    if worker in self._idle:  # not handed a job while the wait ran out
                        self._idle.remove(worker)
                        return
                worker.wake.acquire()  # a job was handed over just now: its release is on the way


WORKERS = Workers()
