"""Execution log events AWS wrote to CloudWatch Logs (localstack's validated ``test_logs`` snapshots), replayed.

``aws_recorded_logs.json`` holds the recorded ``templates`` and one case per snapshot key: the template,
the machine's log ``level`` and ``includeExecutionData``, the ``inputs`` of its Standard executions (run
one after the other) and the log events AWS ``logged``, verbatim. Ours are read back from the group
(moto's CloudWatch Logs) and written as the snapshots write them: the event timestamp, execution ARN and
role ARN as localstack's placeholders, and a JSON text that holds an object or array as its value.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from stepfunctions_local import Runtime
from stepfunctions_local.observability import LogPublisher, observe

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_logs.json").read_text())
GROUP = "/aws/vendedlogs/states/recorded"
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"


@pytest.fixture
def logs(monkeypatch) -> Iterator[Any]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("logs")
        client.create_log_group(logGroupName=GROUP)
        yield client


def _as_snapshot(value: Any) -> Any:
    """A log message's value as localstack's snapshots keep it: JSON texts of objects/arrays parsed."""
    if isinstance(value, dict):
        return {key: _as_snapshot(item) for key, item in value.items()}
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _placeholders(message: dict, runs: list[str]) -> dict:
    """``message`` with the values that vary per run written as the snapshot's placeholders."""
    assert message["event_timestamp"].isdigit()
    details = dict(message["details"])
    if details.get("roleArn") == ROLE:
        details["roleArn"] = "snf_role_arn"
    run = runs.index(message["execution_arn"])
    return {**message, "details": _as_snapshot(details), "event_timestamp": "timestamp",
            "execution_arn": f"arn:aws:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_{run}idx>"}


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_logged_events_match_aws(case: dict, logs: Any) -> None:
    # GIVEN the recorded machine, Standard, logging to a group at the recorded level
    runtime = Runtime()
    publisher = LogPublisher(logs, interval=0.05)
    observe(runtime, publisher)
    sfn = runtime.client()
    logging = {"level": case["level"], "includeExecutionData": case["includeExecutionData"],
               "destinations": [{"cloudWatchLogsLogGroup": {
                   "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"}}]}
    machine = sfn.create_state_machine(name="recorded", definition=json.dumps(RECORDED["templates"][case["template"]]),
                                       roleArn=ROLE, loggingConfiguration=logging)["stateMachineArn"]
    # WHEN it runs on each recorded input, one after the other
    runs = []
    for execution_input in case["inputs"]:
        arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"]
        assert runtime.wait_for(arn, timeout=10)
        runs.append(arn)
    assert publisher.flush()
    # THEN the group holds the log events AWS wrote, field for field, run after run
    messages = [json.loads(event["message"]) for event in logs.filter_log_events(logGroupName=GROUP)["events"]]
    messages.sort(key=lambda message: (runs.index(message["execution_arn"]), int(message["id"])))
    assert [_placeholders(message, runs) for message in messages] == case["logged"]
