"""JSONPath input/output processing: InputPath -> Parameters -> ResultSelector -> ResultPath -> OutputPath."""
from __future__ import annotations

import pytest

from stepfunctions_local.exceptions import DefinitionError, Problem

from .interpreter_support import LAMBDA_ARN, FakeTasks, run, single

DOC_INPUT = {"comment": "This is a test", "details": "Default example", "who": "Step Functions"}


class TestResultPathDocumentationExamples:
    """The examples of the developer guide's ResultPath page, with the outputs it gives."""

    def test_default_result_path_replaces_the_input(self):
        # GIVEN a Pass state with a Result and no ResultPath
        # WHEN it runs
        result = run(single({"Type": "Pass", "Result": "Hello, Step Functions!"}), DOC_INPUT)
        # THEN the result is the whole output
        assert result.output == "Hello, Step Functions!"

    def test_null_result_path_keeps_the_input(self):
        result = run(single({"Type": "Pass", "Result": "Hello, Step Functions!", "ResultPath": None}), DOC_INPUT)
        assert result.output == DOC_INPUT

    def test_result_path_places_the_result_inside_the_input(self):
        result = run(single({"Type": "Pass", "Result": "Hello, Step Functions!", "ResultPath": "$.taskresult"}),
                     DOC_INPUT)
        assert result.output == {**DOC_INPUT, "taskresult": "Hello, Step Functions!"}

    def test_result_path_to_an_existing_node_overwrites_it(self):
        result = run(single({"Type": "Pass", "Result": "Hello, Step Functions!", "ResultPath": "$.details"}),
                     DOC_INPUT)
        assert result.output == {**DOC_INPUT, "details": "Hello, Step Functions!"}

    def test_result_path_creates_missing_intermediate_objects(self):
        result = run(single({"Type": "Pass", "Result": 1, "ResultPath": "$.a.b.c"}), {"x": 0})
        assert result.output == {"x": 0, "a": {"b": {"c": 1}}}

    def test_result_path_does_not_change_the_callers_input(self):
        # GIVEN an input object owned by the caller
        original = {"nested": {"keep": True}}
        # WHEN a state writes below it
        run(single({"Type": "Pass", "Result": 1, "ResultPath": "$.nested.added"}), original)
        # THEN the caller's object is untouched
        assert original == {"nested": {"keep": True}}


class TestParametersAndPaths:
    def test_specification_parameters_example(self):
        # GIVEN the Parameters example of the ASL specification (with a Pass state)
        state = {"Type": "Pass", "Parameters": {
            "flagged": True,
            "parts": {"first.$": "$.vals[0]", "last3.$": "$.vals[-3:]"},
            "weekday.$": "$$.Execution.Name",
        }}
        # WHEN it runs on the specification's input
        result = run(single(state), {"flagged": 7, "vals": [0, 10, 20, 30, 40, 50]})
        # THEN static values stay, paths are resolved, slices give arrays
        assert result.output == {"flagged": True, "parts": {"first": 0, "last3": [30, 40, 50]}, "weekday": "run-1"}

    def test_input_path_selects_before_parameters(self):
        state = {"Type": "Pass", "InputPath": "$.order", "Parameters": {"id.$": "$.id", "static": "x"}}
        result = run(single(state), {"order": {"id": 7}, "other": 1})
        assert result.output == {"id": 7, "static": "x"}

    def test_null_input_path_gives_an_empty_object(self):
        result = run(single({"Type": "Pass", "InputPath": None}), {"a": 1})
        assert result.output == {}

    def test_output_path_selects_from_the_combined_output(self):
        state = {"Type": "Pass", "Result": {"v": 1}, "ResultPath": "$.r", "OutputPath": "$.r.v"}
        assert run(single(state), {"a": 1}).output == 1

    def test_result_selector_shapes_the_task_result(self):
        # GIVEN a Task whose result is selected, then placed with ResultPath
        tasks = FakeTasks(worker=lambda p: {"Payload": {"id": "T-1"}, "StatusCode": 200})
        state = {"Type": "Task", "Resource": LAMBDA_ARN, "ResultSelector": {"ticket.$": "$.Payload.id"},
                 "ResultPath": "$.out"}
        # WHEN it runs
        result = run(single(state), {"msg": "hi"}, tasks=tasks)
        # THEN only the selected fields are kept, merged into the input
        assert result.output == {"msg": "hi", "out": {"ticket": "T-1"}}

    def test_filter_and_wildcard_paths_select_lists(self):
        state = {"Type": "Pass", "Parameters": {
            "big.$": "$.items[?(@.n > 1)].n", "all.$": "$.items[*].n", "deep.$": "$..n"}}
        result = run(single(state), {"items": [{"n": 1}, {"n": 2}, {"n": 3}]})
        assert result.output == {"big": [2, 3], "all": [1, 2, 3], "deep": [1, 2, 3]}

    def test_quoted_field_names_are_supported(self):
        state = {"Type": "Pass", "Parameters": {"v.$": "$['odd key'].x"}}
        assert run(single(state), {"odd key": {"x": 5}}).output == {"v": 5}

    def test_context_object_has_state_and_execution_fields(self):
        state = {"Type": "Pass", "Parameters": {"ctx.$": "$$"}}
        ctx = run(single(state), {"a": 1}).output["ctx"]
        # AWS-recorded: a Pass state has no $$.State.RetryCount (only Task, Parallel and Map do)
        assert ctx["State"] == {"EnteredTime": "2023-11-14T22:13:20.000Z", "Name": "S"}
        assert ctx["Execution"]["Name"] == "run-1"
        assert ctx["StateMachine"]["Name"] == "test"

    def test_context_reaches_choice_intrinsics_and_fail_inside_map_iterations(self):
        # GIVEN a Map whose iterations read $$ only through a Choice rule, an intrinsic and a Fail's CausePath
        definition = {"StartAt": "Each", "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "End": True,
            "ItemProcessor": {"StartAt": "Route", "States": {
                "Route": {"Type": "Choice", "Default": "Label", "Choices": [
                    {"Variable": "$$.Map.Item.Index", "NumericGreaterThan": 1, "Next": "Stop"}]},
                "Label": {"Type": "Pass", "End": True,
                          "Parameters": {"label.$": "States.Format('{}-{}', $$.State.Name, $$.Map.Item.Value)"}},
                "Stop": {"Type": "Fail", "Error": "Late", "CausePath": "$$.State.Name"}}}}}}
        # WHEN two items run, then three
        passed = run(definition, {"items": ["a", "b"]})
        failed = run(definition, {"items": ["a", "b", "c"]})
        # THEN each state saw its own $$.State and the iteration's $$.Map
        assert passed.output == [{"label": "Label-a"}, {"label": "Label-b"}]
        assert (failed.status, failed.error, failed.cause) == ("FAILED", "Late", "Stop")

    def test_keys_ending_in_dollar_are_literal_inside_result(self):
        state = {"Type": "Pass", "Result": {"not.$": "$.a"}}
        assert run(single(state), {"a": 1}).output == {"not.$": "$.a"}


