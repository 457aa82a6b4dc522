"""Each state type: Pass, Task, Choice, Wait, Succeed, Fail, Parallel and Map (inline)."""
from __future__ import annotations

from stepfunctions_local.clock import ManualClock
from stepfunctions_local.exceptions import StatesError

from .interpreter_support import LAMBDA_ARN, FakeTasks, History, failing, run, single


def pass_through(states: dict, start: str) -> dict:
    return {"StartAt": start, "States": states}


class TestTaskAndChoice:
    def test_task_receives_parameters_context_and_no_timeout(self):
        tasks = FakeTasks()
        run(single({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": LAMBDA_ARN, "Payload.$": "$"}}), {"m": 1}, tasks=tasks)
        call = tasks.calls[0]
        assert call["resource"] == "arn:aws:states:::lambda:invoke"
        assert call["parameters"] == {"FunctionName": LAMBDA_ARN, "Payload": {"m": 1}}
        assert call["context"]["State"]["Name"] == "S"
        assert call["timeout"] is None

    def test_choice_follows_the_first_matching_rule_or_default(self):
        definition = pass_through({
            "C": {"Type": "Choice", "Default": "Other", "Choices": [
                {"Variable": "$.kind", "StringEquals": "a", "Next": "A"},
                {"And": [{"Variable": "$.n", "IsPresent": True}, {"Variable": "$.n", "NumericGreaterThan": 3}],
                 "Next": "Big"}]},
            "A": {"Type": "Pass", "Result": "a", "End": True},
            "Big": {"Type": "Pass", "Result": "big", "End": True},
            "Other": {"Type": "Pass", "Result": "other", "End": True}}, "C")
        assert run(definition, {"kind": "a"}).output == "a"
        assert run(definition, {"kind": "b", "n": 5}).output == "big"
        assert run(definition, {"kind": "b", "n": 1}).output == "other"

    def test_choice_on_a_missing_variable_fails_with_states_runtime(self):
        definition = pass_through({
            "C": {"Type": "Choice", "Default": "D", "Choices": [{"Variable": "$.kind", "StringEquals": "a",
                                                                  "Next": "D"}]},
            "D": {"Type": "Succeed"}}, "C")
        result = run(definition, {})
        assert (result.status, result.error) == ("FAILED", "States.Runtime")
        assert result.cause == ("An error occurred while executing the state 'C' (entered at the event id #2). "
                                "Invalid path '$.kind': The choice state's condition path references an invalid value.")

    def test_intrinsic_failure_names_the_state_like_aws(self):
        result = run(single({"Type": "Pass", "Parameters": {"x.$": "States.ArrayGetItem($.a, 5)"}}), {"a": [1]})
        assert (result.error, result.cause) == (
            "States.IntrinsicFailure", "An error occurred while executing the state 'S' (entered at the event id "
            "#2). Invalid arguments in States.ArrayGetItem: the index 5 is out of bounds for an array of length 1")

    def test_choice_without_match_or_default_fails(self):
        definition = pass_through({
            "C": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "D"}]},
            "D": {"Type": "Succeed"}}, "C")
        result = run(definition, {"n": 2})
        assert (result.status, result.error, result.cause) == ("FAILED", "States.NoChoiceMatched", "No Matches!")


