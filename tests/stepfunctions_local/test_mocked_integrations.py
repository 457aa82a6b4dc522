"""``stateMachineArn#TestCase`` executions answered from a MockConfigFile, through the API.

Written with the runtime's own pytest plugin (``sfn_local``, ``sfn_client``).
"""
from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from stepfunctions_local.testing import load_definition

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:work"


def task(resource: str = "arn:aws:states:::lambda:invoke", **fields) -> dict:
    parameters = {"FunctionName": LAMBDA, "Payload.$": "$"} if resource.endswith("lambda:invoke") else {}
    return {"Type": "Task", "Resource": resource, "Parameters": parameters, **fields}


def machine(states: dict, start: str | None = None) -> dict:
    return {"StartAt": start or next(iter(states)), "States": states}


def mocks(cases: dict, responses: dict, machine_name: str = "flow") -> dict:
    return {"StateMachines": {machine_name: {"TestCases": cases}}, "MockedResponses": responses}


def returns(value) -> dict:
    return {"Return": value}


def throws(error: str, cause: str = "mocked") -> dict:
    return {"Throw": {"Error": error, "Cause": cause}}


@pytest.fixture
def real_calls(sfn_local) -> list:
    """The real Lambda behind every Task: records its events, answers {"real": true}."""
    calls: list = []
    sfn_local.register({"work": lambda event, context: calls.append(event) or {"real": True}})
    return calls


class TestReturnAndThrow:
    def test_a_return_is_the_raw_response_processed_like_a_real_one(self, sfn_local, real_calls):
        # GIVEN a lambda:invoke task whose ResultSelector picks the Payload
        arn = sfn_local.create("flow", machine({"Call": task(ResultSelector={"got.$": "$.Payload.value"},
                                                              End=True)}))
        sfn_local.mock(mocks({"Happy": {"Call": "R"}}, {"R": {"0": returns({"StatusCode": 200,
                                                                            "Payload": {"value": 42}})}}))
        # WHEN it runs as the test case
        report = sfn_local.run(arn, {}, test_case="Happy")
        # THEN the mocked Invoke response went through ResultSelector, and the real Lambda was not called
        report.assert_succeeded({"got": 42})
        assert real_calls == []

    def test_a_lambda_arn_resource_takes_the_mocked_payload(self, sfn_local, real_calls):
        arn = sfn_local.create("flow", machine({"Call": {"Type": "Task", "Resource": LAMBDA, "End": True}}))
        sfn_local.mock(mocks({"Happy": {"Call": "R"}}, {"R": {"0": returns({"StatusCode": 200,
                                                                            "Payload": {"value": 1}})}}))
        sfn_local.run(arn, {}, test_case="Happy").assert_succeeded({"value": 1})

    def test_a_throw_is_retried_then_caught(self, sfn_local, real_calls):
        # GIVEN a task retried once on Boom, caught on Boom after that
        states = {
            "Call": task(Retry=[{"ErrorEquals": ["Boom"], "MaxAttempts": 1, "IntervalSeconds": 3}],
                         Catch=[{"ErrorEquals": ["Boom"], "ResultPath": "$.failure", "Next": "Recover"}], End=True),
            "Recover": {"Type": "Pass", "End": True},
        }
        arn = sfn_local.create("flow", machine(states), type="STANDARD")
        sfn_local.mock(mocks({"Sad": {"Call": "R"}}, {"R": {"0-1": throws("Boom", "it broke")}}))
        # WHEN it runs
        report = sfn_local.run(arn, {"x": 1}, test_case="Sad")
        # THEN two invocations (one retry) failed and the Catch took over with the mocked error
        report.assert_succeeded({"x": 1, "failure": {"Error": "Boom", "Cause": "it broke"}})
        assert (report.invocations("Call"), report.retries("Call")) == (2, 1)
        report.assert_states_entered("Call", "Recover")
        assert sfn_local.runtime.clock.sleeps == [3]

    def test_states_the_case_does_not_name_call_their_real_resource(self, sfn_local, real_calls):
        arn = sfn_local.create("flow", machine({"First": task(ResultPath="$.first", Next="Second"),
                                                "Second": task(ResultSelector={"second.$": "$.Payload"}, End=True)}))
        sfn_local.mock(mocks({"Hybrid": {"First": "R"}}, {"R": {"0": returns({"Payload": "mocked"})}}))
        report = sfn_local.run(arn, {"in": 1}, test_case="Hybrid")
        report.assert_succeeded({"second": {"real": True}})
        assert real_calls == [{"in": 1, "first": {"Payload": "mocked"}}]

    def test_without_a_test_case_nothing_is_mocked(self, sfn_local, real_calls):
        arn = sfn_local.create("flow", machine({"Call": task(OutputPath="$.Payload", End=True)}))
        sfn_local.mock(mocks({"Happy": {"Call": "R"}}, {"R": {"0": returns({"Payload": "mocked"})}}))
        sfn_local.run(arn, {}).assert_succeeded({"real": True})


