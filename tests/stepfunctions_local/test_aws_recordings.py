"""Executions AWS recorded (localstack's validated snapshots), replayed against ``stepfunctions_local``.

Each ``aws_recordings/*.json`` is one recorded case: ``source`` (localstack path and snapshot key),
the ``definition``, the ``input``, the ``lambdas`` it calls (function name -> a handler below,
re-created from localstack's tiny Lambda files), optionally ``recorded_at`` (the clock starts
there, so absolute Wait timestamps mean what they meant then) and ``expected``: what AWS returned
(``status`` with ``output``, or ``error`` and ``cause``) or the ``exception`` CreateStateMachine
raised, copied verbatim; where the recording has the execution's history, ``history`` lists its
event types in order and they are compared too (an execution observer collects ours). Ids are
normalised the way the snapshots do: any UUID matches ``<uuid:N>`` / ``<request_id>``, and a Lambda
error's ``requestId`` and ``stackTrace`` (paths in AWS's sandbox) compare as placeholders; whether
such an error JSON is written compactly (``lambda:invoke``) or with spaces (a Lambda ARN) is kept.
An integration result's ``SdkHttpMetadata`` headers that vary per call (date, request and trace ids, a
``LogType: Tail`` log tail), its ``LogResult`` and ``SdkResponseMetadata.RequestId`` compare as
placeholders, as the snapshots keep them.

Express recordings may keep AWS's StartSyncExecution answer as ``response``: its fields, details and
billing keys, and the layout of its ``express:`` execution ARN are compared (values that vary are not).
With ``task_credentials``, every Task/LambdaFunction scheduled event must show them as ``taskCredentials``.
With ``varying`` (field name -> the snapshot's placeholder, as localstack's transformers wrote it), the
output's names and ARNs are written as the snapshot writes them and those fields compare as placeholders.

A recording with ``"kind": "test_state"`` is a TestState call: its ``request`` (``definition`` and
``input`` as JSON values) and AWS's ``expected`` answer (``status``, ``output``, ``nextState``,
``error``, ``cause``, ``inspectionData`` with its JSON texts as values) or ``exception``.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

import stepfunctions_local
from stepfunctions_local.clock import ManualClock
from tests.support.aws_recorded import LAMBDAS, normalised

RECORDINGS = Path(__file__).parent / "aws_recordings"
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"


def _recordings() -> list[Any]:
    return [pytest.param(json.loads(path.read_text()), id=path.stem) for path in sorted(RECORDINGS.glob("*.json"))]


class _EventTypes:
    """An execution observer keeping the event types of the (Express) execution, in order."""

    def __init__(self) -> None:
        self.types: list[str] = []
        self.events: list[dict] = []

    def execution_started(self, record: Any) -> None:
        pass

    def history_event(self, record: Any, event: dict) -> None:
        self.types.append(event["type"])
        self.events.append(event)

    def execution_finished(self, record: Any) -> None:
        pass


def _runtime(recording: dict, observer: _EventTypes) -> stepfunctions_local.Runtime:
    recorded_at = recording.get("recorded_at")
    clock = ManualClock(datetime.fromisoformat(recorded_at).timestamp()) if recorded_at else ManualClock()
    runtime = stepfunctions_local.Runtime(clock=clock)
    for name, handler in recording.get("lambdas", {}).items():
        runtime.register_lambda(name, LAMBDAS[handler])
    if "history" in recording:
        runtime.add_observer(observer)
    return runtime


def _create(client: stepfunctions_local.Client, recording: dict) -> str:
    definition = json.dumps(recording["definition"])
    created = client.create_state_machine(name="recorded", definition=definition, roleArn=ROLE, type="EXPRESS")
    return created["stateMachineArn"]


def _decoded(answer: dict) -> dict:
    """A TestState answer as the snapshots keep it: JSON texts parsed, metadata dropped."""
    decoded = {key: value for key, value in answer.items() if key != "ResponseMetadata"}
    if "output" in decoded:
        decoded["output"] = json.loads(decoded["output"])
    if "inspectionData" in decoded:
        decoded["inspectionData"] = {key: json.loads(value) if isinstance(value, str) else value
                                     for key, value in decoded["inspectionData"].items()}
    return decoded


def _test_state(client: stepfunctions_local.Client, recording: dict) -> None:
    request = dict(recording["request"])
    for key in ("definition", "input"):
        if key in request:
            request[key] = json.dumps(request[key])
    expected = recording["expected"]
    if "exception" in expected:
        # WHEN AWS refused the request THEN it is refused with AWS's code and message
        with pytest.raises(ClientError) as raised:
            client.test_state(**request)
        error, rejection = raised.value, expected["exception"]
        assert (error.response["Error"]["Code"], str(error)) == (rejection["typename"], rejection["value"])
        return
    # WHEN the state is tested THEN the answer is the one AWS recorded, field for field
    assert _decoded(client.test_state(**request)) == expected


@pytest.mark.parametrize("recording", _recordings())
def test_recorded_case_matches_aws(recording: dict) -> None:
    if recording.get("kind") == "test_state":
        _test_state(stepfunctions_local.client(runtime=_runtime(recording, _EventTypes())), recording)
        return
    # GIVEN the recorded definition, as an Express workflow, with the Lambda functions it calls
    observer = _EventTypes()
    client = stepfunctions_local.client(runtime=_runtime(recording, observer))
    expected = recording["expected"]
    if "exception" in expected:
        # WHEN AWS refused to create it
        with pytest.raises(ClientError) as raised:
            _create(client, recording)
        # THEN it is refused with AWS's error code and message (the snapshot's ARNs name the partition by a placeholder)
        error, rejection = raised.value, expected["exception"]
        assert (error.response["Error"]["Code"], str(error)) == (
            rejection["typename"], rejection["value"].replace("arn:<partition>:", "arn:aws:"))
        return
    # WHEN it runs synchronously on the recorded input
    arn = _create(client, recording)
    response = client.start_sync_execution(stateMachineArn=arn, input=json.dumps(recording["input"]))
    # THEN status, output, error and cause are the ones AWS recorded
    assert response["status"] == expected["status"], response
    if expected["status"] == "SUCCEEDED":
        output = json.loads(response["output"])
        if "varying" in recording:
            output = _snapshot_names(output, response, recording["varying"])
        assert normalised(output) == normalised(expected["output"])
    else:
        assert response.get("error") == expected.get("error")
        assert normalised(response.get("cause")) == normalised(expected.get("cause"))
    # AND, where AWS recorded the history, the same events in the same order
    if "history" in recording:
        assert observer.types == recording["history"]
    # AND, where AWS recorded a task's credentials, each scheduled event shows them as AWS's did
    if "task_credentials" in recording:
        scheduled = [_details(event) for event in observer.events if event["type"].endswith("Scheduled")]
        assert scheduled and all(details.get("taskCredentials") == recording["task_credentials"]
                                 for details in scheduled)
    # AND, where AWS recorded the StartSyncExecution answer, an answer of the same shape
    if "response" in recording:
        assert _answer_shape(response) == _answer_shape(recording["response"])


def _details(event: dict) -> dict:
    return next(value for key, value in event.items() if key.endswith("EventDetails"))


def _snapshot_names(value: Any, response: dict, varying: dict[str, str]) -> Any:
    """``value`` with our names and ARNs written as localstack's snapshots write them, varying fields as recorded."""
    names = {response["executionArn"]: "arn:aws:states:<region>:111111111111:express:<ArnPart_0idx>:"
                                        "<SyncExecArn_Part1_0idx>:<SyncExecArn_Part2_0idx>",
             response["stateMachineArn"]: "arn:aws:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
             response["name"]: "<SyncExecArn_Part1_0idx>", "recorded": "<ArnPart_0idx>", ROLE: "sfn_role_arn"}
    if isinstance(value, dict):
        return {key: varying[key] if key in varying else _snapshot_names(item, response, varying)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_snapshot_names(item, response, varying) for item in value]
    return names.get(value, value) if isinstance(value, str) else value


def _answer_shape(answer: dict) -> dict:
    """A StartSyncExecution answer's fields, details and billing keys, and its execution ARN's layout."""
    arn = answer["executionArn"].split(":")
    return {"fields": sorted(key for key in answer if key != "ResponseMetadata"),
            "details": {key: answer[key] for key in ("inputDetails", "outputDetails") if key in answer},
            "billing": sorted(answer["billingDetails"]),
            "arn": (len(arn), arn[5], arn[7] == answer["name"])}