class TestWait:
    def test_seconds_waits_through_the_clock(self):
        clock = ManualClock()
        result = run(single({"Type": "Wait", "Seconds": 10}), {"a": 1}, clock=clock)
        assert (result.output, clock.sleeps) == ({"a": 1}, [10.0])

    def test_timestamp_path_waits_until_that_moment(self):
        clock = ManualClock(start=1_700_000_000.0)  # 2023-11-14T22:13:20Z
        run(single({"Type": "Wait", "TimestampPath": "$.at"}), {"at": "2023-11-14T22:14:00Z"}, clock=clock)
        assert clock.sleeps == [40.0]

    def test_past_timestamp_does_not_wait(self):
        clock = ManualClock(start=1_700_000_000.0)
        run(single({"Type": "Wait", "Timestamp": "2020-01-01T00:00:00Z"}), clock=clock)
        assert clock.sleeps == [0.0]

    def test_bad_timestamp_path_names_the_path_and_the_raw_value(self):
        result = run(single({"Type": "Wait", "TimestampPath": "$.t"}), {"t": "2016-12-05 21:29:29Z"})
        assert (result.error, result.cause) == (
            "States.Runtime", "An error occurred while executing the state 'S' (entered at the event id #2). The "
            "TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: "
            "$.t == 2016-12-05 21:29:29Z")

    def test_seconds_path_must_be_a_whole_number(self):
        result = run(single({"Type": "Wait", "SecondsPath": "$.s"}), {"s": "soon"})
        assert (result.error, result.cause) == (
            "States.Runtime", "An error occurred while executing the state 'S' (entered at the event id #2). "
            "The SecondsPath parameter cannot be parsed as a long value: $.s == soon")

    def test_seconds_path_must_not_be_negative(self):
        result = run(single({"Type": "Wait", "SecondsPath": "$.s"}), {"s": -1})
        assert result.cause.endswith("The SecondsPath parameter references a negative value: $.s == -1")

    def test_jsonata_timestamp_names_the_expression(self):
        state = {"Type": "Wait", "Timestamp": "{% $states.input.t %}"}
        result = run(single(state, QueryLanguage="JSONata"), {"t": "tomorrow"})
        assert result.cause.endswith("The Timestamp parameter does not reference a valid ISO-8601 extended offset "
                                     "date-time format string: {% $states.input.t %} == tomorrow")


class TestSucceedAndFail:
    def test_succeed_applies_paths(self):
        assert run(single({"Type": "Succeed", "OutputPath": "$.keep"}), {"keep": 1, "drop": 2}).output == 1

    def test_fail_with_error_and_cause(self):
        result = run(single({"Type": "Fail", "Error": "Bad.Input", "Cause": "missing message"}))
        assert (result.status, result.error, result.cause) == ("FAILED", "Bad.Input", "missing message")

    def test_fail_with_paths_and_intrinsic(self):
        state = {"Type": "Fail", "ErrorPath": "$.code", "CausePath": "States.Format('bad {}', $.what)"}
        result = run(single(state), {"code": "E1", "what": "thing"})
        assert (result.error, result.cause) == ("E1", "bad thing")