class TestCounting:
    def test_map_iterations_share_one_counter_per_state_retries_included(self, sfn_local, real_calls):
        # GIVEN a Map (one at a time) whose task is retried on Boom
        iterator = machine({"Charge": task(OutputPath="$.Payload", End=True,
                                           Retry=[{"ErrorEquals": ["Boom"], "IntervalSeconds": 1}])})
        arn = sfn_local.create("flow", machine({"Each": {"Type": "Map", "MaxConcurrency": 1,
                                                         "ItemProcessor": iterator, "End": True}}),
                               type="STANDARD")
        sfn_local.mock(mocks({"Seq": {"Charge": "R"}}, {"R": {
            "0": returns({"Payload": "a"}), "1": throws("Boom"), "2-3": returns({"Payload": "c"}),
        }}))
        # WHEN three items run
        report = sfn_local.run(arn, [1, 2, 3], test_case="Seq")
        # THEN item 2 took invocation 1 (a throw) and its retry took 2; item 3 went on to 3
        report.assert_succeeded(["a", "c", "c"])
        assert report.invocations("Charge") == 4

    def test_parallel_branches_answer_from_their_own_states(self, sfn_local, real_calls):
        branches = [machine({"Left": task(OutputPath="$.Payload", End=True)}),
                    machine({"Right": task(OutputPath="$.Payload", End=True)})]
        arn = sfn_local.create("flow", machine({"Both": {"Type": "Parallel", "Branches": branches, "End": True}}))
        sfn_local.mock(mocks({"Split": {"Left": "L", "Right": "R"}}, {"L": {"0": returns({"Payload": "left"})},
                                                                       "R": {"0": returns({"Payload": "right"})}}))
        report = sfn_local.run(arn, {}, test_case="Split")
        report.assert_succeeded(["left", "right"])
        assert report.states_entered[0] == "Both"

    def test_an_invocation_the_file_does_not_cover_fails_the_execution(self, sfn_local, real_calls):
        # GIVEN a retried task whose mock answers invocation 0 only
        arn = sfn_local.create("flow", machine({"Call": task(End=True, Retry=[{"ErrorEquals": ["States.ALL"]}])}))
        sfn_local.mock(mocks({"Short": {"Call": "R"}}, {"R": {"0": throws("Boom")}}))
        # WHEN the retry needs invocation 1
        report = sfn_local.run(arn, {}, test_case="Short")
        # THEN the execution fails with States.Runtime (not retried further), naming it
        report.assert_failed("States.Runtime")
        assert "no answer for invocation 1 of state 'Call'" in report.cause
        assert report.invocations("Call") == 2


class TestCallbacks:
    def test_a_wait_for_task_token_task_takes_the_mock_as_its_callback_output(self, sfn_local):
        # GIVEN a Standard machine waiting for a callback after an SQS message
        state = task("arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                     Parameters={"QueueUrl": "https://sqs.us-east-1.amazonaws.com/000000000000/q",
                                 "MessageBody": {"token.$": "$$.Task.Token"}}, End=True)
        arn = sfn_local.create("flow", machine({"Ask": state}), type="STANDARD")
        sfn_local.mock(mocks({"Approved": {"Ask": "R"}}, {"R": {"0": returns({"approved": True})}}))
        # WHEN it runs, nobody sending a token THEN the mocked answer is the task's output
        sfn_local.run(arn, {}, test_case="Approved", timeout=10).assert_succeeded({"approved": True})


