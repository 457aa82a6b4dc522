"""The MockConfigFile as Step Functions Local defines it: parsing, clear errors, reload, counting."""
from __future__ import annotations

import json
import os
import threading

import pytest

from stepfunctions_local.exceptions import StatesError
from stepfunctions_local.mocking import (
    MockConfigError,
    MockConfigFile,
    MockedReturn,
    MockedThrow,
    StaticMockConfig,
    UnknownTestCase,
    parse_mock_config,
    start_test_case,
)

# The example of the Step Functions Local guide ("Configuration file for mocked service integrations").
AWS_GUIDE_EXAMPLE = {
    "StateMachines": {"LambdaSQSIntegration": {"TestCases": {
        "HappyPath": {"LambdaState": "MockedLambdaSuccess", "SQSState": "MockedSQSSuccess"},
        "RetryPath": {"LambdaState": "MockedLambdaRetry", "SQSState": "MockedSQSSuccess"},
        "HybridPath": {"LambdaState": "MockedLambdaSuccess"},
    }}},
    "MockedResponses": {
        "MockedLambdaSuccess": {"0": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200,
                                                                                  "body": "Hello from Lambda!"}}}},
        "LambdaMockedResourceNotReady": {"0": {"Throw": {"Error": "Lambda.ResourceNotReadyException",
                                                         "Cause": "Lambda resource is not ready."}}},
        "MockedSQSSuccess": {"0": {"Return": {"MD5OfMessageBody": "3bcb6e8e-7h85-4375-b0bc-1a59812c6e51",
                                              "MessageId": "3bcb6e8e-8b51-4375-b0bc-1a59812c6e51"}}},
        "MockedLambdaRetry": {
            "0": {"Throw": {"Error": "Lambda.ResourceNotReadyException", "Cause": "Lambda resource is not ready."}},
            "1-2": {"Throw": {"Error": "Lambda.TimeoutException", "Cause": "Lambda timed out."}},
            "3": {"Return": {"StatusCode": 200, "Payload": {"StatusCode": 200, "body": "Hello from Lambda!"}}},
        },
    },
}


def broken(**changes) -> dict:
    document = json.loads(json.dumps(AWS_GUIDE_EXAMPLE))
    for path, value in changes.items():
        node = document
        *parents, last = path.split("/")
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return document


class TestParsing:
    def test_the_aws_guide_example_is_read_as_written(self):
        # WHEN the guide's own file is parsed
        config = parse_mock_config(AWS_GUIDE_EXAMPLE)
        # THEN each invocation number finds its answer, ranges inclusive
        retry = config.responses["MockedLambdaRetry"]
        assert retry.at(0) == MockedThrow("Lambda.ResourceNotReadyException", "Lambda resource is not ready.")
        assert retry.at(1) == retry.at(2) == MockedThrow("Lambda.TimeoutException", "Lambda timed out.")
        assert isinstance(retry.at(3), MockedReturn) and retry.at(3).value["StatusCode"] == 200
        assert retry.at(4) is None
        assert config.test_case("LambdaSQSIntegration", "HybridPath") == {"LambdaState": "MockedLambdaSuccess"}

    def test_return_may_be_any_json_value(self):
        config = parse_mock_config({"StateMachines": {}, "MockedResponses": {"R": {"0": {"Return": [1, "two"]}}}})
        assert config.responses["R"].at(0) == MockedReturn([1, "two"])

    @pytest.mark.parametrize(("document", "location", "reason"), [
        ([], "(top level)", "must be a JSON object, not an array"),
        (broken(MockedResponses=None), "MockedResponses", "required field is missing"),
        (broken(MockedResponse={}), "MockedResponse", "unknown field"),
        (broken(**{"StateMachines/LambdaSQSIntegration/TestCases": None}), "StateMachines.LambdaSQSIntegration"
         ".TestCases", "required field is missing"),
        (broken(**{"StateMachines/LambdaSQSIntegration/TestCases/HappyPath/LambdaState": 3}),
         "StateMachines.LambdaSQSIntegration.TestCases.HappyPath.LambdaState", "must be a non-empty string"),
        (broken(**{"MockedResponses/MockedLambdaRetry/one": {"Return": 1}}),
         'MockedResponses.MockedLambdaRetry.one', "zero-based number"),
        (broken(**{"MockedResponses/MockedLambdaRetry/5-4": {"Return": 1}}),
         'MockedResponses.MockedLambdaRetry."5-4"', "range ends (4) before it starts (5)"),
        (broken(**{"MockedResponses/MockedLambdaRetry/2-3": {"Return": 1}}),
         'MockedResponses.MockedLambdaRetry."2-3"', 'overlap with "1-2"'),
        (broken(**{"MockedResponses/MockedSQSSuccess/0": {"Return": 1, "Throw": {"Error": "E", "Cause": "C"}}}),
         'MockedResponses.MockedSQSSuccess.0', "exactly one field, Return or Throw"),
        (broken(**{"MockedResponses/MockedSQSSuccess/0": {"Throw": {"Error": "E"}}}),
         'MockedResponses.MockedSQSSuccess.0.Throw.Cause', "required field is missing"),
        (broken(**{"MockedResponses/MockedSQSSuccess/0": {"Throw": {"Error": 5, "Cause": "C"}}}),
         'MockedResponses.MockedSQSSuccess.0.Throw.Error', "must be a string, not a number"),
    ])
    def test_a_malformed_file_names_the_key_and_why(self, document, location, reason):
        # WHEN a file that can never work is parsed
        with pytest.raises(MockConfigError) as raised:
            parse_mock_config(document, "MockConfigFile.json")
        # THEN the message names the file, the key path and the reason
        message = str(raised.value)
        assert message.startswith(f"MockConfigFile.json: {location}: "), message
        assert reason in message

    def test_an_empty_or_unused_response_is_accepted_as_step_functions_local_does(self):
        # GIVEN a response no state names, and one with no invocations at all
        document = broken(**{"MockedResponses/Unused": {}})
        # WHEN parsed THEN nothing is refused up front
        assert parse_mock_config(document).responses["Unused"].at(0) is None


