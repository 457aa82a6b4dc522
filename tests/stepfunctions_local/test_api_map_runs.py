"""Map Runs of a Distributed Map: history events, DescribeMapRun, ListMapRuns, UpdateMapRun."""
from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from .service_support import create, definition

MAP_RUN_ARN = re.compile(r"^arn:aws:states:us-east-1:000000000000:mapRun:dist/label:[0-9a-f-]{36}$")


def _distributed(sfn, items_fail: bool = False) -> str:
    """Children fail on the item 2 when ``items_fail``."""
    bad = 2 if items_fail else -1
    processor = {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"}, "StartAt": "Check",
                 "States": {"Check": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericEquals": bad,
                                                                      "Next": "Bad"}], "Default": "Good"},
                            "Bad": {"Type": "Fail", "Error": "Two"}, "Good": {"Type": "Succeed"}}}
    return create(sfn, "dist", definition({"Each": {"Type": "Map", "Label": "label", "MaxConcurrency": 2,
                                                    "ItemProcessor": processor, "End": True}}), "STANDARD")


def _run(runtime, sfn, machine: str) -> str:
    arn = sfn.start_execution(stateMachineArn=machine, input="[1, 2, 3]")["executionArn"]
    assert runtime.wait_for(arn, timeout=10)
    return arn


def _code(raised: pytest.ExceptionInfo) -> str:
    return raised.value.response["Error"]["Code"]


