"""DescribeStateMachine's ``variableReferences``, as AWS recorded them (localstack's
test_sfn_api_variable_references snapshot) for the definitions our recordings already replay."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from .service_support import create

RECORDINGS = Path(__file__).parent / "aws_recordings"
RECORDED = {
    "reference_assign_in_parameters": {"State1": ["result"]},
    "reference_assign_in_choice": {"CheckAnswer": ["answer", "guess"], "WrongAnswer": ["answer"]},
    "reference_assign_in_wait": {"WaitSecondsState": ["waitTime"], "WaitUntilState": ["startAt"]},
    "reference_assign_in_iterator_outer_scope": {"Summate": ["bias", "xCurrent", "yCurrent", "zCurrent"]},
    "reference_assign_in_inputpath": {"State1": ["theAnswer"]},
    "reference_assign_in_outputpath": {"State1": ["theAnswer"]},
    "reference_assign_in_intrinsic_function": {"State1": [
        "csvString", "encodedString", "inputString", "json1", "json2", "jsonObject", "jsonString", "name", "place",
        "rawString", "value1", "value2"]},
    "reference_assign_in_fail": {"Fail": ["causeVar", "errorVar"]},
    "assign_evaluation_order_pass_state": {"State1": ["answer"]},
    "reference_in_map_intrinsic_function": {"MapIterateState": ["AnswerTemplate"], "Pass": ["Question"]},
    "reference_in_map_items_path": {"MapIterateState": ["PokemonList"], "Pass": ["Question"]},
    "reference_in_map_max_concurrency_path": {"MapState": ["maxConcurrency"]},
    "reference_in_map_tolerated_failure_path_distributed": {
        "MapState": ["toleratedFailureCount", "toleratedFailurePercentage"]},
    # No variable read: a "$name" value without ".$", "$.field" paths, or assignments only.
    "assign_from_parameters": None,
    "assign_from_result": None,
    "assign_from_intrinsic_function": None,
    "reference_in_map_item_selector_distributed": None,
}
JSONATA_CHOICES = {"StartAt": "CheckResult", "States": {
    "CheckResult": {"Type": "Choice", "QueryLanguage": "JSONata", "Choices": [
        {"Condition": "{% $states.input.result.done %}", "Next": "FinishTrue"},
        {"Condition": "{% $not($states.input.result.done) %}", "Next": "FinishFalse"}]},
    "FinishTrue": {"End": True, "Type": "Pass"},
    "FinishFalse": {"End": True, "Type": "Pass"}}}


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_describe_lists_the_variables_each_state_reads(sfn, name):
    # GIVEN a recorded definition, as a Standard machine
    text = json.dumps(json.loads((RECORDINGS / f"{name}.json").read_text())["definition"])
    arn = create(sfn, name.replace("_", "-"), text, "STANDARD")
    # WHEN it is described
    answer = sfn.describe_state_machine(stateMachineArn=arn)
    # THEN each state's variables are the ones AWS listed, and a machine reading none has no such member
    assert answer.get("variableReferences") == RECORDED[name]


def test_jsonata_expressions_are_not_listed(sfn):
    # GIVEN a JSONata Choice whose conditions are expressions
    arn = create(sfn, "jsonata", json.dumps(JSONATA_CHOICES), "STANDARD")
    # WHEN it is described THEN no variable references are listed (AWS-recorded)
    assert "variableReferences" not in sfn.describe_state_machine(stateMachineArn=arn)


def test_describe_for_execution_lists_them_too(sfn, runtime):
    # GIVEN an execution of a machine whose Fail state reads two variables
    text = json.dumps(json.loads((RECORDINGS / "reference_assign_in_fail.json").read_text())["definition"])
    arn = create(sfn, "fail", text, "STANDARD")
    execution = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert runtime.wait_for(execution, timeout=10)
    # WHEN the execution's machine is described THEN the Fail state's variables are listed
    answer = sfn.describe_state_machine_for_execution(executionArn=execution)
    assert answer["variableReferences"] == {"Fail": ["causeVar", "errorVar"]}
