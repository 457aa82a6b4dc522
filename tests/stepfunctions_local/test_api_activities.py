"""Activities: the API (create/describe/list/delete/GetActivityTask) and activity Task states.

Expected histories and messages are AWS-recorded (localstack's AWS-validated snapshots
test_activities.snapshot.json and test_sfn_api_activities.snapshot.json).
"""
from __future__ import annotations

import json
import threading

import boto3
import pytest
from botocore.config import Config

import stepfunctions_local
from stepfunctions_local import serve

from .service_support import create, definition, heartbeat_until_refused

ACTIVITY = "arn:aws:states:us-east-1:000000000000:activity:work"
INPUT = {"Value1": "Hello", "Value2": "World"}


@pytest.fixture
def runtime():
    return stepfunctions_local.Runtime()


@pytest.fixture
def sfn(runtime):
    return runtime.client()


def _machine(sfn, **task_fields) -> str:
    return create(sfn, "activity-flow", definition({
        "ActivityTask": {"Type": "Task", "Resource": ACTIVITY, "End": True, **task_fields}}), "STANDARD")


def _start(sfn, machine: str) -> str:
    return sfn.start_execution(stateMachineArn=machine, input=json.dumps(INPUT))["executionArn"]


def _history(sfn, execution: str) -> list[dict]:
    return sfn.get_execution_history(executionArn=execution)["events"]


def _types(events: list[dict]) -> list[str]:
    return [event["type"] for event in events]


