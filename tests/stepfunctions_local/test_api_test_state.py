"""TestState in its November 2025 shape; expected answers copied from AWS's recordings where they exist
(localstack's AWS-validated test_test_state_scenarios / test_test_state_mock_scenarios snapshots)."""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import stepfunctions_local

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


MAP = {"Type": "Map", "ItemsPath": "$.Values", "ToleratedFailureCount": 1,
       "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
       "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "HandleThreshold"}], "End": True}
VALUES = {"Values": ["first", "second", "third"]}
PARALLEL = {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}],
            "End": True}


class TestTestStateMapAndParallel:
    """Messages and shapes AWS recorded (localstack test_state_mock_validation / test_state_configuration)."""

    def test_map_without_mock_is_an_invalid_definition(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(MAP), input=json.dumps(VALUES))
        assert _code(raised) == "InvalidDefinition"
        assert raised.value.response["Error"]["Message"] == (
            "TestState API does not support Map or Parallel states. Supported state types include: "
            "[Task, Wait, Pass, Succeed, Fail, Choice]")

    def test_mocked_map_shows_its_own_inspection_fields(self, sfn):
        answer = _test(sfn, MAP, VALUES, mock={"result": "[1, 1, 1]"}, inspectionLevel="DEBUG")
        assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", [1, 1, 1])
        data = answer["inspectionData"]
        assert (data["afterItemsPath"], data["maxConcurrency"], data["toleratedFailureCount"]) == (
            '["first", "second", "third"]', 0, 1)

    def test_iteration_failures_over_the_tolerance_are_caught(self, sfn):
        answer = _test(sfn, MAP, VALUES, mock={"result": "[1, 1, 1]"},
                       stateConfiguration={"mapIterationFailureCount": 2})
        assert (answer["status"], answer["nextState"], answer["error"]) == (
            "CAUGHT_ERROR", "HandleThreshold", "States.ExceedToleratedFailureThreshold")
        assert answer["cause"] == "The specified tolerated failure threshold was exceeded"

    def test_map_mock_result_must_be_an_array(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(MAP), input=json.dumps(VALUES), mock={"result": "{}"})
        assert raised.value.response["Error"]["Message"] == "Mocked result must be an array."

    def test_parallel_mock_result_needs_one_item_per_branch(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(PARALLEL), mock={"result": "[1, 2]"})
        assert raised.value.response["Error"]["Message"] == (
            "Mocked result must contain the same number of items as number of Parallel branches.")

    @pytest.mark.parametrize("state_type", ["Pass", "Succeed"])
    def test_states_without_work_refuse_a_mock(self, sfn, state_type):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps({"Type": state_type, "End": True} if state_type == "Pass"
                                                 else {"Type": state_type}), mock={"result": "{}"})
        assert raised.value.response["Error"]["Message"] == (
            f"State type '{state_type}' is not supported when a mock is specified")

    def test_both_mock_outcomes_are_refused_with_aws_message(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(LAMBDA_TASK),
                           mock={"result": "{}", "errorOutput": {"error": "E"}})
        assert raised.value.response["Error"]["Message"] == (
            "A test mock should have only one of the following fields: [result, errorOutput].")

    def test_reveal_secrets_with_a_mock_is_refused(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(LAMBDA_TASK), mock={"result": "{}"}, revealSecrets=True)
        assert raised.value.response["Error"]["Message"] == (
            "TestState does not support RevealSecrets when a mock is specified.")

    def test_context_object_is_an_express_execution_without_redrive_count(self, sfn):
        # AWS-recorded (test_state_configuration): Execution has Id, Input, Name, RoleArn, StartTime
        state = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}, "End": True}
        answer = sfn.test_state(definition=json.dumps(state), input='{"a": 1}',
                                roleArn="arn:aws:iam::000000000000:role/tester")
        execution = json.loads(answer["output"])["ctx"]["Execution"]
        assert set(execution) == {"Id", "Input", "Name", "RoleArn", "StartTime"}
        assert ":express:" in execution["Id"] and execution["Input"] == {"a": 1}


