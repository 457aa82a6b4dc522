"""For handler tests: the local stage's values, a queued StartSyncExecution answer, loose matchers."""
from __future__ import annotations

import json
import re
from typing import Any

from botocore.stub import ANY, Stubber

from localdev.project import stage_environment
from tests.events import load_event

SENDER = stage_environment()["SENDER_EMAIL"]
STATE_MACHINE_ARN = stage_environment()["STATE_MACHINE_ARN"]


def expect_execution(
    stubber: Stubber, outcome: str = "sync_execution_succeeded", *, input: Any = ANY, name: Any = ANY
) -> dict[str, Any]:
    """Queue one StartSyncExecution answer (a sample from tests/events) and return it."""
    response = load_event(outcome)
    expected = {"stateMachineArn": STATE_MACHINE_ARN, "name": name, "input": input}
    stubber.add_response("start_sync_execution", response, expected)
    return response


class JsonOf:
    """Equal to any JSON text that decodes to ``value`` (key order does not matter)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.value

    def __repr__(self) -> str:
        return f"JsonOf({self.value!r})"


class Matches:
    """Equal to any string that fully matches ``pattern``."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return f"Matches({self.pattern.pattern!r})"