def _message(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Message"]


class TestCreateDescribeListDelete:
    def test_create_then_describe(self, sfn):
        # GIVEN an activity created
        created = sfn.create_activity(name="work")
        # WHEN it is described
        described = sfn.describe_activity(activityArn=created["activityArn"])
        # THEN its ARN, name and creation date come back
        assert created["activityArn"] == ACTIVITY
        assert (described["activityArn"], described["name"]) == (ACTIVITY, "work")
        assert described["creationDate"] == created["creationDate"]

    def test_create_is_idempotent_by_name_and_keeps_the_first_tags(self, sfn):
        # GIVEN an activity created with a tag
        first = sfn.create_activity(name="work", tags=[{"key": "team", "value": "a"}])
        # WHEN it is created again with other tags
        again = sfn.create_activity(name="work", tags=[{"key": "team", "value": "b"}])
        # THEN the same activity answers and its tags did not change (AWS ignores them)
        assert again["creationDate"] == first["creationDate"]
        assert sfn.list_tags_for_resource(resourceArn=ACTIVITY)["tags"] == [{"key": "team", "value": "a"}]

    def test_create_with_another_encryption_is_activity_already_exists(self, sfn):
        sfn.create_activity(name="work")
        with pytest.raises(sfn.exceptions.ActivityAlreadyExists):
            sfn.create_activity(name="work", encryptionConfiguration={"type": "CUSTOMER_MANAGED_KMS_KEY",
                                                                      "kmsKeyId": "alias/key"})

    def test_create_with_invalid_name(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidName) as error:
            sfn.create_activity(name="TestActivity InvalidName$")
        assert _message(error) == "Invalid Name: 'TestActivity InvalidName$'"

    def test_describe_unknown_activity(self, sfn):
        with pytest.raises(sfn.exceptions.ActivityDoesNotExist) as error:
            sfn.describe_activity(activityArn=ACTIVITY)
        assert _message(error) == f"Activity Does Not Exist: '{ACTIVITY}'"

    def test_describe_invalid_arn(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn) as error:
            sfn.describe_activity(activityArn="no_an_activity_arn")
        assert _message(error) == "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"

    def test_list_in_creation_order_with_pages(self, sfn):
        # GIVEN three activities
        for index in range(3):
            sfn.create_activity(name=f"work-{index}")
        # WHEN they are listed two at a time
        first = sfn.list_activities(maxResults=2)
        second = sfn.list_activities(maxResults=2, nextToken=first["nextToken"])
        # THEN all three come back in creation order
        names = [a["name"] for a in first["activities"] + second["activities"]]
        assert names == ["work-0", "work-1", "work-2"]
        assert "nextToken" not in second

    def test_list_with_bad_token(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.list_activities(nextToken="garbage")

    def test_delete_twice_succeeds_and_the_activity_is_gone(self, sfn):
        sfn.create_activity(name="work")
        sfn.delete_activity(activityArn=ACTIVITY)
        sfn.delete_activity(activityArn=ACTIVITY)  # AWS-recorded: 200 again
        with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
            sfn.describe_activity(activityArn=ACTIVITY)

    def test_delete_invalid_arn(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.delete_activity(activityArn="no_an_activity_arn")

    def test_tags_on_activities(self, sfn):
        sfn.create_activity(name="work")
        sfn.tag_resource(resourceArn=ACTIVITY, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
        sfn.untag_resource(resourceArn=ACTIVITY, tagKeys=["a"])
        assert sfn.list_tags_for_resource(resourceArn=ACTIVITY)["tags"] == [{"key": "b", "value": "2"}]


class TestGetActivityTask:
    def test_unknown_or_deleted_activity(self, sfn):
        sfn.create_activity(name="work")
        sfn.delete_activity(activityArn=ACTIVITY)
        with pytest.raises(sfn.exceptions.ActivityDoesNotExist) as error:
            sfn.get_activity_task(activityArn=ACTIVITY)
        assert _message(error) == f"Activity Does Not Exist: '{ACTIVITY}'"

    def test_invalid_arn(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn) as error:
            sfn.get_activity_task(activityArn="no_an_activity_arn")
        assert _message(error) == "Invalid Arn: 'Invalid ARN prefix: no_an_activity_arn'"

    def test_long_poll_with_no_task_answers_no_token(self, runtime, sfn):
        # GIVEN an activity with nothing scheduled, and a short long poll (AWS's is 60 s)
        sfn.create_activity(name="work")
        runtime.activities.poll_seconds = 0.05
        # WHEN a worker polls
        answer = sfn.get_activity_task(activityArn=ACTIVITY, workerName="w")
        # THEN the answer holds no token
        assert "taskToken" not in answer and "input" not in answer

    def test_a_poll_waiting_for_a_task_gets_it_when_scheduled(self, sfn):
        # GIVEN a worker already polling
        sfn.create_activity(name="work")
        machine = _machine(sfn)
        got: list[dict] = []
        worker = threading.Thread(target=lambda: got.append(sfn.get_activity_task(activityArn=ACTIVITY)))
        worker.start()
        # WHEN an execution schedules the task
        execution = _start(sfn, machine)
        worker.join(timeout=10)
        # THEN the waiting poll answers with the task's token and input
        assert json.loads(got[0]["input"]) == INPUT
        sfn.send_task_success(taskToken=got[0]["taskToken"], output="{}")
        assert sfn.describe_execution(executionArn=execution)["executionArn"] == execution


def _work(sfn, worker_name: str | None = "worker-1") -> dict:
    kwargs = {"workerName": worker_name} if worker_name else {}
    task = sfn.get_activity_task(activityArn=ACTIVITY, **kwargs)
    assert task["taskToken"]
    return task


class TestActivityTaskStates:
    def test_worker_success_as_aws_records_it(self, runtime, sfn):
        # GIVEN a Standard machine with an activity Task and a running execution
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn))
        # WHEN a worker takes the task and answers with its input
        task = _work(sfn)
        assert json.loads(task["input"]) == INPUT
        sfn.send_task_success(taskToken=task["taskToken"], output=task["input"])
        # THEN the execution succeeds, and the history is AWS's
        assert runtime.wait_for(execution, timeout=10)
        events = _history(sfn, execution)
        assert _types(events) == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted",
                                  "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]
        assert [e["previousEventId"] for e in events] == [0, 0, 2, 3, 4, 5, 6]
        scheduled = events[2]["activityScheduledEventDetails"]
        assert scheduled == {"resource": ACTIVITY, "input": json.dumps(INPUT, separators=(",", ":")),
                             "inputDetails": {"truncated": False}}
        assert events[3]["activityStartedEventDetails"] == {"workerName": "worker-1"}
        assert json.loads(events[4]["activitySucceededEventDetails"]["output"]) == INPUT
        assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == INPUT

    def test_worker_without_a_name_starts_the_activity_with_empty_details(self, runtime, sfn):
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn))
        task = _work(sfn, worker_name=None)
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
        assert runtime.wait_for(execution, timeout=10)
        assert _history(sfn, execution)[3]["activityStartedEventDetails"] == {}

    def test_worker_failure_fails_the_execution(self, runtime, sfn):
        # GIVEN a running activity task
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn))
        task = _work(sfn)
        # WHEN the worker reports a failure
        sfn.send_task_failure(taskToken=task["taskToken"], error="Programmatic Error", cause=task["input"])
        # THEN ActivityFailed, then ExecutionFailed with the same error and cause (no TaskStateExited)
        assert runtime.wait_for(execution, timeout=10)
        events = _history(sfn, execution)
        assert _types(events)[2:] == ["ActivityScheduled", "ActivityStarted", "ActivityFailed", "ExecutionFailed"]
        assert events[4]["activityFailedEventDetails"] == {"error": "Programmatic Error", "cause": task["input"]}
        described = sfn.describe_execution(executionArn=execution)
        assert (described["error"], described["cause"]) == ("Programmatic Error", task["input"])

    def test_heartbeats_and_timeouts_are_scheduled_as_aws_records_them(self, runtime, sfn):
        # GIVEN a task with HeartbeatSeconds and TimeoutSeconds, and a worker sending a heartbeat
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn, HeartbeatSeconds=10, TimeoutSeconds=60))
        task = _work(sfn)
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
        # THEN ActivityScheduled carries both limits
        assert runtime.wait_for(execution, timeout=10)
        scheduled = _history(sfn, execution)[2]["activityScheduledEventDetails"]
        assert (scheduled["heartbeatInSeconds"], scheduled["timeoutInSeconds"]) == (10, 60)

    def test_silent_worker_times_out_on_heartbeat(self, runtime, sfn):
        # GIVEN a task that must hear from its worker every second, taken by a worker that stays silent
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn, HeartbeatSeconds=1, TimeoutSeconds=60))
        task = _work(sfn)
        # WHEN the heartbeat passes
        assert runtime.wait_for(execution, timeout=10)
        # THEN States.HeartbeatTimeout, recorded as ActivityTimedOut; a late answer is TaskTimedOut
        described = sfn.describe_execution(executionArn=execution)
        assert (described["status"], described["error"]) == ("FAILED", "States.HeartbeatTimeout")
        events = _history(sfn, execution)
        assert _types(events)[2:] == ["ActivityScheduled", "ActivityStarted", "ActivityTimedOut", "ExecutionFailed"]
        assert events[4]["activityTimedOutEventDetails"] == {"error": "States.HeartbeatTimeout"}
        with pytest.raises(sfn.exceptions.TaskTimedOut):
            sfn.send_task_success(taskToken=task["taskToken"], output="{}")

    def test_taken_task_times_out_as_aws_records_it(self, runtime, sfn):
        # GIVEN a task with a one-second TimeoutSeconds, taken by a worker that never answers
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn, TimeoutSeconds=1))
        _work(sfn)
        # WHEN the time passes
        assert runtime.wait_for(execution, timeout=10)
        # THEN ActivityTimedOut and ExecutionFailed carry States.Timeout and no cause
        events = _history(sfn, execution)
        assert _types(events)[2:] == ["ActivityScheduled", "ActivityStarted", "ActivityTimedOut", "ExecutionFailed"]
        assert events[2]["activityScheduledEventDetails"]["timeoutInSeconds"] == 1
        assert events[4]["activityTimedOutEventDetails"] == {"error": "States.Timeout"}
        assert events[5]["executionFailedEventDetails"] == {"error": "States.Timeout"}

    def test_task_nobody_takes_times_out_and_is_withdrawn(self, runtime, sfn):
        # GIVEN a task with a one-second TimeoutSeconds and no worker
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn, TimeoutSeconds=1))
        # WHEN the time passes
        assert runtime.wait_for(execution, timeout=10)
        # THEN States.Timeout without ActivityStarted, and a later poll finds no task
        assert sfn.describe_execution(executionArn=execution)["error"] == "States.Timeout"
        assert _types(_history(sfn, execution))[2:] == ["ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"]
        runtime.activities.poll_seconds = 0.05
        assert "taskToken" not in sfn.get_activity_task(activityArn=ACTIVITY)

    def test_timeout_is_caught_like_any_task_error(self, runtime, sfn):
        sfn.create_activity(name="work")
        machine = create(sfn, "caught", definition({
            "ActivityTask": {"Type": "Task", "Resource": ACTIVITY, "TimeoutSeconds": 1, "End": True,
                             "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Fallback"}]},
            "Fallback": {"Type": "Pass", "End": True}}), "STANDARD")
        execution = _start(sfn, machine)
        assert runtime.wait_for(execution, timeout=10)
        assert sfn.describe_execution(executionArn=execution)["status"] == "SUCCEEDED"

    def test_deleted_activity_fails_the_execution_as_aws_records_it(self, runtime, sfn):
        # GIVEN a machine whose activity was deleted
        sfn.create_activity(name="work")
        machine = _machine(sfn)
        sfn.delete_activity(activityArn=ACTIVITY)
        # WHEN it runs
        execution = _start(sfn, machine)
        assert runtime.wait_for(execution, timeout=10)
        # THEN States.Runtime naming the activity, nothing scheduled
        events = _history(sfn, execution)
        assert _types(events) == ["ExecutionStarted", "TaskStateEntered", "ExecutionFailed"]
        assert events[2]["executionFailedEventDetails"] == {
            "error": "States.Runtime",
            "cause": "An error occurred while executing the state 'ActivityTask' (entered at the event id #2). "
                     f"The activity {ACTIVITY} does not exist."}

    def test_stopping_the_execution_closes_the_task(self, runtime, sfn):
        # GIVEN a task a worker has taken
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn))
        task = _work(sfn)
        # WHEN the execution is stopped
        sfn.stop_execution(executionArn=execution)
        # THEN the task's token soon belongs to a closed task
        assert heartbeat_until_refused(sfn, task["taskToken"]) == "TaskTimedOut"

    def test_a_worker_machine_using_aws_sdk_sfn_answers_the_task(self, runtime, sfn):
        # GIVEN an activity execution, and a worker that is itself a state machine (as in AWS's samples)
        sfn.create_activity(name="work")
        execution = _start(sfn, _machine(sfn))
        worker = create(sfn, "worker", definition({
            "GetActivityTask": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:getActivityTask",
                                "Parameters": {"ActivityArn": ACTIVITY, "WorkerName": "sdk-worker"},
                                "Next": "SendTaskSuccess"},
            "SendTaskSuccess": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                                "Parameters": {"Output.$": "$.Input", "TaskToken.$": "$.TaskToken"}, "End": True}}),
            "STANDARD")
        # WHEN the worker machine runs
        worker_execution = sfn.start_execution(stateMachineArn=worker)["executionArn"]
        # THEN both succeed, the activity's output being its input, started by the named worker
        assert runtime.wait_for(worker_execution, timeout=10) and runtime.wait_for(execution, timeout=10)
        assert sfn.describe_execution(executionArn=worker_execution)["status"] == "SUCCEEDED"
        assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == INPUT
        assert _history(sfn, execution)[3]["activityStartedEventDetails"] == {"workerName": "sdk-worker"}

    def test_parallel_branches_each_wait_for_their_own_worker(self, runtime, sfn):
        # GIVEN two Parallel branches, each an activity task
        sfn.create_activity(name="work")
        branch = {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": ACTIVITY, "End": True}}}
        machine = create(sfn, "parallel", definition({"Both": {"Type": "Parallel", "Branches": [branch, branch],
                                                               "End": True}}), "STANDARD")
        execution = _start(sfn, machine)
        # WHEN two workers answer, each with its own label
        for label in ("first", "second"):
            task = _work(sfn, worker_name=label)
            sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps(label))
        # THEN both branches finished with their worker's answer, each chain started by its worker
        assert runtime.wait_for(execution, timeout=10)
        assert sorted(json.loads(sfn.describe_execution(executionArn=execution)["output"])) == ["first", "second"]
        events = _history(sfn, execution)
        started = {e["activityStartedEventDetails"]["workerName"] for e in events if e["type"] == "ActivityStarted"}
        assert started == {"first", "second"}
        by_id = {e["id"]: e for e in events}
        for event in events:
            if event["type"] == "ActivityStarted":
                assert by_id[event["previousEventId"]]["type"] == "ActivityScheduled"

    def test_express_machines_refuse_activities(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidDefinition) as error:
            create(sfn, "express", definition({"ActivityTask": {"Type": "Task", "Resource": ACTIVITY, "End": True}}))
        assert _message(error) == ("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state "
                                   "machine does not support Activity ARN at /States/ActivityTask/Resource'")
        validated = sfn.validate_state_machine_definition(
            definition=definition({"ActivityTask": {"Type": "Task", "Resource": ACTIVITY, "End": True}}),
            type="EXPRESS")
        assert validated["diagnostics"] == [{
            "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Express state machine does not support Activity ARN",
            "location": "/States/ActivityTask/Resource"}]



def test_activity_round_trip_over_http_with_boto3(runtime):
    # GIVEN the runtime behind its HTTP endpoint, and unchanged boto3
    server = serve(runtime, host="127.0.0.1", port=0)
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
        # WHEN an activity is created, an execution scheduled, and a worker polls and answers over HTTP
        arn = sfn.create_activity(name="work")["activityArn"]
        execution = _start(sfn, _machine(sfn))
        task = sfn.get_activity_task(activityArn=arn, workerName="http-worker")
        sfn.send_task_success(taskToken=task["taskToken"], output='{"done": true}')
        # THEN the execution finishes with the worker's output
        assert runtime.wait_for(execution, timeout=10)
        assert json.loads(sfn.describe_execution(executionArn=execution)["output"]) == {"done": True}
        assert [a["name"] for a in sfn.list_activities()["activities"]] == ["work"]
        with pytest.raises(sfn.exceptions.ActivityDoesNotExist):
            sfn.describe_activity(activityArn=arn.replace("work", "other"))
    finally:
        server.shutdown()
