"""TestState in its November 2025 shape; expected answers copied from AWS's recordings where they exist
(localstack's AWS-validated test_test_state_scenarios / test_test_state_mock_scenarios snapshots)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

IO_PASS = {"Type": "Pass", "InputPath": "$.initialData", "ResultPath": "$.modifiedData",
           "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"}, "End": True}
IO_INPUT = {"initialData": {"fieldFromInput": "value from input", "otherField": "other"},
            "unrelatedData": {"someOtherField": 1234}}
LAMBDA_TASK = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
               "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True}


def _test(sfn, state: dict, value: object = None, **extra) -> dict:
    answer = sfn.test_state(definition=json.dumps(state), input=json.dumps(value if value is not None else {}),
                            **extra)
    answer.pop("ResponseMetadata")
    return answer


def _decoded(answer: dict) -> dict:
    data = answer.get("inspectionData", {})
    return {key: json.loads(value) if isinstance(value, str) else value for key, value in data.items()}


def _code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


class TestTestState:
    def test_info_answers_output_only(self, sfn):
        # AWS-recorded: IO_PASS_STATE at INFO
        answer = _test(sfn, IO_PASS, IO_INPUT)
        assert answer["status"] == "SUCCEEDED" and "inspectionData" not in answer
        assert json.loads(answer["output"]) == {**IO_INPUT, "modifiedData": {"staticValue": "some value",
                                                                             "inputValue": "value from input"}}

    def test_debug_shows_each_data_flow_step(self, sfn):
        # AWS-recorded: IO_PASS_STATE at DEBUG
        data = _decoded(_test(sfn, IO_PASS, IO_INPUT, inspectionLevel="DEBUG"))
        modified = {"staticValue": "some value", "inputValue": "value from input"}
        assert data == {"input": IO_INPUT, "afterInputPath": IO_INPUT["initialData"], "afterParameters": modified,
                        "afterResultSelector": modified, "afterResultPath": {**IO_INPUT, "modifiedData": modified}}

    def test_pass_result_shows_result_not_input_path(self, sfn):
        # AWS-recorded: BASE_RESULT_PASS_STATE at TRACE
        state = {"Type": "Pass", "Result": {"resultKey": "result value"}, "End": True}
        data = _decoded(_test(sfn, state, {"Value": "HelloWorld"}, inspectionLevel="TRACE"))
        assert data == {"input": {"Value": "HelloWorld"}, "result": {"resultKey": "result value"},
                        "afterResultSelector": {"resultKey": "result value"},
                        "afterResultPath": {"resultKey": "result value"}}

    def test_fail_state_answers_failed(self, sfn):
        # AWS-recorded: BASE_FAIL_STATE
        state = {"Type": "Fail", "Error": "SomeFailure", "Cause": "This state machines raises a 'SomeFailure' failure."}
        answer = _test(sfn, state, {"Value": "HelloWorld"})
        assert (answer["status"], answer["error"], answer["cause"]) == (
            "FAILED", "SomeFailure", "This state machines raises a 'SomeFailure' failure.")

    def test_choice_answers_next_state(self, sfn):
        state = {"Type": "Choice", "Choices": [{"Variable": "$.value", "NumericGreaterThan": 20,
                                                "Next": "ValueInTwenties"}], "Default": "Other"}
        answer = _test(sfn, state, {"type": "Private", "value": 22})
        assert (answer["status"], answer["nextState"]) == ("SUCCEEDED", "ValueInTwenties")

    def test_mock_result_replaces_the_task(self, sfn):
        # AWS-recorded: test_base_lambda_service_task_mock_success
        mocked = {"Payload": "function output", "SdkHttpMetadata": {"HttpStatusCode": 200}}
        answer = _test(sfn, LAMBDA_TASK, {}, mock={"result": json.dumps(mocked)})
        assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", mocked)

    def test_mock_error_with_retrier_is_retriable(self, sfn):
        state = {**LAMBDA_TASK, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}]}
        answer = _test(sfn, state, mock={"errorOutput": {"error": "Boom", "cause": "why"}}, inspectionLevel="DEBUG")
        assert (answer["status"], answer["error"], answer["cause"]) == ("RETRIABLE", "Boom", "why")
        assert _decoded(answer)["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 1}

    def test_exhausted_retrier_then_catcher_is_caught_error(self, sfn):
        state = {**LAMBDA_TASK, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}],
                 "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]}
        answer = _test(sfn, state, mock={"errorOutput": {"error": "Boom", "cause": "why"}},
                       stateConfiguration={"retrierRetryCount": 2})
        assert (answer["status"], answer["nextState"]) == ("CAUGHT_ERROR", "Handler")
        assert json.loads(answer["output"]) == {"Error": "Boom", "Cause": "why"}

    def test_state_of_a_whole_machine_with_variables(self, sfn, runtime):
        # GIVEN a machine, a state in it, and variables it reads
        machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                              "B": {"Type": "Pass", "Parameters": {"seen.$": "$who"}, "End": True}}}
        answer = sfn.test_state(definition=json.dumps(machine), stateName="B", variables='{"who": "me"}')
        assert json.loads(answer["output"]) == {"seen": "me"}

    def test_real_task_runs_without_mock_and_role(self, sfn, runtime):
        runtime.register_lambda("f", lambda event, context: {"got": event})
        answer = _test(sfn, LAMBDA_TASK, {"a": 1})
        assert json.loads(answer["output"])["Payload"] == {"got": {"a": 1}}

    def test_invalid_definition(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition='{"Type": "Nope"}')
        assert _code(raised) == "InvalidDefinition"

    def test_invalid_input(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(IO_PASS), input="{")
        assert _code(raised) == "InvalidExecutionInput"

    def test_invalid_role_arn(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(IO_PASS), roleArn="role")
        assert _code(raised) == "InvalidArn"

    @pytest.mark.parametrize("extra", [
        {"stateName": "Missing"},
        {"variables": "[1]"},
        {"mock": {"result": "{}", "errorOutput": {"error": "E"}}},
        {"mock": {"result": "not json"}},
    ])
    def test_validation_errors(self, sfn, extra):
        state = LAMBDA_TASK if "mock" in extra else IO_PASS
        definition = json.dumps({"StartAt": "A", "States": {"A": state}}) if "stateName" in extra else json.dumps(state)
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=definition, **extra)
        assert _code(raised) == "ValidationException"

    def test_mock_on_a_pass_state_is_refused(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(IO_PASS), mock={"result": "{}"})
        assert _code(raised) == "ValidationException"