class TestMapRuns:
    def test_distributed_map_records_a_map_run(self, runtime, sfn):
        # GIVEN a Standard execution of a Distributed Map over three items
        arn = _run(runtime, sfn, _distributed(sfn))
        # THEN its history has MapRunStarted (AWS's mapRunArn format) and MapRunSucceeded, no iteration events
        events = sfn.get_execution_history(executionArn=arn)["events"]
        types = [event["type"] for event in events]
        assert types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted",
                         "MapRunSucceeded", "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
        map_run = events[3]["mapRunStartedEventDetails"]["mapRunArn"]
        assert MAP_RUN_ARN.match(map_run)
        # AND ListMapRuns / DescribeMapRun describe it as AWS does
        listed = sfn.list_map_runs(executionArn=arn)["mapRuns"]
        assert [(item["mapRunArn"], item["stateMachineArn"]) for item in listed] == [
            (map_run, "arn:aws:states:us-east-1:000000000000:stateMachine:dist/label")]
        described = sfn.describe_map_run(mapRunArn=map_run)
        assert (described["status"], described["maxConcurrency"], described["executionArn"]) == ("SUCCEEDED", 2, arn)
        assert described["itemCounts"]["succeeded"] == described["itemCounts"]["total"] == 3
        assert described["executionCounts"]["resultsWritten"] == 3

    def test_failed_child_fails_the_map_run(self, runtime, sfn):
        # GIVEN a Distributed Map whose second child fails
        arn = _run(runtime, sfn, _distributed(sfn, items_fail=True))
        # THEN the map run failed, and the history says so with the threshold error
        events = sfn.get_execution_history(executionArn=arn)["events"]
        failed = next(event for event in events if event["type"] == "MapRunFailed")
        assert failed["mapRunFailedEventDetails"]["error"] == "States.ExceedToleratedFailureThreshold"
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        described = sfn.describe_map_run(mapRunArn=map_run)
        assert described["status"] == "FAILED" and described["itemCounts"]["failed"] == 1

    def test_update_map_run_changes_its_limits(self, runtime, sfn):
        # GIVEN a map run
        arn = _run(runtime, sfn, _distributed(sfn))
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        # WHEN its limits are updated
        sfn.update_map_run(mapRunArn=map_run, maxConcurrency=5, toleratedFailureCount=1,
                           toleratedFailurePercentage=50.0)
        # THEN DescribeMapRun shows them
        described = sfn.describe_map_run(mapRunArn=map_run)
        assert (described["maxConcurrency"], described["toleratedFailureCount"],
                described["toleratedFailurePercentage"]) == (5, 1, 50.0)

    def test_update_map_run_needs_a_change(self, runtime, sfn):
        arn = _run(runtime, sfn, _distributed(sfn))
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        with pytest.raises(ClientError) as raised:
            sfn.update_map_run(mapRunArn=map_run)
        assert _code(raised) == "ValidationException"

    def test_update_map_run_refuses_a_percentage_over_100(self, runtime, sfn):
        arn = _run(runtime, sfn, _distributed(sfn))
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        with pytest.raises(ClientError) as raised:
            sfn.update_map_run(mapRunArn=map_run, toleratedFailurePercentage=101.0)
        assert _code(raised) == "ValidationException"

    @pytest.mark.parametrize("operation", ["describe_map_run", "update_map_run"])
    def test_unknown_map_run_is_resource_not_found(self, sfn, operation):
        unknown = "arn:aws:states:us-east-1:000000000000:mapRun:dist/label:0b9c6a07-8a5e-4d2c-9a37-52d7e8c2f4a1"
        extra = {"maxConcurrency": 1} if operation == "update_map_run" else {}
        with pytest.raises(ClientError) as raised:
            getattr(sfn, operation)(mapRunArn=unknown, **extra)
        assert _code(raised) == "ResourceNotFound"

    @pytest.mark.parametrize("operation", ["describe_map_run", "update_map_run"])
    def test_malformed_map_run_arn_is_invalid(self, sfn, operation):
        extra = {"maxConcurrency": 1} if operation == "update_map_run" else {}
        with pytest.raises(ClientError) as raised:
            getattr(sfn, operation)(mapRunArn="arn:aws:states:us-east-1:000000000000:execution:x:y", **extra)
        assert _code(raised) == "InvalidArn"

    def test_list_map_runs_of_unknown_execution(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.list_map_runs(executionArn="arn:aws:states:us-east-1:000000000000:execution:dist:nope")
        assert _code(raised) == "ExecutionDoesNotExist"

    def test_list_map_runs_with_bad_arn_or_token(self, runtime, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.list_map_runs(executionArn="nope")
        assert _code(raised) == "InvalidArn"
        arn = _run(runtime, sfn, _distributed(sfn))
        with pytest.raises(ClientError) as raised:
            sfn.list_map_runs(executionArn=arn, nextToken="not-a-token")
        assert _code(raised) == "InvalidToken"

    def test_express_parent_output_unchanged(self, sfn):
        # GIVEN the same Distributed Map in an Express machine
        machine = create(sfn, "expr", json.dumps({"StartAt": "M", "States": {"M": {
            "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                             "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
            "End": True}}}))
        # THEN it still runs its children and returns their outputs
        assert json.loads(sfn.start_sync_execution(stateMachineArn=machine, input="[1,2]")["output"]) == [1, 2]


class TestMapRunChildExecutions:
    def test_list_executions_of_a_map_run_lists_its_children(self, runtime, sfn):
        # GIVEN a finished map run over three items
        arn = _run(runtime, sfn, _distributed(sfn))
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        # WHEN its executions are listed
        children = sfn.list_executions(mapRunArn=map_run)["executions"]
        # THEN there is one per item, named under the map run's state machine, with the item count
        assert len(children) == 3
        assert {child["status"] for child in children} == {"SUCCEEDED"}
        assert all(child["executionArn"].startswith(
            "arn:aws:states:us-east-1:000000000000:execution:dist/label:") for child in children)
        assert {(child["mapRunArn"], child["itemCount"]) for child in children} == {(map_run, 1)}

    def test_status_filter_applies_to_children(self, runtime, sfn):
        arn = _run(runtime, sfn, _distributed(sfn, items_fail=True))
        map_run = sfn.list_map_runs(executionArn=arn)["mapRuns"][0]["mapRunArn"]
        failed = sfn.list_executions(mapRunArn=map_run, statusFilter="FAILED")["executions"]
        assert len(failed) == 1

    def test_unknown_map_run(self, sfn):
        unknown = "arn:aws:states:us-east-1:000000000000:mapRun:dist/label:0b9c6a07-8a5e-4d2c-9a37-52d7e8c2f4a1"
        with pytest.raises(ClientError) as raised:
            sfn.list_executions(mapRunArn=unknown)
        assert _code(raised) == "ResourceNotFound"

    def test_both_or_neither_arn_is_a_validation_error(self, sfn):
        with pytest.raises(ClientError) as raised:
            sfn.list_executions()
        assert _code(raised) == "ValidationException"


def test_express_parent_history_has_the_map_run_and_no_iterations(runtime, sfn):
    # GIVEN an observed Express execution of a Distributed Map
    types: list[str] = []

    class Observer:
        def execution_started(self, record):
            pass

        def history_event(self, record, event):
            types.append(event["type"])

        def execution_finished(self, record):
            pass

    runtime.add_observer(Observer())
    machine = create(sfn, "expr", json.dumps({"StartAt": "M", "States": {"M": {
        "Type": "Map", "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "EXPRESS"},
                                         "StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
        "End": True}}}))
    sfn.start_sync_execution(stateMachineArn=machine, input="[1, 2]")
    # THEN its events are the Map Run's, as in a Standard parent
    assert types == ["ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapRunStarted", "MapRunSucceeded",
                     "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"]
