"""Definitions are validated once, at create time, with messages pointing at the problem."""
from __future__ import annotations

import json

import pytest

from stepfunctions_local.exceptions import DefinitionError
from stepfunctions_local.interpreter import compile_definition


def invalid(definition) -> str:
    text = definition if isinstance(definition, str) else json.dumps(definition)
    with pytest.raises(DefinitionError) as raised:
        compile_definition(text)
    return str(raised.value)


def machine(**states) -> dict:
    return {"StartAt": next(iter(states)), "States": states}


class TestStructure:
    def test_bad_json(self):
        assert invalid("{not json").startswith("INVALID_JSON_DESCRIPTION")

    def test_missing_next_target(self):
        message = invalid(machine(Foo={"Type": "Pass", "Next": "Bar"}))
        assert "MISSING_TRANSITION_TARGET: Missing 'Next' target: Bar at /States/Foo/Next" in message

    def test_missing_start_state(self):
        assert "Missing 'Next' target: Nope at /StartAt" in invalid({"StartAt": "Nope", "States": {
            "A": {"Type": "Succeed"}}})

    def test_unreachable_state(self):
        message = invalid(machine(A={"Type": "Succeed"}, B={"Type": "Succeed"}))
        assert "UNREACHABLE_STATE: State 'B' is not reachable at /States/B" in message

    def test_unknown_state_type(self):
        assert "/States/A/Type" in invalid(machine(A={"Type": "Sleep", "End": True}))

    def test_neither_next_nor_end(self):
        assert "Exactly one of 'Next' or 'End' must be present at /States/A" in invalid(machine(A={"Type": "Pass"}))

    def test_no_terminal_state(self):
        assert "NO_TERMINAL_STATE" in invalid(machine(A={"Type": "Pass", "Next": "A"}))

    def test_unknown_field(self):
        assert "Field 'Bogus' is not supported at /States/A/Bogus" in invalid(
            machine(A={"Type": "Pass", "Bogus": 1, "End": True}))

    def test_problems_in_nested_branches_name_their_path(self):
        message = invalid(machine(P={"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "X", "States": {"X": {"Type": "Pass", "Next": "Y"}}}]}))
        assert "Missing 'Next' target: Y at /States/P/Branches[0]/States/X/Next" in message

    def test_all_problems_are_reported_together(self):
        message = invalid(machine(A={"Type": "Pass", "Next": "B"}, C={"Type": "Succeed"}))
        assert "Missing 'Next' target: B" in message and "State 'C' is not reachable" in message


class TestFields:
    def test_bad_path(self):
        assert "/States/A/InputPath" in invalid(machine(A={"Type": "Pass", "InputPath": "items", "End": True}))

    def test_states_all_must_be_last(self):
        message = invalid(machine(A={"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True,
                                     "Retry": [{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}]}))
        assert "'States.ALL' must be in the last element of the array at /States/A/Retry[0]" in message

    def test_states_all_must_be_alone(self):
        assert "must appear alone" in invalid(machine(A={
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True,
            "Catch": [{"ErrorEquals": ["States.ALL", "X"], "Next": "A"}]}))

    def test_backoff_rate_below_one(self):
        assert "BackoffRate" in invalid(machine(A={
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True,
            "Retry": [{"ErrorEquals": ["X"], "BackoffRate": 0.5}]}))

    def test_wait_needs_exactly_one_duration(self):
        assert "exactly one of" in invalid(machine(A={"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": True}))

    def test_bad_choice_rule(self):
        message = invalid(machine(C={"Type": "Choice", "Choices": [{"Variable": "$.a", "Next": "D"}]},
                                  D={"Type": "Succeed"}))
        assert "/States/C/Choices[0]" in message

    def test_bad_jsonata(self):
        message = invalid({"QueryLanguage": "JSONata", **machine(A={"Type": "Pass", "Output": "{% ) %}", "End": True})})
        assert "/States/A/Output" in message

    def test_distributed_map_item_reader_is_unsupported(self):
        message = invalid(machine(M={"Type": "Map", "End": True,
                                     "ItemReader": {"Resource": "arn:aws:states:::s3:getObject"},
                                     "ItemProcessor": {
                                         "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}))
        assert message.startswith("UNSUPPORTED_FEATURE: 'ItemReader'") and message.endswith("at /States/M/ItemReader")

    def test_distributed_map_needs_an_execution_type(self):
        message = invalid(machine(M={"Type": "Map", "End": True, "ItemProcessor": {
            "ProcessorConfig": {"Mode": "DISTRIBUTED"}, "StartAt": "P",
            "States": {"P": {"Type": "Pass", "End": True}}}}))
        assert message.endswith("at /States/M/ItemProcessor/ProcessorConfig/ExecutionType")

    def test_item_batcher_needs_distributed_mode(self):
        message = invalid(machine(M={"Type": "Map", "End": True, "ItemBatcher": {"MaxItemsPerBatch": 2},
                                     "ItemProcessor": {
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}}))
        assert message.endswith("at /States/M/ItemBatcher")

    def test_max_concurrency_and_its_path_exclude_each_other(self):
        message = invalid(machine(M={"Type": "Map", "End": True, "MaxConcurrency": 2, "MaxConcurrencyPath": "$.n",
                                     "ItemProcessor": {"StartAt": "P",
                                                       "States": {"P": {"Type": "Pass", "End": True}}}}))
        assert message.endswith("at /States/M/MaxConcurrency")

    def test_unknown_state_type_uses_aws_wording(self):
        assert invalid(machine(X={"Type": "Magic", "End": True})) == (
            "SCHEMA_VALIDATION_FAILED: The field 'Type' should have one of these values: "
            "[Task, Wait, Pass, Succeed, Fail, Choice, Parallel, Map] at /States/X/Type")

    def test_bad_wait_timestamp_uses_aws_wording(self):
        message = invalid(machine(W={"Type": "Wait", "Timestamp": "2016-12-05 21:29:29Z", "End": True}))
        assert message == "SCHEMA_VALIDATION_FAILED: String does not match RFC3339 timestamp at /States/W/Timestamp"

    def test_task_needs_an_arn(self):
        assert "/States/A/Resource" in invalid(machine(A={"Type": "Task", "Resource": "lambda", "End": True}))


class TestValidDefinitions:
    def test_compiled_machine_keeps_the_parsed_definition(self):
        definition = machine(A={"Type": "Succeed"})
        assert compile_definition(json.dumps(definition)).definition == definition

    def test_the_product_workflow_compiles(self):
        from pathlib import Path

        asl = Path(__file__).resolve().parents[2] / "statemachine" / "contact_form.asl.json"
        text = asl.read_text()
        for key, value in {"${GenerateTicketIdFunctionArn}": "arn:aws:lambda:us-east-1:000000000000:function:g",
                           "${NotifyAdminFunctionArn}": "arn:aws:lambda:us-east-1:000000000000:function:n",
                           "${TicketsTableName}": "contact-form-tickets"}.items():
            text = text.replace(key, value)
        assert compile_definition(text).definition["StartAt"]


class TestMoreRules:
    def test_heartbeat_must_be_shorter_than_timeout(self):
        assert "/States/A/HeartbeatSeconds" in invalid(machine(A={
            "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:1:function:f", "End": True,
            "TimeoutSeconds": 5, "HeartbeatSeconds": 5}))

    def test_variable_names_must_be_identifiers(self):
        assert "/States/A/Assign" in invalid(machine(A={"Type": "Pass", "Assign": {"not-ok": 1}, "End": True}))

    def test_unknown_top_level_field(self):
        assert "Field 'Bogus' is not supported at /Bogus" in invalid({**machine(A={"Type": "Succeed"}), "Bogus": 1})

    def test_a_broken_state_does_not_make_its_successors_unreachable(self):
        message = invalid(machine(A={"Type": "Pass", "InputPath": 5, "Next": "B"}, B={"Type": "Succeed"}))
        assert "/States/A/InputPath" in message and "UNREACHABLE_STATE" not in message


class TestAwsRecordedMessages:
    """Diagnostics as AWS's ValidateStateMachineDefinition recorded them."""

    def test_empty_object(self):
        assert invalid({}) == "SCHEMA_VALIDATION_FAILED: These fields are required: [States, StartAt] at /"

    def test_missing_start_at(self):
        assert invalid({"States": {"A": {"Type": "Succeed"}}}) == (
            "SCHEMA_VALIDATION_FAILED: These fields are required: [StartAt] at /")

    def test_not_an_object(self):
        assert invalid("") == "SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object"
        assert invalid("[]") == "SCHEMA_VALIDATION_FAILED: Definition must be a valid JSON object"

    def test_jsonpath_state_in_a_jsonata_machine(self):
        message = invalid({"QueryLanguage": "JSONata", **machine(Pass={
            "Type": "Pass", "QueryLanguage": "JSONPath", "End": True})})
        assert message == ("SCHEMA_VALIDATION_FAILED: 'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for "
                           "whole state machine at /States/Pass")
