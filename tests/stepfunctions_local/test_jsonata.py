"""JSONata query language: Arguments, Output, Assign, Condition, Items, {% %} anywhere, errors."""
from __future__ import annotations

import pytest

from stepfunctions_local.exceptions import DefinitionError, Problem, StatesError

from .interpreter_support import LAMBDA_ARN, FakeTasks, failing, run, single


def jsonata(definition: dict) -> dict:
    return {"QueryLanguage": "JSONata", **definition}


class TestJsonataDataFlow:
    def test_arguments_and_output_transform_a_task(self):
        # GIVEN a JSONata Task building its arguments and output from $states
        tasks = FakeTasks(worker=lambda p: {"Payload": {"total": p["a"] + p["b"]}})
        state = {"Type": "Task", "Resource": LAMBDA_ARN,
                 "Arguments": {"a": "{% $states.input.x %}", "b": 2, "label": "sum of {% 1 %}"},
                 "Output": {"total": "{% $states.result.Payload.total %}", "from": "{% $states.input.x %}"}}
        # WHEN it runs
        result = run(jsonata(single(state)), {"x": 40}, tasks=tasks)
        # THEN the task got evaluated arguments (a string that is not only an expression stays literal)
        assert tasks.calls[0]["parameters"] == {"a": 40, "b": 2, "label": "sum of {% 1 %}"}
        assert result.output == {"total": 42, "from": 40}

    def test_task_output_defaults_to_the_result(self):
        tasks = FakeTasks(worker=lambda p: {"r": 1})
        assert run(jsonata(single({"Type": "Task", "Resource": LAMBDA_ARN})), {"x": 1}, tasks=tasks).output == {"r": 1}

    def test_pass_output_defaults_to_the_input(self):
        assert run(jsonata(single({"Type": "Pass"})), {"x": 1}).output == {"x": 1}

    def test_whole_output_can_be_one_expression(self):
        state = {"Type": "Pass", "Output": "{% $sum($states.input.n) %}"}
        assert run(jsonata(single(state)), {"n": [1, 2, 3]}).output == 6

    def test_context_is_available(self):
        state = {"Type": "Pass", "Output": "{% $states.context.Execution.Name & '/' & $states.context.State.Name %}"}
        assert run(jsonata(single(state))).output == "run-1/S"

    def test_nulls_stay_nulls(self):
        state = {"Type": "Pass", "Output": {"a": "{% $states.input.a %}", "b": None}}
        assert run(jsonata(single(state)), {"a": None}).output == {"a": None, "b": None}

    def test_a_variable_holding_null_is_null_not_undefined(self):
        # GIVEN a variable assigned JSON null
        definition = jsonata({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": None}, "Next": "B"},
            "B": {"Type": "Pass", "Output": {"isNull": "{% $x = null %}", "x": "{% $x %}"}, "End": True}}})
        # WHEN a later state reads it THEN it is a value, null
        assert run(definition).output == {"isNull": True, "x": None}

    def test_step_functions_functions_are_available(self):
        state = {"Type": "Pass", "Output": {"parts": "{% $partition([1,2,3], 2) %}",
                                            "parsed": "{% $parse('{\"k\":1}') %}",
                                            "hash": "{% $hash('abc', 'SHA-256') %}"}}
        output = run(jsonata(single(state))).output
        assert output["parts"] == [[1, 2], [3]]
        assert output["parsed"] == {"k": 1}
        assert output["hash"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

    def test_state_level_query_language_overrides_jsonpath_machine(self):
        definition = {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Parameters": {"v.$": "$.x"}, "Next": "B"},
            "B": {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input.v * 2 %}", "End": True}}}
        assert run(definition, {"x": 21}).output == 42


class TestJsonataControlFlow:
    def test_condition_picks_the_branch(self):
        definition = jsonata({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Default": "Low",
                  "Choices": [{"Condition": "{% $states.input.n > 10 %}", "Next": "High",
                               "Output": {"level": "high"}}]},
            "High": {"Type": "Succeed"},
            "Low": {"Type": "Pass", "Output": {"level": "low"}, "End": True}}})
        assert run(definition, {"n": 11}).output == {"level": "high"}
        assert run(definition, {"n": 1}).output == {"level": "low"}

    def test_map_items_and_item_selector(self):
        state = {"Type": "Map", "Items": "{% $states.input.list %}",
                 "ItemSelector": {"v": "{% $states.context.Map.Item.Value %}",
                                  "i": "{% $states.context.Map.Item.Index %}"},
                 "ItemProcessor": {"StartAt": "Double", "States": {
                     "Double": {"Type": "Pass", "Output": "{% $states.input.v * 2 + $states.input.i %}", "End": True}}}}
        assert run(jsonata(single(state)), {"list": [5, 6]}).output == [10, 13]

    def test_wait_seconds_expression_uses_the_clock(self):
        from stepfunctions_local.clock import ManualClock

        clock = ManualClock()
        run(jsonata(single({"Type": "Wait", "Seconds": "{% $states.input.s %}"})), {"s": 7}, clock=clock)
        assert clock.sleeps == [7.0]

    def test_fail_error_and_cause_expressions(self):
        state = {"Type": "Fail", "Error": "{% 'E.' & $states.input.code %}", "Cause": "{% $states.input.why %}"}
        result = run(jsonata(single(state)), {"code": "X", "why": "because"})
        assert (result.error, result.cause) == ("E.X", "because")

    def test_catch_output_sees_error_output(self):
        tasks = FakeTasks(worker=failing(StatesError("Boom", "bad")))
        definition = jsonata({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled",
                             "Output": {"err": "{% $states.errorOutput.Error %}", "in": "{% $states.input.x %}"}}]},
            "Handled": {"Type": "Succeed"}}})
        assert run(definition, {"x": 1}, tasks=tasks).output == {"err": "Boom", "in": 1}