class TestFile:
    def test_an_edited_file_is_used_by_the_next_load(self, tmp_path):
        # GIVEN a mock file in use
        path = tmp_path / "MockConfigFile.json"
        path.write_text(json.dumps(AWS_GUIDE_EXAMPLE))
        source = MockConfigFile(path)
        assert "HybridPath" in source.load().test_cases["LambdaSQSIntegration"]
        # WHEN it is edited (another test case; its mtime moves on)
        edited = broken(**{"StateMachines/LambdaSQSIntegration/TestCases/HybridPath": None})
        path.write_text(json.dumps(edited))
        os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
        # THEN the next load sees the edit, without a new source object
        assert "HybridPath" not in source.load().test_cases["LambdaSQSIntegration"]

    def test_broken_json_says_where(self, tmp_path):
        path = tmp_path / "mock.json"
        path.write_text('{"StateMachines": {,}')
        with pytest.raises(MockConfigError, match=r"mock\.json: \(top level\): not valid JSON \(.*line 1"):
            MockConfigFile(path).load()

    def test_a_missing_file_says_so(self, tmp_path):
        with pytest.raises(MockConfigError, match="cannot be read"):
            MockConfigFile(tmp_path / "absent.json").load()


class TestCases:
    @pytest.mark.parametrize(("machine", "case", "why"), [
        ("LambdaSQSIntegration", "NoSuchCase", "TestCases has no 'NoSuchCase'"),
        ("OtherMachine", "HappyPath", "StateMachines has no 'OtherMachine'"),
    ])
    def test_an_unknown_test_case_is_refused_before_the_execution_starts(self, machine, case, why):
        with pytest.raises(UnknownTestCase) as raised:
            start_test_case(StaticMockConfig(AWS_GUIDE_EXAMPLE), machine, case)
        assert raised.value.message.startswith(f"Invalid mock test case name '{case}' for state machine '{machine}'")
        assert why in raised.value.message

    def test_a_test_case_without_any_configuration_is_refused(self):
        with pytest.raises(UnknownTestCase, match="no mock configuration is loaded"):
            start_test_case(None, "flow", "HappyPath")

    def test_every_retry_is_an_invocation_counted_per_state(self):
        # GIVEN the guide's RetryPath
        run = start_test_case(StaticMockConfig(AWS_GUIDE_EXAMPLE), "LambdaSQSIntegration", "RetryPath")
        # WHEN LambdaState is invoked four times and SQSState once
        answers = [run.answer("LambdaState") for _ in range(4)]
        # THEN invocations 0..3 take "0", "1-2", "1-2", "3"; SQSState starts at its own 0
        assert [type(a).__name__ for a in answers] == ["MockedThrow", "MockedThrow", "MockedThrow", "MockedReturn"]
        assert answers[1].error == "Lambda.TimeoutException"
        assert run.answer("SQSState").value["MessageId"].startswith("3bcb6e8e")
        assert run.invocations == {"LambdaState": 4, "SQSState": 1}

    def test_states_the_case_does_not_name_call_their_real_resource(self):
        run = start_test_case(StaticMockConfig(AWS_GUIDE_EXAMPLE), "LambdaSQSIntegration", "HybridPath")
        assert run.answer("SQSState") is None

    def test_an_invocation_without_an_answer_fails_with_states_runtime(self):
        # GIVEN HappyPath answers LambdaState's invocation 0 only
        run = start_test_case(StaticMockConfig(AWS_GUIDE_EXAMPLE), "LambdaSQSIntegration", "HappyPath")
        run.answer("LambdaState")
        # WHEN it is invoked a second time THEN the execution fails, unretryable, naming the invocation
        with pytest.raises(StatesError) as raised:
            run.answer("LambdaState")
        assert raised.value.error == "States.Runtime"
        assert "no answer for invocation 1 of state 'LambdaState'" in raised.value.cause

    def test_a_response_name_missing_from_the_file_fails_when_the_state_runs(self):
        document = broken(**{"StateMachines/LambdaSQSIntegration/TestCases/HappyPath/SQSState": "Typo"})
        run = start_test_case(StaticMockConfig(document), "LambdaSQSIntegration", "HappyPath")
        with pytest.raises(StatesError, match="'Typo', which MockedResponses does not define"):
            run.answer("SQSState")

    def test_concurrent_invocations_each_take_their_own_number(self):
        # GIVEN a response with 50 numbered answers, called from 50 threads (Map iterations)
        responses = {str(n): {"Return": n} for n in range(50)}
        config = {"StateMachines": {"m": {"TestCases": {"c": {"S": "R"}}}}, "MockedResponses": {"R": responses}}
        run = start_test_case(StaticMockConfig(config), "m", "c")
        seen: list[int] = []
        threads = [threading.Thread(target=lambda: seen.append(run.answer("S").value)) for _ in range(50)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        # THEN no number is handed out twice
        assert sorted(seen) == list(range(50))
