"""The MockConfigFile wired into a Runtime: a task interceptor keyed by each execution's test case.

``use_mock_config(runtime, config)`` installs it; ``Runtime()`` alone takes ``SFN_MOCK_CONFIG``
when a ``#TestCase`` execution asks for one. A ``Return`` is the integration's raw response,
processed as the real one would be (ResultSelector, ResultPath, ...); for a ``.waitForTaskToken``
task it is the callback's output; a ``Throw`` fails the task and Retry / Catch match it.
"""
from __future__ import annotations

import threading
import weakref
from typing import TYPE_CHECKING, Any

from stepfunctions_local.events import is_lambda_function_arn
from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.interception import InterceptResult
from stepfunctions_local.mocking.config import MockedThrow
from stepfunctions_local.mocking.runs import MockedExecution, UnknownTestCase, start_test_case
from stepfunctions_local.mocking.source import MockConfigLike, MockConfigSource, environment_source, mock_config_source

if TYPE_CHECKING:
    from stepfunctions_local.service import Runtime
    from stepfunctions_local.types import TaskRunner


class MockInterceptor:
    """Answers the Task states a test case names; one counter set per running execution."""

    def __init__(self, source: MockConfigSource | None = None) -> None:
        self._source = source
        self._runs: dict[int, MockedExecution] = {}
        self._lock = threading.Lock()

    @property
    def source(self) -> MockConfigSource | None:
        """The explicit source, else ``SFN_MOCK_CONFIG`` as it is set now."""
        return self._source if self._source is not None else environment_source()

    def check(self, machine_name: str, case_name: str) -> None:
        """Refuse a start whose test case cannot run (raises UnknownTestCase, the API's InvalidName)."""
        start_test_case(self.source, machine_name, case_name)

    def intercept(self, execution: Any, state_name: str, resource: str, parameters: Any) -> InterceptResult | None:
        if execution.test_case is None:
            return None
        outcome = self._run_of(execution).answer(state_name)
        if outcome is None:
            return None
        if isinstance(outcome, MockedThrow):
            return InterceptResult.throws(outcome.error, outcome.cause)
        value = outcome.value
        if is_lambda_function_arn(resource) and isinstance(value, dict) and "Payload" in value:
            # A Lambda ARN as Resource yields the function's payload; the mock is Invoke's whole response.
            value = value["Payload"]
        return InterceptResult.returns(value)

    def _run_of(self, execution: Any) -> MockedExecution:
        key = id(execution)
        with self._lock:
            run = self._runs.get(key)
        if run is not None:
            return run
        try:
            run = start_test_case(self.source, execution.state_machine_name, execution.test_case)
        except UnknownTestCase as error:  # the file changed between the start and the first task
            raise StatesError("States.Runtime", error.message) from None
        with self._lock:
            run = self._runs.setdefault(key, run)
        # Counters live as long as the execution's record: a finished execution leaves nothing behind.
        weakref.finalize(execution, self._forget, key)
        return run

    def _forget(self, key: int) -> None:
        with self._lock:
            self._runs.pop(key, None)


def use_mock_config(runtime: Runtime, config: MockConfigLike | None) -> MockInterceptor:
    """Answer ``#TestCase`` executions of ``runtime`` from ``config`` (a path re-read when edited, a dict,
    a MockConfig); None goes back to ``SFN_MOCK_CONFIG``."""
    interceptor = MockInterceptor(None if config is None else mock_config_source(config))
    runtime.set_task_interceptor(interceptor)
    return interceptor


def require_test_case(tasks: TaskRunner, machine_name: str, case_name: str) -> None:
    """Before a ``#TestCase`` start: raise UnknownTestCase unless the test case can run.

    A runtime nobody gave a configuration gets the ``SFN_MOCK_CONFIG`` interceptor now, so a plain
    ``Runtime()`` (as ``make run`` builds it) serves test cases too; another interceptor decides alone.
    """
    interceptor = tasks.interceptor
    if interceptor is None:
        interceptor = tasks.interceptor = MockInterceptor()
    if isinstance(interceptor, MockInterceptor):
        interceptor.check(machine_name, case_name)
