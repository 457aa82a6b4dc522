"""One local stack per test module, started as a user starts it (`python -m localdev run`)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.harness import StackProcess, running_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    # Every message reaches the app twice, as SQS/EventBridge at-least-once delivery may do.
    with running_stack("--deliveries", "2") as running:
        yield running
