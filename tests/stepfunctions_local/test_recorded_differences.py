"""Behaviour pinned to AWS's recordings where it differs from what the docs suggest (the recording wins)."""
from __future__ import annotations

import base64
import json

from .service_support import create, definition


def _run(sfn, states: dict, value: object = None) -> dict:
    arn = create(sfn, "recorded", definition(states))
    return sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(value if value is not None else {}))


class TestContextRetryCount:
    def test_pass_state_has_no_retry_count(self, sfn):
        # The docs' context object example shows State.RetryCount; AWS's recording of a Pass state's "$$"
        # (localstack test_context_object snapshot) has only EnteredTime and Name: the recording wins.
        output = json.loads(_run(sfn, {"P": {"Type": "Pass", "Parameters": {"state.$": "$$.State"},
                                             "End": True}})["output"])
        assert set(output["state"]) == {"EnteredTime", "Name"}

    def test_task_state_in_standard_execution_has_retry_count_and_redrive_count(self, sfn, runtime):
        # AWS-recorded (test_context_object snapshot, a Standard execution): Execution.RedriveCount is 0
        runtime.register_lambda("echo", lambda event, context: event)
        machine = create(sfn, "standard", definition({"T": {
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:echo",
            "Parameters": {"retries.$": "$$.State.RetryCount", "redrives.$": "$$.Execution.RedriveCount"},
            "End": True}}), "STANDARD")
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        assert runtime.wait_for(arn, timeout=10)
        assert json.loads(sfn.describe_execution(executionArn=arn)["output"]) == {"retries": 0, "redrives": 0}


class TestLambdaInvoke:
    def test_error_cause_is_compact_json(self, sfn, runtime):
        # AWS-recorded (service_lambda_raise_exception): lambda:invoke writes the cause without spaces
        def broken(event, context):
            raise ValueError("bad")

        runtime.register_lambda("broken", broken)
        answer = _run(sfn, {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                  "Parameters": {"FunctionName": "broken", "Payload": {}}, "End": True}})
        assert answer["cause"].startswith('{"errorMessage":"bad","errorType":"ValueError",')

    def test_lambda_arn_resource_keeps_spaced_cause(self, sfn, runtime):
        # AWS-recorded (test_task_lambda raise_exception_catch): a Lambda ARN resource's cause has spaces
        def broken(event, context):
            raise ValueError("bad")

        runtime.register_lambda("broken", broken)
        answer = _run(sfn, {"T": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:broken",
                                  "End": True}})
        assert answer["cause"].startswith('{"errorMessage": "bad", "errorType": "ValueError",')

    def test_null_payload_reaches_the_function_as_empty_object(self, sfn, runtime):
        runtime.register_lambda("echo", lambda event, context: event)
        answer = _run(sfn, {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                  "Parameters": {"FunctionName": "echo", "Payload": None}, "End": True}})
        assert json.loads(answer["output"])["Payload"] == {}

    def test_log_type_tail_answers_log_result(self, sfn, runtime):
        runtime.register_lambda("echo", lambda event, context: event)
        answer = _run(sfn, {"T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                                  "Parameters": {"FunctionName": "echo", "LogType": "Tail"}, "End": True}})
        log = base64.b64decode(json.loads(answer["output"])["LogResult"]).decode()
        assert log.startswith("START RequestId: ") and "\nREPORT RequestId: " in log


class TestStateDataLimit:
    """AWS-recorded (localstack test_states_errors::test_start_large_input): a Pass state whose result is over
    256 KiB fails the execution with States.DataLimitExceeded, and its Exited event is never written."""

    DEFINITION = {"StartAt": "State_1", "States": {"State_1": {"Type": "Pass", "Result": {"Arg1": "a" * 257 * 1024},
                                                               "End": True}}}
    CAUSE = ("The state/task 'State_1' returned a result with a size exceeding the maximum number of bytes "
             "service limit.")

    def test_express_execution_fails(self, sfn):
        answer = _run(sfn, self.DEFINITION["States"])
        assert (answer["status"], answer["error"], answer["cause"]) == ("FAILED", "States.DataLimitExceeded",
                                                                        self.CAUSE)

    def test_standard_history_ends_without_the_exit(self, runtime, sfn):
        arn = create(sfn, "large", json.dumps(self.DEFINITION), "STANDARD")
        execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
        assert runtime.wait_for(execution, timeout=10)
        events = sfn.get_execution_history(executionArn=execution)["events"]
        assert [event["type"] for event in events] == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]
        assert events[-1]["executionFailedEventDetails"] == {"error": "States.DataLimitExceeded", "cause": self.CAUSE}


class TestMaxConcurrencyPath:
    """A value that is no integer as AWS recorded it (test_base_scenarios test_max_concurrency_path[NoNumber]);
    a negative one as localstack words it (no AWS recording of that failure was found)."""

    MAP = {"M": {"Type": "Map", "MaxConcurrencyPath": "$.limit", "ItemsPath": "$.items",
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}, "End": True}}

    def test_number_written_as_text_is_used(self, sfn):
        answer = _run(sfn, self.MAP, {"limit": "2", "items": [1, 2, 3]})
        assert json.loads(answer["output"]) == [1, 2, 3]

    def test_not_an_integer_fails_the_execution(self, sfn):
        answer = _run(sfn, self.MAP, {"limit": "many", "items": [1]})
        assert (answer["error"], answer["cause"]) == (
            "States.Runtime",
            "An error occurred while executing the state 'M' (entered at the event id #2). "
            'The MaxConcurrencyPath field refers to value "many" which is not a valid integer: $.limit')

    def test_negative_fails_the_execution(self, sfn):
        answer = _run(sfn, self.MAP, {"limit": -1, "items": [1]})
        assert (answer["error"], answer["cause"]) == (
            "States.Runtime", "Expected non-negative integer for MaxConcurrency, got '-1' instead.")


