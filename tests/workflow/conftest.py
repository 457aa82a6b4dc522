"""The real ASL files run by stepfunctions_local, calling the app's real handlers, over moto."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.workflow_stack import WorkflowStack, workflow_stack


@pytest.fixture
def stack() -> Iterator[WorkflowStack]:
    with workflow_stack() as running:
        yield running