class TestJsonataErrors:
    def test_evaluation_error_is_query_evaluation_error(self):
        state = {"Type": "Pass", "Output": "{% $states.input.a + 'x' %}"}
        result = run(jsonata(single(state)), {"a": 1})
        assert (result.status, result.error) == ("FAILED", "States.QueryEvaluationError")
        assert result.cause == (
            "An error occurred while executing the state 'S' (entered at the event id #2). The JSONata expression "
            "'$states.input.a + 'x'' specified for the field 'Output' threw an error during evaluation. "
            "T2002: The right side of the + operator must evaluate to a number")

    def test_undefined_result_names_the_field_relative_to_the_state(self):
        # GIVEN an Arguments field whose expression selects nothing (the shape of an AWS-recorded failure)
        state = {"Type": "Task", "Resource": LAMBDA_ARN,
                 "Arguments": {"Input": {"pushLocation": "{% $states.input.pushLocation %}"}}}
        # WHEN it runs
        result = run(jsonata(single(state)), {"a": 1})
        # THEN the state fails with AWS's error and cause
        assert result.error == "States.QueryEvaluationError"
        assert result.cause == ("An error occurred while executing the state 'S' (entered at the event id #2). "
                                "The JSONata expression '$states.input.pushLocation' specified for the field "
                                "'Arguments/Input/pushLocation' returned nothing (undefined).")

    def test_fields_in_arrays_and_catchers_are_named_by_their_path(self):
        tasks = FakeTasks(worker=failing(StatesError("Boom")))
        definition = jsonata({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True,
                  "Catch": [{"ErrorEquals": ["X"], "Next": "Done"},
                            {"ErrorEquals": ["States.ALL"], "Next": "Done",
                             "Output": {"v": ["{% $states.input.gone %}"]}}]},
            "Done": {"Type": "Succeed"}}})
        assert "for the field 'Catch[1]/Output/v[0]' returned nothing" in run(definition, {}, tasks=tasks).cause

    def test_map_items_must_be_an_array(self):
        state = {"Type": "Map", "Items": "{% $states.input.n %}",
                 "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        result = run(jsonata(single(state)), {"n": 5})
        assert result.error == "States.QueryEvaluationError"
        assert result.cause.endswith("The JSONata expression '$states.input.n' specified for the field 'Items' "
                                     "returned an unexpected result type. Expected 'array', but was 'number' "
                                     "for value: 5")

    def test_map_without_items_needs_an_array_input(self):
        state = {"Type": "Map", "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}
        result = run(jsonata(single(state)), {"foo": "bar"})
        assert (result.error, result.cause) == (
            "States.QueryEvaluationError", "An error occurred while executing the state 'S' (entered at the event "
            "id #2). Map state input must be an array but was: {\"foo\":\"bar\"}")

    def test_query_evaluation_error_can_be_caught(self):
        definition = jsonata({"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "Arguments": "{% $error('bad') %}", "End": True,
                  "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"], "Next": "Ok"}]},
            "Ok": {"Type": "Succeed"}}})
        assert run(definition, {}).output["Error"] == "States.QueryEvaluationError"

    def test_non_boolean_condition_fails(self):
        definition = jsonata({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% 'yes' %}", "Next": "D"}]},
            "D": {"Type": "Succeed"}}})
        assert run(definition).error == "States.QueryEvaluationError"

    def test_bad_jsonata_is_a_definition_error_pointing_at_the_field(self):
        with pytest.raises(DefinitionError, match=r"at /States/S/Output/x"):
            run(jsonata(single({"Type": "Pass", "Output": {"x": "{% $states.input. + %}"}})))

    @pytest.mark.parametrize(("expression", "message"), [
        # AWS's INVALID_JSONATA_EXPRESSION texts (validate-state-machine-definition), JSONata's parser wording
        ("a[1,2)", 'Expected "]", got ","'),
        ('"unterminated', "String literal must be terminated by a matching quote"),
        ("1 +", "Unexpected end of expression"),
        ('{"a":}', 'The symbol "}" cannot be used as a unary operator'),
        ('$match("a", /abc', "No terminating / in regular expression"),
        ("", "Unexpected end of expression"),
    ])
    def test_unparsable_jsonata_is_invalid_jsonata_expression(self, expression, message):
        with pytest.raises(DefinitionError) as raised:
            run(jsonata(single({"Type": "Pass", "Output": "{% " + expression + " %}"})))
        assert str(raised.value) == f"INVALID_JSONATA_EXPRESSION: {message} at /States/S/Output"

    @pytest.mark.parametrize(("expression", "message"), [
        # as AWS's validate-state-machine-definition words them: only $states and variables are in scope
        ("phone[0]", "Reference to 'phone' at the top level is not supported."),
        ("$.phone", "Reference to '$' at the top level is not supported."),
        ("$$", "Reference to '$$' is not supported."),
    ])
    def test_reading_the_expression_input_is_unsupported(self, expression, message):
        with pytest.raises(DefinitionError) as raised:
            run(jsonata(single({"Type": "Pass", "Output": {"v": "{% " + expression + " %}"}})))
        assert str(raised.value) == f"UNSUPPORTED_JSONATA_EXPRESSION: {message} at /States/S/Output/v"

    def test_error_output_exists_only_in_a_catcher(self):
        with pytest.raises(DefinitionError) as raised:
            run(jsonata(single({"Type": "Pass", "Output": "{% $states.errorOutput %}"})))
        assert str(raised.value) == ("UNSUPPORTED_JSONATA_EXPRESSION: Field '$states.errorOutput' does not exist. "
                                     "at /States/S/Output")

    def test_every_top_level_name_is_a_problem_of_its_own_located_at_the_field(self):
        # GIVEN an expression reading two names from its (nonexistent) input
        # WHEN it is compiled
        with pytest.raises(DefinitionError) as raised:
            run(jsonata(single({"Type": "Pass", "Output": "{% aaa + bbb %}"})))
        # THEN each name is its own problem, and each location is the field's path and nothing else
        assert raised.value.problems == (
            Problem("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to 'aaa' at the top level is not supported.",
                    "/States/S/Output"),
            Problem("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to 'bbb' at the top level is not supported.",
                    "/States/S/Output"),
        )

    @pytest.mark.parametrize(("expression", "expected"), [
        ("$states.input.items[phone > 3]", {"phone": 4}), ("$map($states.input.a, function($x){ $x.phone })", 7),
        ("$phone", 1), ("$states.input.a.(b + c)", 5), ("$states.input.items^(phone)", {"phone": 4}),
        ("($a := 1; $a + 1)", 2)])
    def test_names_read_from_states_variables_or_inner_scopes_are_fine(self, expression, expected):
        # GIVEN expressions whose names are read from $states, a variable, or an inner scope
        definition = jsonata({"StartAt": "Set", "States": {
            "Set": {"Type": "Pass", "Assign": {"phone": 1}, "Next": "S"},
            "S": {"Type": "Pass", "Output": "{% " + expression + " %}", "End": True}}})
        # WHEN the machine runs
        result = run(definition, {"a": [{"b": 2, "c": 3, "phone": 7}], "items": [{"phone": 4}]})
        # THEN it compiles and succeeds with the expression's value
        assert (result.status, result.error, result.output) == ("SUCCEEDED", None, expected)

    def test_array_positions_in_locations_are_bracketed_like_aws(self):
        definition = jsonata({"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [{"Condition": "{% phone = 1 %}", "Next": "E"}], "Default": "E"},
            "E": {"Type": "Pass", "End": True}}})
        with pytest.raises(DefinitionError, match=r"at /States/C/Choices\[0\]/Condition$"):
            run(definition)

    def test_jsonpath_fields_are_rejected_in_jsonata_states_at_the_state(self):
        # AWS locates this family of errors at the state, without the field
        with pytest.raises(DefinitionError, match=r"'InputPath'.*at /States/S$"):
            run(jsonata(single({"Type": "Pass", "InputPath": "$.a"})))


