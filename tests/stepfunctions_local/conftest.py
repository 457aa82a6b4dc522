"""Fixtures shared by the runtime's tests; a module may override them with its own."""
from __future__ import annotations

import pytest

from stepfunctions_local import ManualClock, Runtime


@pytest.fixture
def runtime() -> Runtime:
    """A runtime whose waits and retry back-offs cost no time."""
    return Runtime(clock=ManualClock())


@pytest.fixture
def sfn(runtime):
    return runtime.client()
