"""Task tokens of ``.waitForTaskToken`` and activity tasks: the interpreter waits, SendTask* answers.

A task opens its token before its integration runs (a handler may answer at once), waits on
it, and closes it when done; a closed token is remembered so a late answer gets AWS's
``TaskTimedOut`` (whether the task timed out, was answered or was stopped) instead of being
taken for a live task.
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from .exceptions import SentFailure, StatesError, StepFunctionsLocalError

_TOKEN = re.compile(r"^[0-9a-f]{64}$")
_REMEMBERED = 10_000  # closed tokens kept for their error codes


class TaskTokenError(StepFunctionsLocalError):
    """A SendTask* call that AWS refuses; ``code`` is the API error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class Callback:
    """One waiting task: the answer once it arrives, and when it last showed signs of life."""

    answered: threading.Event = field(default_factory=threading.Event)
    output: Any = None
    failure: StatesError | None = None
    last_beat: float = field(default_factory=time.monotonic)

    def result(self) -> Any:
        if self.failure is not None:
            raise self.failure
        return self.output


class TaskTokens:
    """The tokens of the tasks waiting in one Runtime; thread-safe."""

    def __init__(self) -> None:
        self._open: dict[str, Callback] = {}
        self._closed: dict[str, None] = {}  # closed tokens, oldest first
        self._lock = threading.Lock()

    def open(self, token: str) -> Callback:
        callback = Callback()
        with self._lock:
            self._open[token] = callback
        return callback

    def close(self, token: str) -> None:
        with self._lock:
            self._open.pop(token, None)
            if len(self._closed) >= _REMEMBERED:
                self._closed.pop(next(iter(self._closed)))
            self._closed[token] = None

    def succeed(self, token: str, output: Any) -> None:
        with self._lock:
            callback = self._live(token)
            callback.output = output
            callback.answered.set()

    def fail(self, token: str, error: str | None, cause: str | None) -> None:
        with self._lock:
            callback = self._live(token)
            callback.failure = SentFailure(error, cause)
            callback.answered.set()

    def heartbeat(self, token: str) -> None:
        with self._lock:
            self._live(token).last_beat = time.monotonic()

    def check_shape(self, token: str) -> None:
        # AWS's words: "Invalid Token: '…'" as its other Invalid* errors
        if not _TOKEN.match(token):
            raise TaskTokenError("InvalidToken", "Invalid Token: 'Invalid token'")

    def _live(self, token: str) -> Callback:
        callback = self._open.get(token)
        if callback is not None and not callback.answered.is_set():
            return callback
        # TaskTimedOut as AWS answered it in aws-samples/amazon-mwaa-examples#61
        self.check_shape(token)
        if token in self._closed or callback is not None:
            # AWS answers TaskTimedOut for any task that is over, not only for one that timed out
            raise TaskTokenError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'")
        raise TaskTokenError("TaskDoesNotExist", "Task does not exist anymore")
