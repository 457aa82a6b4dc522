"""One local stack per test module, started as a user starts it (`python -m localdev run`)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from localdev.harness import StackProcess, start_stack


@pytest.fixture(scope="module")
def stack() -> Iterator[StackProcess]:
    # Every message reaches the app twice, as SQS/EventBridge at-least-once delivery may do.
    running = start_stack("--deliveries", "2")
    yield running
    running.stop()