class TestSfnSdkErrors:
    def test_send_task_success_with_a_bad_token_fails_the_task_with_the_sdk_cause(self, sfn):
        answer = _run(sfn, {"Resume": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                                       "Parameters": {"TaskToken": "not-a-real-token", "Output": "{}"},
                                       "End": True}})
        assert answer["error"] == "Sfn.InvalidTokenException"
        suffix = " (Service: Sfn, Status Code: 400, Request ID: "
        assert answer["cause"].startswith("Invalid Token: 'Invalid token'" + suffix)


class TestExecutionTimeout:
    def test_timed_out_execution_is_described_without_error(self, sfn, runtime):
        # AWS-recorded (localstack test_timeouts snapshot, test_global_timeout): DescribeExecution of an
        # execution past its TimeoutSeconds has status TIMED_OUT and no error or cause field.
        machine = create(sfn, "slow", definition({"W": {"Type": "Wait", "Seconds": 60, "End": True}},
                                                 TimeoutSeconds=1), "STANDARD")
        arn = sfn.start_execution(stateMachineArn=machine)["executionArn"]
        assert runtime.wait_for(arn, timeout=10)
        described = sfn.describe_execution(executionArn=arn)
        assert described["status"] == "TIMED_OUT"
        assert "error" not in described and "cause" not in described


class TestJSONataRange:
    def test_range_of_one_number_is_that_number(self, sfn):
        # The docs describe $range as returning an array; AWS's recording (localstack test_array_jsonata,
        # $range(1, 9, 9)) returns the number 1 itself: the recording wins.
        answer = _run(sfn, {"R": {"QueryLanguage": "JSONata", "Type": "Pass",
                                  "Output": {"one": "{% $range(1, 9, 9) %}", "two": "{% $range(1, 3, 2) %}"},
                                  "End": True}})
        assert json.loads(answer["output"]) == {"one": 1, "two": [1, 3]}
