"""RedriveExecution: from the unsuccessful step, keeping succeeded work, with AWS's rules and fields."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from botocore.exceptions import ClientError

from .service_support import create, definition

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:flaky"


@pytest.fixture
def flaky(runtime):
    """A Lambda failing on items marked ``fail`` until ``fixed`` is set; counts its calls."""
    state = {"fixed": False, "calls": 0}

    def handler(event, context):
        state["calls"] += 1
        if isinstance(event, dict) and event.get("fail") and not state["fixed"]:
            raise ValueError("not yet")
        return {"ok": event}

    runtime.register_lambda("flaky", handler)
    return state


def _machine(sfn) -> str:
    return create(sfn, "redrivable", definition({
        "First": {"Type": "Pass", "Result": 1, "ResultPath": "$.first", "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.results", "ItemProcessor": {
            "StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": LAMBDA, "End": True}}},
            "Next": "Count"},
        "Count": {"Type": "Pass", "Parameters": {"redrives.$": "$$.Execution.RedriveCount", "results.$": "$.results"},
                  "End": True},
    }), "STANDARD")


def _failed_execution(runtime, sfn) -> str:
    arn = sfn.start_execution(stateMachineArn=_machine(sfn),
                              input=json.dumps({"items": [{"fail": False}, {"fail": True}]}))["executionArn"]
    assert runtime.wait_for(arn, timeout=10)
    return arn


def _code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


class TestRedriveExecution:
    def test_redrive_reruns_only_the_failed_iteration_and_succeeds(self, runtime, sfn, flaky):
        # GIVEN a Standard execution whose Map failed on its second item
        arn = _failed_execution(runtime, sfn)
        assert sfn.describe_execution(executionArn=arn)["redriveStatus"] == "REDRIVABLE"
        flaky["fixed"], calls_before = True, flaky["calls"]
        # WHEN it is redriven
        redriven = sfn.redrive_execution(executionArn=arn)
        assert runtime.wait_for(arn, timeout=10)
        # THEN only the failed iteration ran again, and the execution succeeded with both results
        described = sfn.describe_execution(executionArn=arn)
        assert flaky["calls"] == calls_before + 1
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"redrives": 1, "results": [{"ok": {"fail": False}},
                                                                                {"ok": {"fail": True}}]}
        assert (described["redriveCount"], described["redriveDate"]) == (1, redriven["redriveDate"])
        assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"
        # AND the history continues after ExecutionRedriven, from the Map state (the Pass before is not rerun)
        types = [event["type"] for event in sfn.get_execution_history(executionArn=arn)["events"]]
        after = types[types.index("ExecutionFailed") + 1:]
        assert after[:3] == ["ExecutionRedriven", "MapStateEntered", "MapStateStarted"]
        assert "PassStateEntered" not in after[:3] and after.count("MapIterationStarted") == 1
        event = next(e for e in sfn.get_execution_history(executionArn=arn)["events"]
                     if e["type"] == "ExecutionRedriven")
        assert event["executionRedrivenEventDetails"] == {"redriveCount": 1}

    def test_same_client_token_is_idempotent(self, runtime, sfn, flaky):
        # GIVEN a failed execution redriven with a client token
        arn = _failed_execution(runtime, sfn)
        first = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
        runtime.wait_for(arn, timeout=10)
        # WHEN the same request is repeated
        again = sfn.redrive_execution(executionArn=arn, clientToken="token-1")
        # THEN it answers the first redrive's date and does not redrive again
        assert again["redriveDate"] == first["redriveDate"]
        assert sfn.describe_execution(executionArn=arn)["redriveCount"] == 1

    def test_list_executions_shows_redrive_fields_and_filters(self, runtime, sfn, flaky):
        # GIVEN a redriven execution
        arn = _failed_execution(runtime, sfn)
        sfn.redrive_execution(executionArn=arn)
        runtime.wait_for(arn, timeout=10)
        machine = sfn.describe_execution(executionArn=arn)["stateMachineArn"]
        # WHEN executions are listed by redrive filter
        redriven = sfn.list_executions(stateMachineArn=machine, redriveFilter="REDRIVEN")["executions"]
        not_redriven = sfn.list_executions(stateMachineArn=machine, redriveFilter="NOT_REDRIVEN")["executions"]
        # THEN the redriven one carries redriveCount and redriveDate
        assert [item["redriveCount"] for item in redriven] == [1] and "redriveDate" in redriven[0]
        assert not_redriven == []

    def test_succeeded_execution_is_not_redrivable(self, runtime, sfn, flaky):
        # GIVEN an execution that succeeded
        flaky["fixed"] = True
        arn = _failed_execution(runtime, sfn)
        # WHEN it is redriven THEN ExecutionNotRedrivable names the reason
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn=arn)
        assert _code(raised) == "ExecutionNotRedrivable"
        assert "Execution is SUCCEEDED and cannot be redriven" in str(raised.value)

    def test_execution_past_the_redrivable_period_is_not_redrivable(self, runtime, sfn, flaky):
        # GIVEN a failed execution and 15 days passing
        arn = _failed_execution(runtime, sfn)
        runtime.clock.sleep(timedelta(days=15).total_seconds())
        # WHEN it is redriven THEN it is refused, and DescribeExecution says why
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn=arn)
        assert _code(raised) == "ExecutionNotRedrivable"
        described = sfn.describe_execution(executionArn=arn)
        assert (described["redriveStatus"], described["redriveStatusReason"]) == (
            "NOT_REDRIVABLE", "Execution redrivable period exceeded")

    def test_redrive_limit_is_enforced(self, runtime, sfn, flaky):
        # GIVEN a failed execution already redriven the maximum number of times
        arn = _failed_execution(runtime, sfn)
        runtime.executions._store.executions[arn].redrive_count = 1000
        # WHEN it is redriven THEN it is refused
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn=arn)
        assert _code(raised) == "ExecutionNotRedrivable"

    def test_express_execution_is_not_redrivable(self, sfn):
        # GIVEN an Express execution ARN WHEN it is redriven THEN ExecutionNotRedrivable
        arn = "arn:aws:states:us-east-1:000000000000:express:flow:name:0b9c6a07-8a5e-4d2c-9a37-52d7e8c2f4a1"
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn=arn)
        assert _code(raised) == "ExecutionNotRedrivable"

    def test_unknown_execution_does_not_exist(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn="arn:aws:states:us-east-1:000000000000:execution:flow:nope")
        assert _code(raised) == "ExecutionDoesNotExist"

    @pytest.mark.parametrize("token", ["x" * 65, "has space"])
    def test_bad_client_token_is_a_validation_error(self, runtime, sfn, flaky, token):
        arn = _failed_execution(runtime, sfn)
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn=arn, clientToken=token)
        assert _code(raised) == "ValidationException"

    def test_malformed_arn_is_invalid(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.redrive_execution(executionArn="not-an-arn")
        assert _code(raised) == "InvalidArn"

    def test_sync_result_carries_redrive_fields(self, runtime, sfn):
        # GIVEN a parent running a Standard child with states:startExecution.sync
        child = create(sfn, "child", definition({"Done": {"Type": "Pass", "End": True}}), "STANDARD")
        parent = create(sfn, "parent", definition({"Run": {
            "Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
            "Parameters": {"StateMachineArn": child, "Input": {}}, "End": True}}), "STANDARD")
        arn = sfn.start_execution(stateMachineArn=parent)["executionArn"]
        runtime.wait_for(arn, timeout=10)
        # THEN the child's description carries the redrive fields AWS shows (AWS-recorded shape)
        output = json.loads(sfn.describe_execution(executionArn=arn)["output"])
        assert (output["RedriveCount"], output["RedriveStatus"], output["RedriveStatusReason"]) == (
            0, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven")


def _branch(name: str) -> dict:
    return {"StartAt": name, "States": {name: {
        "Type": "Task", "Resource": f"arn:aws:lambda:us-east-1:000000000000:function:{name}", "End": True}}}


class TestRedriveKinds:
    def test_parallel_redrive_reruns_only_the_failed_branch(self, runtime, sfn):
        # GIVEN a Parallel state whose second branch failed once
        calls = {"left": 0, "right": 0}

        def left(event, context):
            calls["left"] += 1
            return "L"

        def right(event, context):
            calls["right"] += 1
            if calls["right"] == 1:
                raise RuntimeError("first time")
            return "R"

        runtime.register_lambda("left", left)
        runtime.register_lambda("right", right)
        machine = create(sfn, "both", definition({"Both": {"Type": "Parallel", "End": True,
                                                           "Branches": [_branch("left"), _branch("right")]}}),
                         "STANDARD")
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        runtime.wait_for(arn, timeout=10)
        # WHEN it is redriven
        sfn.redrive_execution(executionArn=arn)
        runtime.wait_for(arn, timeout=10)
        # THEN the succeeded branch kept its result and only the failed one ran again
        described = sfn.describe_execution(executionArn=arn)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", ["L", "R"])
        assert calls == {"left": 1, "right": 2}

    def test_stopped_execution_is_redriven_from_the_running_state(self, runtime, sfn):
        # GIVEN an execution stopped while a Task waited on its worker
        opened = threading.Event()
        runtime.register_lambda("blocker", lambda event, context: opened.wait(10) and {"done": True})
        machine = create(sfn, "stoppable", definition({
            "Before": {"Type": "Pass", "Result": "kept", "ResultPath": "$.before", "Next": "Block"},
            "Block": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:blocker",
                      "ResultPath": "$.block", "End": True}}), "STANDARD")
        arn = sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]
        sfn.stop_execution(executionArn=arn)
        opened.set()
        assert sfn.describe_execution(executionArn=arn)["status"] == "ABORTED"
        # WHEN it is redriven
        sfn.redrive_execution(executionArn=arn)
        runtime.wait_for(arn, timeout=10)
        # THEN it finishes with the work done before the stop
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "SUCCEEDED"
        assert json.loads(described["output"]) == {"before": "kept", "block": {"done": True}}

    def test_running_execution_is_not_redrivable(self, runtime, sfn):
        opened = threading.Event()
        runtime.register_lambda("blocker", lambda event, context: opened.wait(10) and {})
        machine = create(sfn, "busy", definition({"Block": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:blocker", "End": True}}),
            "STANDARD")
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        try:
            with pytest.raises(ClientError) as raised:
                sfn.redrive_execution(executionArn=arn)
            assert "Execution is RUNNING and cannot be redriven" in str(raised.value)
        finally:
            opened.set()


def test_retried_map_reruns_every_iteration(runtime, sfn):
    # GIVEN a Map state retried after one of its iterations failed (Standard: progress is being kept)
    calls = {"n": 0}

    def once_failing(event, context):
        calls["n"] += 1
        if event == 2 and calls["n"] <= 2:
            raise RuntimeError("first attempt")
        return event

    runtime.register_lambda("items", once_failing)
    machine = create(sfn, "retried", definition({"Each": {
        "Type": "Map", "MaxConcurrency": 1, "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 1}],
        "ItemProcessor": {"StartAt": "Call", "States": {"Call": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:items", "End": True}}}}}),
        "STANDARD")
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2]")["executionArn"]
    runtime.wait_for(arn, timeout=10)
    # THEN the retry ran both iterations again (a retry is not a redrive)
    assert sfn.describe_execution(executionArn=arn)["status"] == "SUCCEEDED"
    assert calls["n"] == 4


def test_observer_sees_the_redriven_attempt(runtime, sfn, flaky):
    # GIVEN an observer and a failed execution
    seen: list[str] = []
    succeeded = threading.Event()

    class Observer:
        def execution_started(self, record):
            seen.append("started")

        def history_event(self, record, event):
            if event["type"] in ("ExecutionRedriven", "ExecutionFailed", "ExecutionSucceeded"):
                seen.append(event["type"])

        def execution_finished(self, record):
            seen.append(f"finished:{record.status}")
            if record.status == "SUCCEEDED":
                succeeded.set()

    runtime.add_observer(Observer())
    arn = _failed_execution(runtime, sfn)
    flaky["fixed"] = True
    # WHEN it is redriven
    sfn.redrive_execution(executionArn=arn)
    assert succeeded.wait(10)
    # THEN the observer hears the new attempt's events and its end, after the first attempt's
    assert seen == ["started", "ExecutionFailed", "finished:FAILED", "ExecutionRedriven", "ExecutionSucceeded",
                    "finished:SUCCEEDED"]
