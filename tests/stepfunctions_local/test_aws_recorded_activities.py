"""Activity tasks as AWS ran them (localstack's validated test_activities snapshots), replayed.

``aws_recorded_activities.json`` holds one case per snapshot key: the ``definition`` (``<activity_arn>``
stands for the activity created for it, or created and ``deleted`` before the run), the ``input``, the
``worker`` (GetActivityTask with its ``name``, if any, a heartbeat if asked, then SendTaskSuccess with the
task's input as output, or SendTaskFailure with AWS's test worker's error and the input as cause), the
``history`` event types, the ``details`` of the Activity* events and how the execution ended
(``expected``), verbatim; JSON texts compare as values, the activity ARN as the snapshot's placeholder.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stepfunctions_local import ManualClock, Runtime

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_activities.json").read_text())
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"


def _as_recorded(value: Any, arn: str) -> Any:
    """A JSON text of an object as its value, the activity's ARN as the snapshot writes it."""
    if isinstance(value, dict):
        return {key: _as_recorded(item, arn) for key, item in value.items()}
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    return value.replace(arn, "activity_arn") if isinstance(value, str) else value


def _work(sfn: Any, arn: str, worker: dict) -> None:
    """What AWS's test worker (a state machine polling GetActivityTask) did with the task."""
    named = {"workerName": worker["name"]} if "name" in worker else {}
    task: dict = {}
    while "taskToken" not in task:
        task = sfn.get_activity_task(activityArn=arn, **named)
    if worker.get("heartbeat"):
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
    if worker["answer"] == "success":
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
    else:
        sfn.send_task_failure(taskToken=task["taskToken"], error="Programmatic Error", cause=task["input"])


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_activity_task_matches_aws(case: dict) -> None:
    # GIVEN an activity and the recorded machine calling it
    runtime = Runtime(clock=ManualClock())
    sfn = runtime.client()
    activity = sfn.create_activity(name="recorded")["activityArn"]
    if case.get("deleted"):
        sfn.delete_activity(activityArn=activity)
    definition = json.dumps(case["definition"]).replace("<activity_arn>", activity)
    machine = sfn.create_state_machine(name="recorded", definition=definition, roleArn=ROLE)["stateMachineArn"]
    # WHEN it runs and a worker answers the task as AWS's test worker did
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(case["input"]))["executionArn"]
    if "worker" in case:
        _work(sfn, activity, case["worker"])
    assert runtime.wait_for(arn, timeout=10)
    # THEN it ends as AWS's did, after the events AWS recorded, with their details
    described = sfn.describe_execution(executionArn=arn)
    ended = {key: described[key] for key in ("status", "error", "cause") if key in described}
    if "output" in described:
        ended["output"] = described["output"]
    assert _as_recorded(ended, activity) == case["expected"]
    events = sfn.get_execution_history(executionArn=arn)["events"]
    assert [event["type"] for event in events] == case["history"]
    for event in events:
        if event["type"] in case["details"]:
            details_key = event["type"][0].lower() + event["type"][1:] + "EventDetails"
            assert _as_recorded(event[details_key], activity) == case["details"][event["type"]]