class TestStarting:
    def test_start_execution_and_start_sync_execution_both_take_the_suffix(self, sfn_local, sfn_client):
        flow = machine({"Call": task(OutputPath="$.Payload", End=True)})
        express = sfn_local.create("flow", flow)
        standard = sfn_local.create("flow-standard", flow, type="STANDARD")
        config = mocks({"Happy": {"Call": "R"}}, {"R": {"0": returns({"Payload": "mocked"})}})
        config["StateMachines"]["flow-standard"] = config["StateMachines"]["flow"]
        sfn_local.mock(config)
        sync = sfn_client.start_sync_execution(stateMachineArn=f"{express}#Happy", input="{}")
        assert json.loads(sync["output"]) == "mocked"
        started = sfn_client.start_execution(stateMachineArn=f"{standard}#Happy", name="run-1", input="{}")
        assert sfn_local.runtime.wait_for(started["executionArn"], timeout=10)
        # The execution belongs to the machine itself: its ARN carries no test case.
        assert started["executionArn"] == "arn:aws:states:us-east-1:000000000000:execution:flow-standard:run-1"
        assert sfn_local.report(started["executionArn"]).output == "mocked"

    def test_an_unknown_test_case_is_refused_with_invalid_name(self, sfn_local, sfn_client):
        case = "NoSuchCase"
        arn = sfn_local.create("flow", machine({"Done": {"Type": "Pass", "End": True}}))
        sfn_local.mock(mocks({"Happy": {}}, {}))
        with pytest.raises(ClientError) as raised:
            sfn_client.start_sync_execution(stateMachineArn=f"{arn}#{case}", input="{}")
        assert raised.value.response["Error"]["Code"] == "InvalidName"
        assert f"Invalid mock test case name '{case}' for state machine 'flow'" in str(raised.value)

    def test_a_malformed_file_is_refused_naming_the_key(self, sfn_local, sfn_client, tmp_path):
        path = tmp_path / "MockConfigFile.json"
        path.write_text(json.dumps(mocks({"Happy": {"Call": "R"}}, {"R": {"first": returns(1)}})))
        arn = sfn_local.create("flow", machine({"Done": {"Type": "Pass", "End": True}}))
        sfn_local.mock(path)
        with pytest.raises(ClientError, match=r"MockedResponses\.R\.first: invocation key must be"):
            sfn_client.start_sync_execution(stateMachineArn=f"{arn}#Happy", input="{}")

    def test_sfn_mock_config_is_read_when_no_file_was_given(self, sfn_runtime, sfn_client, tmp_path, monkeypatch):
        # GIVEN a plain runtime and the environment variable set afterwards
        path = tmp_path / "env.json"
        path.write_text(json.dumps(mocks({"Happy": {"Call": "R"}}, {"R": {"0": returns({"Payload": "env"})}})))
        arn = sfn_client.create_state_machine(name="flow", type="EXPRESS", roleArn="arn:aws:iam::000000000000:role/r",
                                              definition=json.dumps(machine({"Call": task(OutputPath="$.Payload",
                                                                                          End=True)})))
        monkeypatch.setenv("SFN_MOCK_CONFIG", str(path))
        # WHEN a test case starts THEN the file named there answers
        answer = sfn_client.start_sync_execution(stateMachineArn=f"{arn['stateMachineArn']}#Happy", input="{}")
        assert json.loads(answer["output"]) == "env"


class TestDefinitions:
    def test_load_definition_fills_placeholders_and_names_a_missing_one(self, tmp_path):
        path = tmp_path / "flow.asl.json"
        path.write_text('{"Comment": "${A} and ${B}"}')
        assert json.loads(load_definition(path, {"A": "1", "B": "2"})) == {"Comment": "1 and 2"}
        with pytest.raises(KeyError, match=r"no substitution given for \$\{B\}"):
            load_definition(path, {"A": "1"})
