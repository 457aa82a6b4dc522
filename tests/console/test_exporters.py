"""AWS/States metrics and execution logs reach CloudWatch (moto), in AWS's names, units and JSON."""
from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from stepfunctions_local import Runtime
from stepfunctions_local.console import outcomes
from stepfunctions_local.observability import ExecutionStore, LogPublisher, MetricsPublisher, TerminalSummary, observe
from tests.stepfunctions_local.service_support import ROLE_ARN, definition

GROUP = "/aws/vendedlogs/states/flow"
MESSAGE = {"message": "This is bad service", "email": "ada@example.com"}
FLOW = definition({
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.ok", "BooleanEquals": True, "Next": "Done"}],
              "Default": "Reject"},
    "Done": {"Type": "Pass", "End": True},
    "Reject": {"Type": "Fail", "Error": "Flow.Rejected", "Cause": "not ok"},
})


def logging_configuration(level: str, include_data: bool) -> dict[str, Any]:
    arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{GROUP}:*"
    return {"level": level, "includeExecutionData": include_data,
            "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": arn}}]}


@pytest.fixture
def runtime() -> Runtime:
    """Real time: CloudWatch places data points by their timestamps."""
    return Runtime()


@pytest.fixture
def cloud(monkeypatch) -> Iterator[dict[str, Any]]:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield {"cloudwatch": boto3.client("cloudwatch"), "logs": boto3.client("logs")}


def run_flow(runtime, sfn, cloud, level: str = "ERROR", include_data: bool = False) -> tuple[str, list[dict]]:
    metrics, logs = MetricsPublisher(cloud["cloudwatch"], interval=0.05), LogPublisher(cloud["logs"], interval=0.05)
    observe(runtime, metrics, logs)
    arn = sfn.create_state_machine(name="flow", definition=FLOW, roleArn=ROLE_ARN, type="EXPRESS",
                                   loggingConfiguration=logging_configuration(level, include_data))["stateMachineArn"]
    answers = [sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({**MESSAGE, "ok": ok}))
               for ok in (True, True, False)]
    assert metrics.flush() and logs.flush()
    return arn, answers


def metric_sum(cloud, arn: str, name: str) -> tuple[float, str | None]:
    now = datetime.now(timezone.utc)
    points = cloud["cloudwatch"].get_metric_statistics(
        Namespace="AWS/States", MetricName=name, Dimensions=[{"Name": "StateMachineArn", "Value": arn}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(hours=1), Period=3600,
        Statistics=["Sum"])["Datapoints"]
    return sum(point["Sum"] for point in points), (points[0].get("Unit") if points else None)


def log_messages(cloud) -> list[dict[str, Any]]:
    events = cloud["logs"].filter_log_events(logGroupName=GROUP)["events"]
    return [json.loads(event["message"]) for event in events]


def test_execution_metrics_reach_cloudwatch_with_aws_names_and_units(runtime, sfn, cloud):
    # GIVEN metrics published to CloudWatch WHEN two executions succeed and one fails
    arn, answers = run_flow(runtime, sfn, cloud)
    # THEN AWS/States has each count by StateMachineArn...
    assert metric_sum(cloud, arn, "ExecutionsStarted") == (3, "Count")
    assert metric_sum(cloud, arn, "ExecutionsSucceeded") == (2, "Count")
    assert metric_sum(cloud, arn, "ExecutionsFailed") == (1, "Count")
    assert metric_sum(cloud, arn, "ExecutionsTimedOut")[0] == 0
    # ...the execution time, and what Express executions are billed
    assert metric_sum(cloud, arn, "ExecutionTime")[1] == "Milliseconds"
    billed = sum(answer["billingDetails"]["billedDurationInMilliseconds"] for answer in answers)
    assert metric_sum(cloud, arn, "ExpressExecutionBilledDuration") == (billed, "Milliseconds")
    assert metric_sum(cloud, arn, "ExpressExecutionBilledMemory") == (3 * 64, "Megabytes")


def test_a_busy_second_is_sent_as_values_and_counts_with_the_same_statistics(runtime, sfn, cloud):
    # GIVEN metrics batched once a second, with every PutMetricData call kept
    sent: list[list[dict]] = []
    cloud["cloudwatch"].meta.events.register(
        "provide-client-params.cloudwatch.PutMetricData", lambda params, **_: sent.append(params["MetricData"]))
    metrics = MetricsPublisher(cloud["cloudwatch"], interval=1.0)
    observe(runtime, metrics)
    arn = sfn.create_state_machine(name="busy", definition=FLOW, roleArn=ROLE_ARN, type="EXPRESS")["stateMachineArn"]
    # WHEN 40 executions finish between two sends
    for _ in range(40):
        sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({**MESSAGE, "ok": True}))
    assert metrics.flush()
    # THEN far fewer entries than data points went out, each value with its count...
    entries = [entry for call in sent for entry in call]
    assert len(entries) < 40 and all(len(entry["Values"]) == len(entry["Counts"]) <= 150 for entry in entries)
    # ...and CloudWatch counts every execution as before
    assert metric_sum(cloud, arn, "ExecutionsStarted") == (40, "Count")
    assert metric_sum(cloud, arn, "ExecutionsSucceeded") == (40, "Count")
    assert metric_sum(cloud, arn, "ExpressExecutionBilledMemory") == (40 * 64, "Megabytes")