class TestMockFieldValidation:
    """fieldValidationMode, with the messages AWS recorded (localstack test_field_validation_mode snapshot)."""

    @pytest.mark.parametrize(("resource", "result", "message"), [
        ("arn:aws:states:::events:putEvents", {"Entries": {}}, "Field 'Entries' must be an array"),
        ("arn:aws:states:::events:putEvents", {"Entries": [{"EventId": "a"}, {"EventId": 1}]},
         "Field 'EventId' must be a string"),
        ("arn:aws:states:::states:startExecution", {"executionArn": "x", "startDate": "y"},
         "Required field 'ExecutionArn' is missing"),
        ("arn:aws:states:::states:startExecution", {"ExecutionArn": "x", "StartDate": True},
         "Field 'StartDate' must be a string"),
        ("arn:aws:states:::lambda:invoke", {"StatusCode": "200"}, "Field 'StatusCode' must be a number"),
        ("arn:aws:states:::dynamodb:putItem", {"ConsumedCapacity": {"CapacityUnits": "1"}},
         "Field 'CapacityUnits' must be a number"),
        ("arn:aws:states:::aws-sdk:s3:getObject", {"StorageClass": "NOPE"},
         "Field 'StorageClass' is not an expected value"),
        ("arn:aws:states:::aws-sdk:kms:encrypt", {"CiphertextBlob": ""},
         "Field 'CiphertextBlob' is smaller than the minimum length"),
        ("arn:aws:states:::aws-sdk:lambda:getFunction", {"Configuration": {"MemorySize": 100000}},
         "Field 'MemorySize' exceeds the maximum value"),
    ])
    def test_strict_mode_refuses_results_that_do_not_fit_the_api(self, sfn, resource, result, message):
        state = {"Type": "Task", "Resource": resource, "End": True}
        with pytest.raises(ClientError) as raised:
            sfn.test_state(definition=json.dumps(state), mock={"result": json.dumps(result)})
        assert _code(raised) == "ValidationException"
        assert raised.value.response["Error"]["Message"] == f"Mock result schema validation error: {message}"

    def test_strict_mode_allows_members_the_api_does_not_have(self, sfn):
        answer = _test(sfn, {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True},
                       mock={"result": '{"random": "json"}'})
        assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"random": "json"})

    @pytest.mark.parametrize("mode", ["PRESENT", "NONE"])
    def test_present_and_none_do_not_require_members(self, sfn, mode):
        state = {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution", "End": True}
        answer = _test(sfn, state, mock={"result": '{"random": 1}', "fieldValidationMode": mode})
        assert answer["status"] == "SUCCEEDED"


def test_wait_state_answers_at_once():
    # GIVEN a Wait state of a day, and a Runtime on the real clock
    real = stepfunctions_local.Runtime().client()
    answer = real.test_state(definition=json.dumps({"Type": "Wait", "Seconds": 86400, "Next": "After"}),
                             input='{"a": 1}')
    # THEN TestState answers without waiting, with the state's output and next state
    assert (answer["status"], answer["nextState"], json.loads(answer["output"])) == ("SUCCEEDED", "After", {"a": 1})


def test_jsonata_map_inspection_shows_input_and_limits(sfn):
    # AWS-recorded (test_base_map_state_inspect[TOLERATED_FAILURE_COUNT-DEBUG]): input, maxConcurrency and the limit
    state = {"Type": "Map", "QueryLanguage": "JSONata", "Items": "{% $states.input.Values %}",
             "ToleratedFailureCount": 1, "End": True,
             "Output": "{% {'input': $states.input, 'result': $states.result} %}",
             "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
    answer = _test(sfn, state, {"Values": [1, 2, 3]}, mock={"result": "[1, 1, 1]"}, inspectionLevel="DEBUG")
    assert _decoded(answer) == {"input": {"Values": [1, 2, 3]}, "maxConcurrency": 0, "toleratedFailureCount": 1}
    assert json.loads(answer["output"]) == {"input": {"Values": [1, 2, 3]}, "result": [1, 1, 1]}


def test_state_name_may_name_a_state_inside_a_map(sfn):
    # AWS-recorded (test_base_state_name[INFO-BASE_MAP_STATE_MACHINE]): "HandleItem" inside the Map's processor
    machine = {"StartAt": "Each", "States": {"Each": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "HandleItem", "States": {"HandleItem": {"Type": "Pass", "End": True}}}}}}
    answer = sfn.test_state(definition=json.dumps(machine), stateName="HandleItem", input='{"Value": "HelloWorld"}')
    assert (answer["status"], json.loads(answer["output"])) == ("SUCCEEDED", {"Value": "HelloWorld"})


def test_unknown_state_name_in_aws_words(sfn):
    machine = {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}
    with pytest.raises(ClientError) as raised:
        sfn.test_state(definition=json.dumps(machine), stateName="dne")
    assert raised.value.response["Error"]["Message"] == "State not found in definition"


@pytest.mark.parametrize("resource", ["arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                                      "arn:aws:states:::states:startExecution.sync",
                                      "arn:aws:states:us-east-1:000000000000:activity:work"])
def test_callback_sync_and_activity_tasks_need_a_mock(sfn, resource):
    # The API reference: supported only when a mock is specified
    state = {"Type": "Task", "Resource": resource, "End": True}
    with pytest.raises(ClientError) as raised:
        sfn.test_state(definition=json.dumps(state))
    assert _code(raised) == "InvalidDefinition"
    answer = _test(sfn, state, mock={"result": "{}", "fieldValidationMode": "NONE"})
    assert answer["status"] == "SUCCEEDED"
