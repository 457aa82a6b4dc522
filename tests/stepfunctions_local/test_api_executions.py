"""Executions through the in-process client: Express (sync and async) and Standard, as AWS behaves."""
from __future__ import annotations

import json
import re
import threading
from datetime import datetime

import pytest
from botocore.exceptions import ClientError

from .service_support import create, definition, pass_through, task

EXPRESS_ARN = re.compile(r"^arn:aws:states:us-east-1:000000000000:express:flow:([^:]+):[0-9a-f-]{36}$")


@pytest.fixture
def gate(runtime):
    """A Lambda that blocks until the test opens the gate: keeps a Standard execution RUNNING."""
    opened = threading.Event()
    runtime.register_lambda("blocker", lambda event, context: opened.wait(10) and event)
    yield opened
    opened.set()


def _code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


def _finished(runtime, sfn, arn: str) -> dict:
    assert runtime.wait_for(arn, timeout=10)
    return sfn.describe_execution(executionArn=arn)


class TestStartSyncExecution:
    def test_succeeded_execution_returns_output_and_billing(self, sfn):
        # GIVEN an Express machine that adds a field
        arn = create(sfn, "flow", definition({"Add": {"Type": "Pass", "Result": 1, "ResultPath": "$.n",
                                                      "End": True}}))
        # WHEN it runs synchronously with a name
        response = sfn.start_sync_execution(stateMachineArn=arn, name="run-1", input='{"a": "x"}')
        # THEN AWS's full response shape comes back
        assert response["status"] == "SUCCEEDED"
        assert json.loads(response["output"]) == {"a": "x", "n": 1}
        assert response["input"] == '{"a": "x"}'
        assert response["inputDetails"] == {"included": True} == response["outputDetails"]
        assert EXPRESS_ARN.match(response["executionArn"]).group(1) == "run-1"
        assert response["stateMachineArn"] == arn and response["name"] == "run-1"
        assert isinstance(response["startDate"], datetime) and isinstance(response["stopDate"], datetime)
        assert response["billingDetails"] == {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100}

    def test_output_is_compact_json_and_keeps_unicode(self, sfn):
        # GIVEN a pass-through machine
        arn = create(sfn, "flow", pass_through())
        # WHEN non-ASCII input runs through it
        response = sfn.start_sync_execution(stateMachineArn=arn, input='{"msg": "héllo ✓"}')
        # THEN the output is compact like AWS's and not escaped
        assert response["output"] == '{"msg":"héllo ✓"}'

    def test_missing_input_runs_with_empty_object(self, sfn):
        # GIVEN a pass-through machine
        arn = create(sfn, "flow", pass_through())
        # WHEN no input is given
        response = sfn.start_sync_execution(stateMachineArn=arn)
        # THEN the execution sees {} and the name is a generated UUID
        assert response["output"] == "{}"
        assert re.fullmatch(r"[0-9a-f-]{36}", response["name"])

    def test_failed_execution_reports_error_and_cause_without_output(self, sfn):
        # GIVEN a machine that fails
        arn = create(sfn, "flow", definition({"No": {"Type": "Fail", "Error": "Bad", "Cause": "because"}}))
        # WHEN it runs
        response = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        # THEN status, error and cause are AWS's fields
        assert (response["status"], response["error"], response["cause"]) == ("FAILED", "Bad", "because")
        assert "output" not in response

    def test_express_five_minute_limit_times_out(self, sfn):
        # GIVEN an Express machine that waits longer than five minutes (on a manual clock)
        arn = create(sfn, "flow", definition({"Wait": {"Type": "Wait", "Seconds": 301, "End": True}}))
        # WHEN it runs
        response = sfn.start_sync_execution(stateMachineArn=arn)
        # THEN it ends TIMED_OUT like AWS's Express limit
        assert response["status"] == "TIMED_OUT"

    def test_metadata_only_leaves_out_input_and_output(self, sfn):
        # GIVEN a pass-through machine
        arn = create(sfn, "flow", pass_through())
        # WHEN only metadata is requested
        response = sfn.start_sync_execution(stateMachineArn=arn, input="{}", includedData="METADATA_ONLY")
        # THEN no data is included
        assert "output" not in response and "input" not in response
        assert response["outputDetails"] == {"included": False}

    def test_standard_machine_is_type_not_supported(self, sfn):
        # GIVEN a Standard machine
        arn = create(sfn, "flow", pass_through(), "STANDARD")
        # WHEN it is started synchronously
        with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
            sfn.start_sync_execution(stateMachineArn=arn)
        # THEN AWS refuses (asserted by the exception type)

    @pytest.mark.parametrize("bad_input", ["{not json", "[1,", '{"a": ' + '"x' * 10])
    def test_malformed_input_is_invalid_execution_input(self, sfn, bad_input):
        # GIVEN an Express machine
        arn = create(sfn, "flow", pass_through())
        # WHEN the input is not JSON
        with pytest.raises(ClientError) as error:
            sfn.start_sync_execution(stateMachineArn=arn, input=bad_input)
        # THEN it is InvalidExecutionInput
        assert _code(error) == "InvalidExecutionInput"

    def test_input_over_256_kib_is_invalid_execution_input(self, sfn):
        # GIVEN an Express machine
        arn = create(sfn, "flow", pass_through())
        # WHEN the input is one byte over 262,144
        too_big = json.dumps({"m": "x" * (262_144 - 9 + 1)})
        with pytest.raises(ClientError) as error:
            sfn.start_sync_execution(stateMachineArn=arn, input=too_big)
        # THEN it is InvalidExecutionInput
        assert _code(error) == "InvalidExecutionInput"

    def test_unknown_machine_is_state_machine_does_not_exist(self, sfn):
        # GIVEN no machine
        # WHEN an unknown ARN is started
        with pytest.raises(ClientError) as error:
            sfn.start_sync_execution(stateMachineArn="arn:aws:states:us-east-1:000000000000:stateMachine:x")
        # THEN it is StateMachineDoesNotExist
        assert _code(error) == "StateMachineDoesNotExist"

    def test_express_executions_cannot_be_described_or_listed(self, sfn):
        # GIVEN a finished Express execution
        arn = create(sfn, "flow", pass_through())
        execution_arn = sfn.start_sync_execution(stateMachineArn=arn)["executionArn"]
        # WHEN it is described, or the machine's executions listed
        with pytest.raises(ClientError) as described:
            sfn.describe_execution(executionArn=execution_arn)
        with pytest.raises(ClientError) as listed:
            sfn.list_executions(stateMachineArn=arn)
        # THEN AWS's answers for Express come back
        assert _code(described) == "InvalidArn"
        assert _code(listed) == "StateMachineTypeNotSupported"


