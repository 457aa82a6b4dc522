"""What the console says about real contact-form executions: outcomes, path, data flow."""
from __future__ import annotations

import json

import pytest

from stepfunctions_local.console import dataflow, outcomes
from stepfunctions_local.console.graph import Picture, all_states
from stepfunctions_local.observability import ExecutionStore, observe


@pytest.fixture
def store(stack) -> ExecutionStore:
    recorded = ExecutionStore()
    observe(stack.runtime, recorded)
    return recorded


def summary_of(store: ExecutionStore, answer: dict) -> dict:
    record = store.get(answer["executionArn"])
    return outcomes.summarise(json.loads(record.definition), list(record.events), record.status,
                              record.started, record.stopped)


def test_negative_message_path_goes_through_the_admin_email(stack, store):
    # GIVEN the contact-form workflow WHEN an unhappy customer writes
    answer = stack.run({"message": "This is bad service"})
    assert answer["status"] == "SUCCEEDED"
    summary = summary_of(store, answer)
    states = {name: state["outcome"] for name, state in summary["states"].items()}
    # THEN both Parallel branches ran, the admin was emailed, and the other branches were not run
    for name in ("Analyse", "Detect sentiment", "Generate ticket id", "Notification pending", "Record ticket",
                 "Notify admin", "Record notification sent", "Answer"):
        assert states[name] == "succeeded", name
    for name in ("Notification not required", "Reject input", "Sentiment unavailable", "Ticket ids exhausted"):
        assert states[name] == "not run", name
    taken = {tuple(pair) for pair in summary["taken"]}
    assert {("Notification needed?", "Notification pending"), ("Analyse", "Detect sentiment"),
            ("Analyse", "Ticket id given?"), ("Ticket id given?", "Generate ticket id"),
            ("Generate ticket id", "Analyse"), ("Answer", None)} <= taken
    assert ("Notification needed?", "Notification not required") not in taken


def test_failed_execution_marks_the_state_that_failed_it(stack, store):
    # GIVEN input without a message WHEN the workflow runs
    answer = stack.run({"name": "Ada"})
    assert answer["status"] == "FAILED"
    summary = summary_of(store, answer)
    # THEN the Fail state is failed, the Choice took its default there, and nothing after ran
    assert summary["states"]["Reject input"]["outcome"] == "failed"
    assert ["Check input", "Reject input"] in summary["taken"]
    assert summary["states"]["Analyse"]["outcome"] == "not run"
    assert [entry["state"] for entry in summary["timeline"]] == [
        "Normalise input", "Check input", "Reject input"]


def test_unreadable_text_is_caught_and_the_fallback_runs(stack, store):
    # GIVEN a message over Comprehend's 5,000-byte limit (5,000 two-byte letters) WHEN the workflow runs
    answer = stack.run({"message": "ü" * 5000})
    summary = summary_of(store, answer)
    # THEN sentiment detection shows as caught and its fallback as succeeded
    assert summary["states"]["Detect sentiment"]["outcome"] == "caught"
    assert summary["states"]["Detect sentiment"]["error"] == "Comprehend.TextSizeLimitExceededException"
    assert summary["states"]["Sentiment unavailable"]["outcome"] == "succeeded"
    assert ["Detect sentiment", "Sentiment unavailable"] in summary["taken"]


def test_task_data_flow_is_shown_step_by_step(stack, store):
    # GIVEN a finished execution
    answer = stack.run({"message": "I love it, great and helpful service!"})
    record = store.get(answer["executionArn"])
    [entry] = [e for e in outcomes.entries(list(record.events)) if e.state == "Detect sentiment"]
    body = all_states(json.loads(record.definition))["Detect sentiment"]
    # WHEN its data flow is derived
    steps = {step["step"]: step for step in dataflow.steps(body, entry, {})}
    # THEN recorded and derived steps line up: Parameters -> result -> ResultSelector -> output
    assert steps["After Parameters (task input)"]["value"] == {
        "Text": "I love it, great and helpful service!", "LanguageCode": "en"}
    assert steps["Result"]["source"] == "recorded" and steps["Result"]["value"]["Sentiment"] == "POSITIVE"
    selected = steps["After ResultSelector"]
    assert selected["source"] == "derived"
    assert selected["value"] == steps["State output"]["value"]  # no ResultPath/OutputPath in this state
    # AND for a state with a ResultPath, the derived merge equals the recorded output
    [analyse] = [e for e in outcomes.entries(list(record.events)) if e.state == "Notification not required"]
    flow = {s["step"]: s for s in dataflow.steps(all_states(json.loads(record.definition))[analyse.state], analyse, {})}
    assert flow["After ResultPath"]["value"] == flow["State output"]["value"]


def test_picture_draws_parallel_branches_inside_their_state(stack):
    # GIVEN the contact-form definition WHEN its picture is built
    definition = json.loads(stack.runtime.client().describe_state_machine(
        stateMachineArn=stack.workflows.express_arn)["definition"])
    picture = Picture(definition).as_dict()
    nodes = {node["id"]: node for node in picture["nodes"]}
    # THEN each branch is a box inside the Parallel's box, holding its states
    assert nodes["state:Detect sentiment"]["parent"] == "branch:Analyse:0"
    assert nodes["state:Generate ticket id"]["parent"] == "branch:Analyse:1"
    assert nodes["state:Ticket id given?"]["parent"] == "branch:Analyse:1"
    assert nodes["branch:Analyse:0"]["parent"] == "box:Analyse"
    # AND Catch and Choice edges are there with their kinds
    kinds = {(edge["source"], edge["target"]): edge["kind"] for edge in picture["edges"]}
    assert kinds[("state:Notify admin", "state:Record notification failed")] == "catch"
    assert kinds[("state:Notification needed?", "state:Notification not required")] == "default"
    assert kinds[("join:Analyse", "state:Notification needed?")] == "next"