class TestPathFailures:
    def test_missing_parameters_path_fails_with_states_runtime(self):
        state = {"Type": "Pass", "Parameters": {"x.$": "$.missing"}}
        result = run(single(state), {"a": 1})
        assert (result.status, result.error) == ("FAILED", "States.Runtime")
        assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                                "The JSONPath '$.missing' specified for the field 'x.$' could not be found in the "
                                "input '{\"a\":1}'")

    def test_missing_input_path_fails_with_states_runtime(self):
        result = run(single({"Type": "Pass", "InputPath": "$.nope"}), {"a": 1})
        assert result.error == "States.Runtime"
        assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                                "Invalid path '$.nope' : No results for path: $['nope']")

    def test_output_path_missing_before_its_last_step_names_the_missing_property(self):
        # GIVEN an OutputPath whose first property is not in the state's output (AWS-recorded wording)
        state = {"Type": "Pass", "OutputPath": "$.no.such.path"}
        # WHEN it runs
        result = run(single(state), {"a": 1})
        # THEN the miss is named where it happened, not at the end of the path
        assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                                "Invalid path '$.no.such.path' : Missing property in path $['no']")

    def test_result_path_into_a_non_object_fails(self):
        result = run(single({"Type": "Pass", "Result": 1, "ResultPath": "$.a.b"}), {"a": "text"})
        assert result.error == "States.ResultPathMatchFailure"
        assert "Unable to apply ReferencePath $.a.b to input" in result.cause

    def test_parameters_value_that_is_not_a_path_is_a_definition_error(self):
        # AWS points at the object holding the field
        with pytest.raises(DefinitionError) as raised:
            run(single({"Type": "Pass", "Parameters": {"x.$": "missing"}}))
        assert str(raised.value) == ("SCHEMA_VALIDATION_FAILED: The value for the field 'x.$' must be a valid JSONPath "
                                     "or a valid intrinsic function call at /States/S/Parameters")

    def test_unknown_intrinsic_keeps_its_detail_in_the_message_and_the_path_in_the_location(self):
        # GIVEN a payload template calling an intrinsic function that does not exist
        # WHEN it is compiled
        with pytest.raises(DefinitionError) as raised:
            run(single({"Type": "Pass", "Parameters": {"a": {"x.$": "States.Frobnicate(1)"}}}))
        # THEN one problem: the parser's detail is part of the message, the location is only the path
        assert raised.value.problems == (Problem(
            "SCHEMA_VALIDATION_FAILED",
            "The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call: "
            "Unknown intrinsic function States.Frobnicate in 'States.Frobnicate(1)'",
            "/States/S/Parameters/a"),)

    def test_result_path_into_the_context_is_a_definition_error(self):
        with pytest.raises(DefinitionError, match="ResultPath"):
            run(single({"Type": "Pass", "ResultPath": "$$.Execution"}))


class TestAwsRecordedPathBehaviour:
    def test_out_of_range_index_in_parameters_is_null(self):
        # AWS resolves "$.items[5]" in a payload template to null instead of failing
        result = run(single({"Type": "Pass", "Parameters": {"idx.$": "$.items[5]"}}), {"items": [1, 2]})
        assert result.output == {"idx": None}

    def test_missing_intrinsic_argument_names_the_whole_call(self):
        state = {"Type": "Pass", "Parameters": {"v.$": "States.Format('{}', $.nope)"}}
        result = run(single(state), {"other": 1})
        assert result.error == "States.Runtime"
        assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                                "The function 'States.Format('{}', $.nope)' had the following error: The JsonPath "
                                "argument for the field '$.nope' could not be found in the input '{\"other\":1}'")

    def test_result_selector_failure_shows_the_result_as_input(self):
        state = {"Type": "Map", "ItemsPath": "$.items", "ResultSelector": {"missing.$": "$.nope"},
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        result = run(single(state), {"items": [1, 2]})
        assert result.cause.endswith("The JSONPath '$.nope' specified for the field 'missing.$' could not be found "
                                     "in the input '[1,2]'")
