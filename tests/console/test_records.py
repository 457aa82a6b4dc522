"""Every execution is on local record, Express included, while the AWS API stays AWS-exact."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from stepfunctions_local.observability import ExecutionStore, observe
from tests.stepfunctions_local.service_support import create, definition, pass_through

FAILING = definition({"Check": {"Type": "Fail", "Error": "Bad.Input", "Cause": "no message"}})


def test_express_executions_are_recorded_and_still_not_describable(sfn, store):
    # GIVEN an Express state machine whose executions are observed
    arn = create(sfn, "flow", pass_through())
    # WHEN it runs synchronously
    answer = sfn.start_sync_execution(stateMachineArn=arn, input='{"a": 1}')
    # THEN the local record has it with its events, status and billing...
    [record] = store.executions()
    assert record.arn == answer["executionArn"] and record.status == "SUCCEEDED"
    assert [event["type"] for event in record.events][0] == "ExecutionStarted"
    assert record.events[-1]["type"] == "ExecutionSucceeded"
    assert record.billed_duration_ms == answer["billingDetails"]["billedDurationInMilliseconds"]
    assert record.billed_memory_mb == answer["billingDetails"]["billedMemoryUsedInMB"]
    # ...and the AWS API answers as AWS does for Express ARNs and machines
    with pytest.raises(ClientError) as described:
        sfn.describe_execution(executionArn=answer["executionArn"])
    assert described.value.response["Error"]["Code"] == "InvalidArn"
    with pytest.raises(ClientError) as listed:
        sfn.list_executions(stateMachineArn=arn)
    assert listed.value.response["Error"]["Code"] == "StateMachineTypeNotSupported"


def test_standard_executions_are_recorded_too(runtime, sfn, store):
    # GIVEN a Standard state machine
    arn = create(sfn, "standard", pass_through(), machine_type="STANDARD")
    # WHEN an execution runs to its end
    execution_arn = sfn.start_execution(stateMachineArn=arn, name="run-1")["executionArn"]
    assert runtime.wait_for(execution_arn, timeout=10)
    # THEN the record matches what DescribeExecution says
    record = store.get(execution_arn)
    assert record is not None and record.status == sfn.describe_execution(executionArn=execution_arn)["status"]
    assert [e["type"] for e in record.events] == [
        e["type"] for e in sfn.get_execution_history(executionArn=execution_arn)["events"]]


def test_record_keeps_the_newest_executions_and_counts_every_one(runtime, sfn, monkeypatch):
    # GIVEN a record bounded to two executions by the environment
    monkeypatch.setenv("SFN_LOCAL_MAX_EXECUTIONS", "2")
    store = ExecutionStore()
    observe(runtime, store)
    ok, failing = create(sfn, "ok", pass_through()), create(sfn, "failing", FAILING)
    # WHEN three executions succeed and one fails
    names = [f"run-{index}" for index in range(3)]
    for name in names:
        sfn.start_sync_execution(stateMachineArn=ok, name=name, input=json.dumps({}))
    sfn.start_sync_execution(stateMachineArn=failing, name="broken")
    # THEN only the newest two are kept, newest first...
    assert [record.name for record in store.executions()] == ["broken", "run-2"]
    # ...while the per-minute counts behind the Monitoring graphs still count every execution
    assert sum(minute["started"] for minute in store.minutes(ok)) == 3
    assert sum(minute["succeeded"] for minute in store.minutes(ok)) == 3
    assert sum(minute["failed"] for minute in store.minutes(failing)) == 1


@pytest.mark.parametrize("value", ["0", "many"])
def test_a_bad_bound_names_the_variable(monkeypatch, value):
    # GIVEN a bound that is not a positive whole number
    monkeypatch.setenv("SFN_LOCAL_MAX_EXECUTIONS", value)
    # WHEN a record is made THEN the error names the variable
    with pytest.raises(ValueError, match="SFN_LOCAL_MAX_EXECUTIONS"):
        ExecutionStore()


def test_a_trace_header_is_kept_with_its_execution(sfn, store):
    # GIVEN an Express state machine
    arn = create(sfn, "traced", pass_through())
    header = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
    # WHEN an execution is started with a trace header (the server notes it as it answers)
    answer = sfn.start_sync_execution(stateMachineArn=arn, traceHeader=header)
    store.note_trace(answer["executionArn"], header)
    # THEN the record keeps it, and the AWS answer echoes it as AWS does
    assert store.get(answer["executionArn"]).trace_header == header
    assert answer["traceHeader"] == header
