"""Small builders shared by the service-layer tests (API, server, integrations)."""
from __future__ import annotations

import json
import time
from typing import Any

from botocore.exceptions import ClientError

ROLE_ARN = "arn:aws:iam::000000000000:role/step-functions"


def definition(states: dict[str, Any], start_at: str | None = None, **top: Any) -> str:
    return json.dumps({"StartAt": start_at or next(iter(states)), "States": states, **top})


def pass_through() -> str:
    return definition({"Done": {"Type": "Pass", "End": True}})


def task(resource: str, parameters: dict | None = None, **extra: Any) -> str:
    state: dict[str, Any] = {"Type": "Task", "Resource": resource, "End": True, **extra}
    if parameters is not None:
        state["Parameters"] = parameters
    return definition({"Call": state})


def create(sfn: Any, name: str, text: str, machine_type: str = "EXPRESS") -> str:
    return sfn.create_state_machine(name=name, definition=text, roleArn=ROLE_ARN,
                                    type=machine_type)["stateMachineArn"]


def heartbeat_until_refused(sfn: Any, token: str) -> str:
    """The error code SendTaskHeartbeat answers once the token's task is over ("still open" after 5 s)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            sfn.send_task_heartbeat(taskToken=token)
        except ClientError as error:
            return error.response["Error"]["Code"]
        time.sleep(0.01)
    return "still open"
