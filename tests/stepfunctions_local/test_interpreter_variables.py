"""Workflow variables (Assign) in both query languages, with AWS's scoping rules."""
from __future__ import annotations

from stepfunctions_local.exceptions import StatesError

from .interpreter_support import LAMBDA_ARN, FakeTasks, History, failing, run


class TestJsonPathVariables:
    def test_assigned_variable_is_visible_in_later_states(self):
        # GIVEN a state assigning from its input and a later state reading the variable
        definition = {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"user.$": "$.name", "count": 1}, "Next": "B"},
            "B": {"Type": "Pass", "Parameters": {"who.$": "$user", "n.$": "$count"}, "End": True}}}
        # WHEN it runs
        # THEN the later state sees the values
        assert run(definition, {"name": "ana"}).output == {"who": "ana", "n": 1}

    def test_assignments_in_one_state_see_the_old_values(self):
        definition = {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"x": 1, "y": 10}, "Next": "B"},
            "B": {"Type": "Pass", "Assign": {"x.$": "$y", "y.$": "$x"}, "Next": "C"},
            "C": {"Type": "Pass", "Parameters": {"x.$": "$x", "y.$": "$y"}, "End": True}}}
        assert run(definition).output == {"x": 10, "y": 1}

    def test_task_assign_sees_the_raw_result_before_result_selector(self):
        tasks = FakeTasks(worker=lambda p: {"Payload": {"id": "T-9"}})
        definition = {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "ResultSelector": {"ticket.$": "$.Payload.id"},
                  "Assign": {"ticket.$": "$.Payload.id"}, "ResultPath": None, "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"t.$": "$ticket"}, "End": True}}}
        assert run(definition, {}, tasks=tasks).output == {"t": "T-9"}

    def test_catch_assign_sees_the_error_output(self):
        tasks = FakeTasks(worker=failing(StatesError("Boom", "bad")))
        definition = {"StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "End": True,
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Assign": {"why.$": "$.Cause"}, "Next": "P"}]},
            "P": {"Type": "Pass", "Parameters": {"why.$": "$why"}, "End": True}}}
        assert run(definition, {}, tasks=tasks).output == {"why": "bad"}

    def test_choice_rule_assign(self):
        definition = {"StartAt": "C", "States": {
            "C": {"Type": "Choice", "Choices": [
                {"Variable": "$.n", "NumericGreaterThan": 1, "Assign": {"size": "big"}, "Next": "P"}],
                  "Default": "P"},
            "P": {"Type": "Pass", "Parameters": {"size.$": "$size"}, "End": True}}}
        assert run(definition, {"n": 5}).output == {"size": "big"}

    def test_history_shows_assigned_variables(self):
        history = History()
        run({"StartAt": "A", "States": {"A": {"Type": "Pass", "Assign": {"x": {"k": 1}}, "End": True}}},
            history=history)
        exited = history.events[-1][2]
        assert exited["assignedVariables"] == {"x": '{"k":1}'}
        assert exited["assignedVariablesDetails"] == {"truncated": False}


class TestScopes:
    def test_map_iterations_read_outer_variables_but_do_not_leak_theirs(self):
        # GIVEN an outer variable and a Map whose iterations assign their own
        definition = {"StartAt": "Init", "States": {
            "Init": {"Type": "Pass", "Assign": {"factor": 3}, "Next": "Each"},
            "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "After", "ItemProcessor": {
                "StartAt": "Mul", "States": {
                    "Mul": {"Type": "Pass", "Parameters": {"v.$": "$", "f.$": "$factor"}, "Assign": {"inner": 1},
                            "End": True}}}},
            "After": {"Type": "Pass", "Parameters": {"r.$": "$", "factor.$": "$factor"}, "End": True}}}
        # WHEN it runs
        result = run(definition, {"items": [1, 2]})
        # THEN iterations saw the outer value
        assert result.output == {"r": [{"v": 1, "f": 3}, {"v": 2, "f": 3}], "factor": 3}

    def test_inner_variable_is_not_visible_after_the_map(self):
        definition = {"StartAt": "Each", "States": {
            "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "After", "ItemProcessor": {
                "StartAt": "Set", "States": {"Set": {"Type": "Pass", "Assign": {"inner": 1}, "End": True}}}},
            "After": {"Type": "Pass", "Parameters": {"inner.$": "$inner"}, "End": True}}}
        result = run(definition, {"items": [1]})
        assert result.error == "States.Runtime"


class TestJsonataVariables:
    def test_assign_and_read_variables(self):
        definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"total": "{% $sum($states.input.n) %}", "label": "sum"}, "Next": "B"},
            "B": {"Type": "Pass", "Output": {"result": "{% $label & '=' & $string($total) %}"}, "End": True}}}
        assert run(definition, {"n": [1, 2]}).output == {"result": "sum=3"}

    def test_task_assign_sees_result(self):
        tasks = FakeTasks(worker=lambda p: {"id": 5})
        definition = {"QueryLanguage": "JSONata", "StartAt": "T", "States": {
            "T": {"Type": "Task", "Resource": LAMBDA_ARN, "Assign": {"id": "{% $states.result.id %}"},
                  "Output": "{% $states.input %}", "Next": "B"},
            "B": {"Type": "Pass", "Output": "{% $id %}", "End": True}}}
        assert run(definition, {"x": 1}, tasks=tasks).output == 5
