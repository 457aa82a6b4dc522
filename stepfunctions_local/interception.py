"""The task dispatch hook: a per-execution interceptor may answer a Task state instead of its resource.

``Runtime.set_task_interceptor(interceptor)`` installs one; the interpreter asks it before every
Task resource call (Lambda, optimised integrations, aws-sdk, ``.sync``, ``.waitForTaskToken``).
A mock configuration (SFN Local's MockConfigFile) is built on top of this, keyed by the
execution's ``test_case`` (from ``StartExecution`` on ``<stateMachineArn>#<TestCaseName>``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .exceptions import StatesError


@dataclass(frozen=True)
class InterceptResult:
    """What the intercepted task answered: the integration's raw response, or an error.

    A response goes through ResultSelector, ResultPath, OutputPath (or Output) exactly as the real
    one would; for a ``.waitForTaskToken`` task it is the callback's output. An error (``error``,
    ``cause``) fails the task, and Retry / Catch match it.
    """

    response: Any = None
    error: str | None = None
    cause: str | None = None

    @classmethod
    def returns(cls, response: Any) -> InterceptResult:
        return cls(response=response)

    @classmethod
    def throws(cls, error: str, cause: str | None = None) -> InterceptResult:
        return cls(error=error, cause=cause)

    def result(self) -> Any:
        if self.error is not None:
            raise StatesError(self.error, self.cause)
        return self.response


class TaskInterceptor(Protocol):
    def intercept(self, execution: Any, state_name: str, resource: str,
                  parameters: Any) -> InterceptResult | None:
        """Answer for the task, or None to call the real resource.

        ``execution`` is the ``records.Execution`` running (``test_case`` tells which test case);
        ``parameters`` are the task's effective parameters (after Parameters / Arguments).
        Called from the execution's thread; must be thread-safe.
        """
