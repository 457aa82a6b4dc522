"""Execution log events AWS wrote to CloudWatch Logs (localstack's validated snapshots), replayed.

``aws_recorded_logs.json`` holds the recorded ``templates`` and one case per snapshot key: the template,
the machine's ``type`` (STANDARD unless given), log ``level`` and ``includeExecutionData``, the ``inputs``
of its executions (started with StartExecution one after the other), the ``lambdas`` it calls (handlers
of test_aws_recordings) and what AWS wrote, verbatim: every event ``logged`` (test_logs), or only the
``end_event`` (test_express_async: AWS's Express logging of earlier events is not reliable, so the
snapshots keep the last one). Ours are read back from the group (moto's CloudWatch Logs) and written as
the snapshots write them: timestamps, ARNs, names and the role as localstack's placeholders (``varying``
fields too), JSON texts of objects/arrays as values; UUIDs and Lambda error causes as test_aws_recordings
compares them.
"""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from stepfunctions_local import ManualClock, Runtime
from stepfunctions_local.observability import LogPublisher, observe
from tests.support.aws_recorded import LAMBDAS, normalised

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_logs.json").read_text())
GROUP = "/aws/vendedlogs/states/recorded"
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"
MACHINE = "arn:aws:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"


class _Finished:
    """A sink counting finished executions, so a test can wait for fire-and-forget Express ones too."""

    def __init__(self) -> None:
        self.count = 0
        self.changed = threading.Condition()

    def started(self, record: Any) -> None:
        pass

    def event(self, record: Any, event: dict) -> None:
        pass

    def finished(self, record: Any) -> None:
        with self.changed:
            self.count += 1
            self.changed.notify_all()

    def wait(self, count: int) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: self.count >= count, timeout=10)


@pytest.fixture
def logs() -> Iterator[Any]:
    with mock_aws():
        client = boto3.client("logs")
        client.create_log_group(logGroupName=GROUP)
        yield client


def _as_snapshot(value: Any, names: dict[str, str], varying: dict[str, str]) -> Any:
    """``value`` as localstack's snapshots keep it: JSON texts of objects/arrays parsed, names as placeholders."""
    if isinstance(value, dict):
        return {key: varying[key] if key in varying else _as_snapshot(item, names, varying)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_as_snapshot(item, names, varying) for item in value]
    if isinstance(value, str) and value[:1] in ("{", "[") and not value.startswith('{"errorMessage"'):
        try:
            return _as_snapshot(json.loads(value), names, varying)
        except ValueError:
            return value
    return names.get(value, value) if isinstance(value, str) else value


def _placeholders(message: dict, runs: list[str], varying: dict[str, str]) -> dict:
    """``message`` with the values that vary per run written as the snapshot's placeholders."""
    assert message["event_timestamp"].isdigit()
    run = runs.index(message["execution_arn"])
    parts = message["execution_arn"].split(":")
    if parts[5] == "express":
        arn = f"arn:aws:states:<region>:111111111111:express:<ArnPart_0idx>:<ExpressExecArn_Part1_{run}idx>:" \
              f"<ExpressExecArn_Part2_{run}idx>"
        names = {parts[7]: f"<ExpressExecArn_Part1_{run}idx>"}
    else:
        arn = f"arn:aws:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_{run}idx>"
        names = {parts[7]: f"<ExecArnPart_{run}idx>"}
    # test_logs and test_express_async name the role differently
    names.update({message["execution_arn"]: arn, ROLE: "snf_role_arn" if parts[5] == "execution" else "sfn_role_arn",
                  "recorded": "<ArnPart_0idx>", ":".join(parts[:5] + ["stateMachine", "recorded"]): MACHINE})
    return normalised({**message, "details": _as_snapshot(message["details"], names, varying),
                        "event_timestamp": "timestamp", "execution_arn": arn})


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_logged_events_match_aws(case: dict, logs: Any) -> None:
    # GIVEN the recorded machine logging to a group at the recorded level, with the Lambda functions it calls
    runtime = Runtime(clock=ManualClock(time.time()))  # retry back-offs cost no time; CloudWatch wants now
    for name, handler in case.get("lambdas", {}).items():
        runtime.register_lambda(name, LAMBDAS[handler])
    publisher, finished = LogPublisher(logs, interval=0.05), _Finished()
    observe(runtime, publisher, finished)
    sfn = runtime.client()
    logging = {"level": case["level"], "includeExecutionData": case["includeExecutionData"],
               "destinations": [{"cloudWatchLogsLogGroup": {
                   "logGroupArn": f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"}}]}
    machine = sfn.create_state_machine(name="recorded", definition=json.dumps(RECORDED["templates"][case["template"]]),
                                       roleArn=ROLE, type=case.get("type", "STANDARD"),
                                       loggingConfiguration=logging)["stateMachineArn"]
    # WHEN it runs on each recorded input, one after the other
    runs = []
    for execution_input in case["inputs"]:
        runs.append(sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"])
        assert finished.wait(len(runs))
    assert publisher.flush()
    # THEN the group holds the log events AWS wrote, field for field, run after run
    messages = [json.loads(event["message"]) for event in logs.filter_log_events(logGroupName=GROUP)["events"]]
    messages.sort(key=lambda message: (runs.index(message["execution_arn"]), int(message["id"])))
    written = [_placeholders(message, runs, case.get("varying", {})) for message in messages]
    if "end_event" in case:
        assert written[-1] == normalised(case["end_event"])
    else:
        assert written == normalised(case["logged"])