class TestStandardExecutions:
    def test_start_execution_runs_in_background_and_describes_result(self, runtime, sfn):
        # GIVEN a Standard machine
        arn = create(sfn, "flow", pass_through(), "STANDARD")
        # WHEN an execution is started
        started = sfn.start_execution(stateMachineArn=arn, name="first", input='{"k": 1}')
        # THEN it can be described once finished, with AWS's execution ARN
        assert started["executionArn"] == "arn:aws:states:us-east-1:000000000000:execution:flow:first"
        described = _finished(runtime, sfn, started["executionArn"])
        assert (described["status"], described["output"], described["input"]) == ("SUCCEEDED", '{"k":1}', '{"k": 1}')
        assert described["stopDate"] >= described["startDate"]

    def test_express_start_execution_is_asynchronous(self, runtime, sfn):
        # GIVEN an Express machine whose Lambda records its call
        called = threading.Event()
        runtime.register_lambda("record", lambda event, context: called.set())
        arn = create(sfn, "flow", task("arn:aws:lambda:us-east-1:000000000000:function:record"))
        # WHEN it is started asynchronously
        started = sfn.start_execution(stateMachineArn=arn)
        # THEN an Express ARN comes back at once and the workflow runs anyway
        assert EXPRESS_ARN.match(started["executionArn"])
        assert called.wait(5)

    def test_reused_name_after_finish_is_execution_already_exists(self, runtime, sfn):
        # GIVEN a finished execution named "once"
        arn = create(sfn, "flow", pass_through(), "STANDARD")
        _finished(runtime, sfn, sfn.start_execution(stateMachineArn=arn, name="once")["executionArn"])
        # WHEN the name is used again
        with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
            sfn.start_execution(stateMachineArn=arn, name="once")
        # THEN AWS refuses (asserted by the exception type)

    def test_same_name_and_input_while_running_is_idempotent(self, sfn, gate):
        # GIVEN a running execution
        arn = create(sfn, "flow", task("arn:aws:lambda:us-east-1:000000000000:function:blocker"), "STANDARD")
        first = sfn.start_execution(stateMachineArn=arn, name="same", input="{}")
        # WHEN it is started again with the same name and input
        second = sfn.start_execution(stateMachineArn=arn, name="same", input="{}")
        # THEN AWS returns the running execution
        assert second["executionArn"] == first["executionArn"]

    def test_stop_execution_aborts_with_error_and_cause(self, runtime, sfn, gate):
        # GIVEN a running execution
        arn = create(sfn, "flow", task("arn:aws:lambda:us-east-1:000000000000:function:blocker"), "STANDARD")
        execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        # WHEN it is stopped
        stopped = sfn.stop_execution(executionArn=execution_arn, error="Halt", cause="operator")
        gate.set()
        # THEN it is ABORTED with the error and cause, and history ends with ExecutionAborted
        described = _finished(runtime, sfn, execution_arn)
        assert (described["status"], described["error"], described["cause"]) == ("ABORTED", "Halt", "operator")
        assert described["stopDate"] == stopped["stopDate"]
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        assert events[-1]["type"] == "ExecutionAborted"
        assert events[-1]["executionAbortedEventDetails"] == {"error": "Halt", "cause": "operator"}

    def test_list_executions_filters_by_status(self, runtime, sfn, gate):
        # GIVEN one finished and one running execution
        done_arn = create(sfn, "flow", task("arn:aws:lambda:us-east-1:000000000000:function:blocker"), "STANDARD")
        gate.set()
        _finished(runtime, sfn, sfn.start_execution(stateMachineArn=done_arn, name="done")["executionArn"])
        gate.clear()
        sfn.start_execution(stateMachineArn=done_arn, name="busy")
        # WHEN executions are listed by status
        running = sfn.list_executions(stateMachineArn=done_arn, statusFilter="RUNNING")["executions"]
        succeeded = sfn.list_executions(stateMachineArn=done_arn, statusFilter="SUCCEEDED")["executions"]
        # THEN each filter sees its own
        assert [e["name"] for e in running] == ["busy"]
        assert [e["name"] for e in succeeded] == ["done"]

    def test_describe_state_machine_for_execution_returns_definition(self, runtime, sfn):
        # GIVEN a finished execution
        arn = create(sfn, "flow", pass_through(), "STANDARD")
        execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        _finished(runtime, sfn, execution_arn)
        # WHEN its state machine is described
        described = sfn.describe_state_machine_for_execution(executionArn=execution_arn)
        # THEN it is the machine that ran
        assert (described["stateMachineArn"], described["definition"]) == (arn, pass_through())

    def test_running_execution_keeps_the_definition_it_started_with(self, runtime, sfn, gate):
        # GIVEN a running execution
        original = task("arn:aws:lambda:us-east-1:000000000000:function:blocker")
        arn = create(sfn, "flow", original, "STANDARD")
        execution_arn = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        # WHEN the state machine is updated meanwhile
        sfn.update_state_machine(stateMachineArn=arn, definition=pass_through())
        gate.set()
        # THEN the execution finishes on, and reports, its original definition
        assert _finished(runtime, sfn, execution_arn)["status"] == "SUCCEEDED"
        assert sfn.describe_state_machine_for_execution(executionArn=execution_arn)["definition"] == original

    def test_unknown_execution_is_execution_does_not_exist(self, sfn):
        # GIVEN no execution
        arn = "arn:aws:states:us-east-1:000000000000:execution:flow:nope"
        # WHEN it is described
        with pytest.raises(sfn.exceptions.ExecutionDoesNotExist) as error:
            sfn.describe_execution(executionArn=arn)
        # THEN AWS's message names it
        assert error.value.response["Error"]["Message"] == f"Execution Does Not Exist: '{arn}'"