class TestParallel:
    def test_branch_outputs_are_collected_in_order(self):
        # GIVEN two branches, the first one slower (a Wait)
        state = {"Type": "Parallel", "Branches": [
            {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "Next": "A"},
                                        "A": {"Type": "Pass", "Result": "first", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "InputPath": "$.v", "End": True}}}],
            "ResultPath": "$.results"}
        # WHEN it runs
        result = run(single(state), {"v": 2})
        # THEN results are in branch order, merged with ResultPath
        assert result.output == {"v": 2, "results": ["first", 2]}

    def test_a_failing_branch_fails_the_state_with_its_error(self):
        state = {"Type": "Parallel", "Branches": [
            {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch.Broke", "Cause": "x"}}},
            {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]}
        result = run(single(state))
        assert (result.error, result.cause) == ("Branch.Broke", "x")

    def test_branch_failure_can_be_caught(self):
        definition = pass_through({
            "Par": {"Type": "Parallel", "End": True, "Branches": [
                {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Branch.Broke"}}}],
                    "Catch": [{"ErrorEquals": ["Branch.Broke"], "ResultPath": "$.err", "Next": "Ok"}]},
            "Ok": {"Type": "Succeed"}}, "Par")
        assert run(definition, {"a": 1}).output == {"a": 1, "err": {"Error": "Branch.Broke", "Cause": ""}}

    def test_branch_events_chain_from_parallel_state_started(self):
        # GIVEN a Parallel state with two one-state branches (their events may interleave)
        history = History()
        state = {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": True}}}]}
        # WHEN it runs with a history
        run(single(state), {}, history=history)
        # THEN each branch's first event points at ParallelStateStarted and its next event at that one
        ids = {(kind, (details or {}).get("name")): index + 2
               for index, (kind, _, details) in enumerate(history.events)}
        started = ids[("ParallelStateStarted", None)]
        for name in ("A", "B"):
            entered = ids[("PassStateEntered", name)]
            assert history.previous[entered] == started
            assert history.previous[ids[("PassStateExited", name)]] == entered

    def test_history_has_parallel_events(self):
        history = History()
        state = {"Type": "Parallel", "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}]}
        run(single(state), history=history)
        assert history.types == ["ParallelStateEntered", "ParallelStateStarted", "PassStateEntered",
                                 "PassStateExited", "ParallelStateSucceeded", "ParallelStateExited"]


class TestMap:
    ECHO = {"StartAt": "E", "States": {"E": {"Type": "Pass", "End": True}}}

    def test_items_path_and_item_selector(self):
        state = {"Type": "Map", "ItemsPath": "$.orders", "ItemProcessor": self.ECHO,
                 "ItemSelector": {"order.$": "$$.Map.Item.Value", "index.$": "$$.Map.Item.Index", "who.$": "$.who"}}
        result = run(single(state), {"who": "ana", "orders": ["x", "y"]})
        assert result.output == [{"order": "x", "index": 0, "who": "ana"}, {"order": "y", "index": 1, "who": "ana"}]

    def test_legacy_iterator_and_parameters(self):
        state = {"Type": "Map", "Iterator": self.ECHO, "Parameters": {"v.$": "$$.Map.Item.Value"},
                 "MaxConcurrency": 1}
        assert run(single(state), [1, 2, 3]).output == [{"v": 1}, {"v": 2}, {"v": 3}]

    def test_empty_list_gives_empty_result(self):
        assert run(single({"Type": "Map", "ItemProcessor": self.ECHO}), []).output == []

    def test_non_array_items_fail(self):
        result = run(single({"Type": "Map", "ItemsPath": "$.x", "ItemProcessor": self.ECHO}), {"x": 1})
        assert result.error == "States.Runtime"

    def test_failing_item_fails_the_map(self):
        tasks = FakeTasks(worker=failing(StatesError("Item.Bad", "no")))
        processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}}
        state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1}
        result = run(single(state), [1, 2], tasks=tasks)
        assert (result.error, result.cause) == ("Item.Bad", "no")

    def test_tolerated_failures_keep_the_map_going(self):
        tasks = FakeTasks(worker=failing(StatesError("Item.Bad", "no")))
        processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}}
        state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1, "ToleratedFailureCount": 1}
        result = run(single(state), [1, 2], tasks=tasks)
        assert result.output == [{"Error": "Item.Bad", "Cause": "no"}, 2]

    def test_exceeding_the_tolerated_failure_percentage(self):
        tasks = FakeTasks(worker=failing(StatesError("A"), StatesError("B")))
        processor = {"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True}}}
        state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1, "ToleratedFailurePercentage": 40}
        result = run(single(state), [1, 2, 3, 4], tasks=tasks)
        assert result.error == "States.ExceedToleratedFailureThreshold"

    def test_distributed_map_without_reader_runs_its_items_like_inline(self):
        # GIVEN a Distributed Map (child executions) over an array in the input
        processor = {**self.ECHO, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"}}
        state = {"Type": "Map", "ItemsPath": "$.n", "ItemProcessor": processor, "ToleratedFailureCountPath": "$.t"}
        # WHEN it runs, with a tolerated failure count written as a string
        result = run(single(state), {"n": [1, 2, 3], "t": "1"})
        # THEN every item went through the processor, in order
        assert (result.status, result.output) == ("SUCCEEDED", [1, 2, 3])

    def test_item_batcher_groups_items_with_the_batch_input(self):
        # GIVEN a Distributed Map batching two items per child with a fixed BatchInput taken from the input
        processor = {**self.ECHO, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
        state = {"Type": "Map", "ItemsPath": "$.n", "ItemProcessor": processor,
                 "ItemSelector": {"v.$": "$$.Map.Item.Value"},
                 "ItemBatcher": {"MaxItemsPerBatchPath": "$.size", "BatchInput": {"who.$": "$.who"}}}
        # WHEN five items run
        result = run(single(state), {"n": [1, 2, 3, 4, 5], "size": 2, "who": "ana"})
        # THEN each child got {"BatchInput", "Items"} of at most two selected items
        batch = lambda *values: {"BatchInput": {"who": "ana"}, "Items": [{"v": v} for v in values]}  # noqa: E731
        assert result.output == [batch(1, 2), batch(3, 4), batch(5)]

    def test_item_batcher_respects_the_byte_limit(self):
        processor = {**self.ECHO, "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}}
        state = {"Type": "Map", "ItemProcessor": processor, "ItemBatcher": {"MaxInputBytesPerBatch": 10}}
        assert run(single(state), ["abc", "def", "ghi"]).output == [{"Items": ["abc", "def"]}, {"Items": ["ghi"]}]

    def test_history_has_map_iteration_events(self):
        history = History()
        run(single({"Type": "Map", "ItemProcessor": self.ECHO, "MaxConcurrency": 1}), [7], history=history)
        assert history.types == ["MapStateEntered", "MapStateStarted", "MapIterationStarted", "PassStateEntered",
                                 "PassStateExited", "MapIterationSucceeded", "MapStateSucceeded", "MapStateExited"]
        assert history.events[1][1:] == ("mapStateStartedEventDetails", {"length": 1})
        assert history.events[2][1:] == ("mapIterationStartedEventDetails", {"name": "S", "index": 0})
        # each iteration chains from MapStateStarted (id 3) through its own events
        assert [history.previous[event_id] for event_id in range(4, 8)] == [3, 4, 5, 6]


class TestHistory:
    def test_task_events_carry_aws_details(self):
        history = History()
        tasks = FakeTasks(putItem=lambda p: {"ok": True})
        run(single({"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "TimeoutSeconds": 5,
                    "Parameters": {"TableName": "t"}}), {"a": 1}, tasks=tasks, history=history)
        assert history.types == ["TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited"]
        assert history.events[0][2] == {"name": "S", "input": '{"a":1}', "inputDetails": {"truncated": False}}
        assert history.events[1][2] == {"resourceType": "dynamodb", "resource": "putItem", "region": "us-east-1",
                                        "parameters": '{"TableName":"t"}', "timeoutInSeconds": 5}
        assert history.events[3][2] == {"resourceType": "dynamodb", "resource": "putItem", "output": '{"ok":true}',
                                        "outputDetails": {"truncated": False}}

    def test_sdk_integration_resource_type(self):
        history = History()
        run(single({"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:comprehend:detectSentiment"}),
            history=history)
        assert history.events[1][2]["resourceType"] == "aws-sdk:comprehend"
        assert history.events[1][2]["resource"] == "detectSentiment"

    def test_fail_state_records_only_entered(self):
        history = History()
        run(single({"Type": "Fail", "Error": "E"}), history=history)
        assert history.types == ["FailStateEntered"]


class TestContextObject:
    def test_wait_for_task_token_puts_a_token_in_the_context(self):
        # GIVEN a callback task whose integration answers its own token at once
        tasks = FakeTasks()
        tasks.handlers["sendMessage.waitForTaskToken"] = lambda p: tasks.tokens.succeed(p["MessageBody"]["token"], "ok")
        # WHEN it runs
        result = run(single({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                             "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}}), tasks=tasks)
        # THEN Parameters saw the context's token, and the task's result is what was sent for it
        call = tasks.calls[0]
        assert call["parameters"]["MessageBody"]["token"] == call["context"]["Task"]["Token"]
        assert len(call["context"]["Task"]["Token"]) == 64
        assert result.output == "ok"

    def test_map_item_is_in_the_context_inside_the_iteration(self):
        processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"i.$": "$$.Map.Item.Index"},
                                                      "End": True}}}
        state = {"Type": "Map", "ItemProcessor": processor, "MaxConcurrency": 1}
        assert run(single(state), ["a", "b"]).output == [{"i": 0}, {"i": 1}]
