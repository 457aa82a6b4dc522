"""SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat for ``.waitForTaskToken`` and activity tasks."""
from __future__ import annotations

from typing import Callable

from ..api_errors import ApiError
from ..callbacks import TaskTokenError, TaskTokens
from ..json_errors import loads
from .common import MAX_INPUT_BYTES


class CallbacksApi:
    def __init__(self, tokens: TaskTokens) -> None:
        self._tokens = tokens

    def send_task_success(self, *, taskToken: str, output: str) -> dict:
        _answer(lambda: self._tokens.check_shape(taskToken))  # AWS-recorded: a malformed token, before the output
        try:
            value = loads(output)
        except ValueError:
            raise ApiError("InvalidOutput", "Invalid Output: the output must be valid JSON") from None
        if len(output.encode()) > MAX_INPUT_BYTES:
            raise ApiError("InvalidOutput", f"Invalid Output: the output exceeds {MAX_INPUT_BYTES} bytes")
        return _answer(lambda: self._tokens.succeed(taskToken, value))

    def send_task_failure(self, *, taskToken: str, error: str | None = None, cause: str | None = None) -> dict:
        return _answer(lambda: self._tokens.fail(taskToken, error, cause))

    def send_task_heartbeat(self, *, taskToken: str) -> dict:
        return _answer(lambda: self._tokens.heartbeat(taskToken))


def _answer(answer: Callable[[], None]) -> dict:
    try:
        answer()
    except TaskTokenError as error:
        raise ApiError(error.code, error.message) from None
    return {}