class TestExecutionHistory:
    @pytest.fixture
    def execution_arn(self, runtime, sfn):
        arn = create(sfn, "flow", pass_through(), "STANDARD")
        execution_arn = sfn.start_execution(stateMachineArn=arn, input='{"x": 1}')["executionArn"]
        _finished(runtime, sfn, execution_arn)
        return execution_arn

    def test_history_has_aws_event_types_ids_and_previous_ids(self, sfn, execution_arn):
        # GIVEN a finished one-Pass execution
        # WHEN its history is read
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        # THEN events are numbered from 1 and chained like AWS's
        assert [e["type"] for e in events] == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]
        assert [e["id"] for e in events] == [1, 2, 3, 4]
        assert [e["previousEventId"] for e in events] == [0, 0, 2, 3]
        assert events[0]["executionStartedEventDetails"]["input"] == '{"x": 1}'
        assert events[-1]["executionSucceededEventDetails"] == {"output": '{"x":1}',
                                                                "outputDetails": {"truncated": False}}
        assert all(isinstance(e["timestamp"], datetime) for e in events)

    def test_reverse_order_and_pages(self, sfn, execution_arn):
        # GIVEN a finished execution with four events
        # WHEN history is read newest first, two at a time
        first = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=2)
        second = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=2,
                                           nextToken=first["nextToken"])
        # THEN ids come back 4, 3, 2, 1
        assert [e["id"] for e in first["events"] + second["events"]] == [4, 3, 2, 1]

    def test_without_execution_data_leaves_out_input_and_output(self, sfn, execution_arn):
        # GIVEN a finished execution
        # WHEN history is read without execution data
        events = sfn.get_execution_history(executionArn=execution_arn, includeExecutionData=False)["events"]
        # THEN no event carries input or output
        for event in events:
            for key, value in event.items():
                if key.endswith("EventDetails"):
                    assert "input" not in value and "output" not in value