def test_error_level_logs_only_failures_and_no_execution_data(runtime, sfn, cloud):
    # GIVEN a machine logging at ERROR without execution data (as the deploy template says)
    # WHEN two executions succeed and one fails
    _, answers = run_flow(runtime, sfn, cloud, level="ERROR", include_data=False)
    # THEN the group holds the failed one's error events only, in AWS's log-event shape
    messages = log_messages(cloud)
    assert [m["type"] for m in messages] == ["FailStateEntered", "ExecutionFailed"]
    failed = messages[-1]
    assert set(failed) == {"id", "type", "details", "previous_event_id", "event_timestamp", "execution_arn",
                           "redrive_count"}
    assert failed["execution_arn"] == answers[2]["executionArn"]
    assert failed["details"] == {"error": "Flow.Rejected", "cause": "not ok"}
    assert all(isinstance(failed[key], str) for key in ("id", "previous_event_id", "event_timestamp"))
    # AND nothing the customer wrote reached the log
    assert "bad service" not in json.dumps(messages) and "ada@" not in json.dumps(messages)


def test_all_level_with_data_logs_every_event_with_its_input(runtime, sfn, cloud):
    # GIVEN a machine logging ALL with execution data WHEN it runs three times
    run_flow(runtime, sfn, cloud, level="ALL", include_data=True)
    # THEN every event is there, the first with the execution's input
    messages = log_messages(cloud)
    assert sum(m["type"] == "ExecutionStarted" for m in messages) == 3
    assert sum(m["type"] == "ExecutionSucceeded" for m in messages) == 2
    started = next(m for m in messages if m["type"] == "ExecutionStarted")
    assert json.loads(started["details"]["input"])["message"] == MESSAGE["message"]
    # AND streams are named as AWS names them
    [stream] = cloud["logs"].describe_log_streams(logGroupName=GROUP)["logStreams"]
    assert stream["logStreamName"].startswith("states/flow/") and stream["logStreamName"].endswith("/00000000")


def test_off_level_writes_no_log(runtime, sfn, cloud):
    # GIVEN a machine with logging OFF WHEN it runs THEN no log group was even created
    observe(runtime, LogPublisher(cloud["logs"], interval=0.05))
    arn = sfn.create_state_machine(name="quiet", definition=FLOW, roleArn=ROLE_ARN, type="EXPRESS")["stateMachineArn"]
    sfn.start_sync_execution(stateMachineArn=arn, input='{"ok": false}')
    assert cloud["logs"].describe_log_groups()["logGroups"] == []


def test_one_terminal_line_per_execution_without_customer_data(runtime, sfn, caplog):
    # GIVEN executions summarised on the terminal
    observe(runtime, TerminalSummary())
    arn = sfn.create_state_machine(name="flow", definition=FLOW, roleArn=ROLE_ARN, type="EXPRESS")["stateMachineArn"]
    # WHEN one succeeds and one fails
    with caplog.at_level(logging.INFO, logger="stepfunctions_local.executions"):
        sfn.start_sync_execution(stateMachineArn=arn, name="good", input=json.dumps({**MESSAGE, "ok": True}))
        sfn.start_sync_execution(stateMachineArn=arn, name="bad", input=json.dumps({**MESSAGE, "ok": False}))
    # THEN each has one line with machine, name, status, duration and states run; no input
    lines = [record.getMessage() for record in caplog.records if record.name == "stepfunctions_local.executions"]
    assert len(lines) == 2
    assert lines[0].startswith("flow good SUCCEEDED in ") and lines[0].endswith(" ms, 2 states")
    assert lines[1].startswith("flow bad FAILED (Flow.Rejected) in ") and lines[1].endswith(", 2 states")
    assert not any("bad service" in line or "ada@" in line or "not ok" in line for line in lines)


def test_fatal_level_logs_only_how_failed_executions_ended(runtime, sfn, cloud):
    # GIVEN a machine logging at FATAL WHEN two executions succeed and one fails
    run_flow(runtime, sfn, cloud, level="FATAL", include_data=True)
    # THEN only the failed execution's end is logged (not the Fail state, an ERROR-level event)
    assert [m["type"] for m in log_messages(cloud)] == ["ExecutionFailed"]


def test_a_stopped_execution_shows_running_then_counts_as_aborted(runtime, sfn, cloud):
    # GIVEN a Standard execution whose task waits, observed by the record and the metrics
    release = threading.Event()
    runtime.register_lambda("wait", lambda event, context: release.wait(10))
    store, metrics = ExecutionStore(), MetricsPublisher(cloud["cloudwatch"], interval=0.05)
    observe(runtime, store, metrics)
    arn = sfn.create_state_machine(name="slow", roleArn=ROLE_ARN, type="STANDARD", definition=definition({"Work": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:wait", "End": True}}))[
        "stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    record = store.get(execution)
    deadline = time.monotonic() + 10
    while not any(e["type"] == "LambdaFunctionStarted" for e in list(record.events)) and time.monotonic() < deadline:
        time.sleep(0.01)
    # WHEN it is looked at while running THEN its task shows as running
    running = outcomes.summarise(json.loads(record.definition), list(record.events), record.status,
                                 record.started, record.stopped)
    assert running["states"]["Work"]["outcome"] == "running"
    # WHEN it is stopped THEN it is ABORTED, its task failed, and ExecutionsAborted counts it
    sfn.stop_execution(executionArn=execution)
    release.set()
    assert record.status == "ABORTED"
    stopped = outcomes.summarise(json.loads(record.definition), list(record.events), record.status,
                                 record.started, record.stopped)
    assert stopped["states"]["Work"]["outcome"] == "failed"
    assert metrics.flush()
    assert metric_sum(cloud, arn, "ExecutionsAborted") == (1, "Count")
