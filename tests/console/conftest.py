"""A runtime whose executions are recorded, and the HTTP endpoint with its console."""
from __future__ import annotations

from typing import Any, Iterator

import pytest

from stepfunctions_local import ManualClock, Runtime, Server, serve
from stepfunctions_local.observability import ExecutionStore, observe


@pytest.fixture
def runtime() -> Runtime:
    return Runtime(clock=ManualClock())


@pytest.fixture
def store(runtime: Runtime) -> ExecutionStore:
    recorded = ExecutionStore()
    observe(runtime, recorded)
    return recorded


@pytest.fixture
def sfn(runtime: Runtime) -> Any:
    return runtime.client()


@pytest.fixture
def server(runtime: Runtime) -> Iterator[Server]:
    running = serve(runtime, host="127.0.0.1", port=0)
    yield running
    running.shutdown()
