"""Executions AWS recorded (localstack's validated snapshots), replayed against ``stepfunctions_local``.

Each ``aws_recordings/*.json`` holds one recorded case: ``source`` (repository path and snapshot
key), the ``definition``, the ``input``, the ``lambdas`` it calls (function name -> handler below,
re-created from localstack's tiny Lambda files), optionally when it was ``recorded_at`` (the clock
starts there, so absolute Wait timestamps mean what they meant then) and what AWS returned: ``status`` with ``output``,
or ``error`` and ``cause``, or the ``exception`` CreateStateMachine raised — copied verbatim. Like the snapshots, ids are normalised: a UUID
matches the snapshot's ``<uuid:N>`` or ``<request_id>``, and a Lambda error's ``requestId`` and ``stackTrace`` (paths
of AWS's sandbox) are compared as placeholders.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError

import stepfunctions_local
from stepfunctions_local.clock import ManualClock

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|<uuid:\d+>|<request_id>")
RECORDINGS = Path(__file__).parent / "aws_recordings"
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"


def _raise_exception(event: Any, context: Any) -> None:
    raise Exception("Some exception was raised.")


def _echo(event: Any, context: Any) -> Any:
    return event


def _return_bytes_str(event: Any, context: Any) -> str:
    return "HelloWorld!"


def _large_output_string(event: Any, context: Any) -> str:
    return "a" * 257 * 1024


LAMBDAS: dict[str, Callable[[Any, Any], Any]] = {
    "raise_exception": _raise_exception,
    "echo": _echo,
    "large_output_string": _large_output_string,
    "return_bytes_str": _return_bytes_str,
}


def _normalised(value: Any) -> Any:
    """``value`` with UUIDs, and Lambda error causes' request id and stack trace, replaced by placeholders."""
    if isinstance(value, dict):
        return {key: _normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normalised(item) for item in value]
    if isinstance(value, str) and value.startswith('{"errorMessage"'):
        cause = json.loads(value)
        cause.update({key: f"<{key}>" for key in ("requestId", "stackTrace") if key in cause})
        return _normalised(cause)
    if isinstance(value, str):
        return UUID.sub("<uuid>", value)
    return value


def _recordings(rejected: bool) -> list[Any]:
    recordings = [(path.stem, json.loads(path.read_text())) for path in sorted(RECORDINGS.glob("*.json"))]
    return [pytest.param(recording, id=name) for name, recording in recordings
            if ("exception" in recording["expected"]) == rejected]


def _runtime(recording: dict) -> stepfunctions_local.Runtime:
    recorded_at = recording.get("recorded_at")
    clock = ManualClock(datetime.fromisoformat(recorded_at).timestamp()) if recorded_at else ManualClock()
    runtime = stepfunctions_local.Runtime(clock=clock)
    for name, handler in recording.get("lambdas", {}).items():
        runtime.register_lambda(name, LAMBDAS[handler])
    return runtime


@pytest.mark.parametrize("recording", _recordings(rejected=False))
def test_execution_matches_aws_recording(recording: dict) -> None:
    # GIVEN the recorded state machine as an Express workflow, with the Lambda functions it calls
    client = stepfunctions_local.client(runtime=_runtime(recording))
    arn = client.create_state_machine(
        name="recorded", definition=json.dumps(recording["definition"]), roleArn=ROLE, type="EXPRESS"
    )["stateMachineArn"]
    # WHEN it runs synchronously on the recorded input
    response = client.start_sync_execution(stateMachineArn=arn, input=json.dumps(recording["input"]))
    # THEN status, output, error and cause are the ones AWS recorded
    expected = recording["expected"]
    assert response["status"] == expected["status"], response
    if expected["status"] == "SUCCEEDED":
        assert _normalised(json.loads(response["output"])) == _normalised(expected["output"])
    else:
        assert response.get("error") == expected.get("error")
        assert _normalised(response.get("cause")) == _normalised(expected.get("cause"))


@pytest.mark.parametrize("recording", _recordings(rejected=True))
def test_definition_rejection_matches_aws_recording(recording: dict) -> None:
    # GIVEN a definition AWS refused to create
    client = stepfunctions_local.client(runtime=_runtime(recording))
    # WHEN it is created
    with pytest.raises(ClientError) as raised:
        client.create_state_machine(
            name="recorded", definition=json.dumps(recording["definition"]), roleArn=ROLE, type="EXPRESS"
        )
    # THEN the error code and message are the ones AWS recorded
    expected = recording["expected"]["exception"]
    assert (raised.value.response["Error"]["Code"], str(raised.value)) == (expected["typename"], expected["value"])