class TestJsonataHistory:
    def test_failed_expression_records_an_evaluation_failed_event(self):
        from .interpreter_support import History

        history = History()
        run(jsonata(single({"Type": "Pass", "Output": {"v": "{% $states.input.gone %}"}})), {}, history=history)
        assert history.types == ["PassStateEntered", "EvaluationFailed"]
        assert history.events[1][1:] == ("evaluationFailedEventDetails", {
            "error": "States.QueryEvaluationError",
            "cause": "The JSONata expression '$states.input.gone' specified for the field 'Output/v' returned "
                     "nothing (undefined).",
            "location": "Output/v", "state": "S"})


class TestJsonataChoiceOutput:
    DEFINITION = jsonata({"StartAt": "C", "States": {
        "C": {"Type": "Choice", "Default": "End", "Output": {"from": "default"}, "Assign": {"path": "default"},
              "Choices": [{"Condition": "{% $states.input.n = 1 %}", "Next": "End"}]},
        "End": {"Type": "Pass", "Output": {"out": "{% $states.input %}", "path": "{% $path %}"}, "End": True}}})

    def test_state_output_and_assign_apply_only_to_the_default(self):
        assert run(self.DEFINITION, {"n": 2}).output == {"out": {"from": "default"}, "path": "default"}

    def test_matched_rule_without_output_passes_the_input(self):
        result = run(self.DEFINITION, {"n": 1})
        assert result.error == "States.QueryEvaluationError"  # $path was never assigned
        assert "'Output/path' returned nothing" in result.cause
