"""Workflows started from workflows as AWS ran them (localstack's validated snapshots), replayed.

``aws_recorded_nested.json`` holds the child machines (``targets``) and one case per snapshot key: the
child's ``target`` (null: none is created, the ARN names no machine) and the ``lambdas`` it calls
(handlers of test_aws_recordings), the
parent's ``definition`` and ``input`` (``<target>`` stands for the child machine's ARN), the placeholders
its snapshot writes for the child's execution and machine ARNs (``arns``, where not the usual), the
``task_credentials`` its TaskScheduled event shows, its ``history``
event types, the StartExecution answer a ``.sync`` task records as ``submitted`` and what AWS returned
(``status`` with ``output``, or ``error`` and ``cause``, the cause's JSON text as its value), verbatim.
Ours are written as the snapshots write them: ARNs, dates and request ids as placeholders. Two things
compare as the recording's: ``Content-Length`` (the length of AWS's body, which names AWS's machine)
and the redrive fields of DescribeExecution, which AWS added after these were recorded (2023).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepfunctions_local import ManualClock, Runtime
from tests.support.aws_recorded import LAMBDAS, normalised

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_nested.json").read_text())
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"
TARGET = "arn:aws:states:us-east-1:000000000000:stateMachine:target"
ARNS = {"execution": "arn:aws:states:<region>:111111111111:execution:<ArnPart_0idx>:TestStartTarget",
        "machine": "arn:aws:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"}
DATES = ("StartDate", "StopDate")
AFTER_THE_RECORDING = ("RedriveCount", "RedriveStatus", "RedriveStatusReason")


def _as_recorded(value: Any, recorded: Any, names: dict[str, str]) -> Any:
    """``value`` written as the snapshot writes it, beside the ``recorded`` value it is compared with."""
    if isinstance(value, dict) and isinstance(recorded, dict):
        written = {}
        for key, item in value.items():
            if key in DATES and key in recorded:  # as the snapshot's placeholder, whichever it wrote
                written[key] = recorded[key]
            elif key == "Content-Length" or key not in recorded and key in AFTER_THE_RECORDING:
                if key in recorded:
                    written[key] = recorded[key]
            else:
                written[key] = _as_recorded(item, recorded.get(key), names)
        return written
    if isinstance(value, str):
        return names.get(value, value)
    return value


def _compare(ours: Any, recorded: Any, case: dict) -> None:
    arns = {**ARNS, **case.get("arns", {})}
    child = f"arn:aws:states:us-east-1:000000000000:execution:target:{case['input']['Name']}"
    names = {TARGET: arns["machine"], child: arns["execution"]}
    assert normalised(_as_recorded(ours, recorded, names)) == normalised(recorded)


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_nested_execution_matches_aws(case: dict) -> None:
    # GIVEN the recorded child machine and the parent starting it
    runtime = Runtime(clock=ManualClock())
    for name, handler in case.get("lambdas", {}).items():
        runtime.register_lambda(name, LAMBDAS[handler])
    sfn = runtime.client()
    if case["target"] is not None:
        sfn.create_state_machine(name="target", definition=json.dumps(RECORDED["targets"][case["target"]]),
                                 roleArn=ROLE)
    parent = sfn.create_state_machine(name="parent", definition=json.dumps(case["definition"]),
                                      roleArn=ROLE)["stateMachineArn"]
    execution_input = {**case["input"], "StateMachineArn": TARGET}
    # WHEN the parent runs on the recorded input
    arn = sfn.start_execution(stateMachineArn=parent, input=json.dumps(execution_input))["executionArn"]
    assert runtime.wait_for(arn, timeout=10)
    # THEN it ends as AWS's did, with AWS's result or failure...
    described, expected = sfn.describe_execution(executionArn=arn), case["expected"]
    assert described["status"] == expected["status"], described
    if expected["status"] == "SUCCEEDED":
        _compare(json.loads(described["output"]), expected["output"], case)
    else:
        assert described["error"] == expected["error"]
        if isinstance(expected["cause"], str):  # an SDK error's message, naming the machine
            machine = {**ARNS, **case.get("arns", {})}["machine"]
            assert normalised(described["cause"].replace(TARGET, machine)) == normalised(expected["cause"])
        else:
            _compare(json.loads(described["cause"]), expected["cause"], case)
    # ...after the events AWS recorded, a .sync task's start answer among them
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert [event["type"] for event in events] == case["history"]
    if "task_credentials" in case:  # the scheduled event shows the task's Credentials as AWS's did
        [scheduled] = [event for event in events if event["type"] == "TaskScheduled"]
        assert scheduled["taskScheduledEventDetails"]["taskCredentials"] == case["task_credentials"]
    if "submitted" in case:
        [submitted] = [event for event in events if event["type"] == "TaskSubmitted"]
        _compare(json.loads(submitted["taskSubmittedEventDetails"]["output"]), case["submitted"], case)
