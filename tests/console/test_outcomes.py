"""State outcomes in Map iterations and after retries, read from the history."""
from __future__ import annotations

import json

from stepfunctions_local.console import outcomes
from stepfunctions_local.console.graph import Picture
from tests.stepfunctions_local.service_support import create, definition

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:{}"


def summary(store, answer):
    record = store.get(answer["executionArn"])
    return outcomes.summarise(json.loads(record.definition), list(record.events), record.status,
                              record.started, record.stopped)


def test_a_task_that_succeeds_after_a_retry_shows_as_retried(runtime, sfn, store):
    # GIVEN a function that fails its first call, and a Task that retries it
    calls = []

    def flaky(event, context):
        calls.append(event)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return {"ok": True}

    runtime.register_lambda("flaky", flaky)
    arn = create(sfn, "retrying", definition({"Call": {
        "Type": "Task", "Resource": LAMBDA.format("flaky"), "End": True,
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 2}]}}))
    # WHEN it runs THEN the state is "retried", with two attempts and one failure
    state = summary(store, sfn.start_sync_execution(stateMachineArn=arn))["states"]["Call"]
    assert (state["outcome"], state["attempts"], state["failures"]) == ("retried", 2, 1)


def test_map_iterations_add_up_per_state(runtime, sfn, store):
    # GIVEN a Map whose item processor fails for one item and catches it
    runtime.register_lambda("check", lambda event, context: 1 / event["n"])
    arn = create(sfn, "mapping", definition({"Each": {
        "Type": "Map", "ItemsPath": "$.items", "End": True,
        "ItemProcessor": {"StartAt": "Check", "States": {
            "Check": {"Type": "Task", "Resource": LAMBDA.format("check"), "End": True,
                      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Skip"}]},
            "Skip": {"Type": "Pass", "End": True}}}}}))
    # WHEN three items are processed, one of which fails
    items = '{"items": [{"n": 1}, {"n": 0}, {"n": 2}]}'
    result = summary(store, sfn.start_sync_execution(stateMachineArn=arn, input=items))
    # THEN the processor's task shows its worst outcome (caught) over three entries; the Map succeeded
    assert result["states"]["Check"]["outcome"] == "caught" and result["states"]["Check"]["entries"] == 3
    assert result["states"]["Skip"]["entries"] == 1
    assert result["states"]["Each"]["outcome"] == "succeeded"
    assert {("Each", "Check"), ("Check", "Skip"), ("Check", "Each"), ("Skip", "Each")} <= {
        tuple(pair) for pair in result["taken"]}


def test_map_picture_holds_its_processor_in_a_box():
    # GIVEN a Map definition WHEN it is drawn THEN its processor states sit in the Map's box
    picture = Picture(json.loads(definition({"Each": {"Type": "Map", "End": True, "ItemProcessor": {
        "StartAt": "Work", "States": {"Work": {"Type": "Pass", "End": True}}}}}))).as_dict()
    parents = {node["id"]: node["parent"] for node in picture["nodes"]}
    assert parents["state:Work"] == "box:Each" and parents["state:Each"] == "box:Each"
    assert {"source": "state:Work", "target": "join:Each", "kind": "branch", "transition": ["Work", "Each"]} in \
        picture["edges"]
