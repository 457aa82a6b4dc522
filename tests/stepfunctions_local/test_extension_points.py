"""Execution observers and the task interceptor: what other parts of the runtime build on."""
from __future__ import annotations

import json
import threading
import time

import pytest

from stepfunctions_local.interception import InterceptResult

from .service_support import create, definition

LAMBDA = "arn:aws:lambda:us-east-1:000000000000:function:work"


class Recorder:
    """An observer keeping every call it gets."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, object]] = []
        self.finished = threading.Event()
        self._lock = threading.Lock()

    def execution_started(self, record):
        with self._lock:
            self.calls.append(("started", record.name, record.status))

    def history_event(self, record, event):
        with self._lock:
            self.calls.append(("event", record.name, event["type"]))

    def execution_finished(self, record):
        with self._lock:
            self.calls.append(("finished", record.name, record.status))
        self.finished.set()


class Broken:
    def execution_started(self, record):
        raise RuntimeError("observer bug")

    history_event = execution_finished = execution_started


class Mocks:
    """A task interceptor answering by (test case, state name); None for anything else."""

    def __init__(self, answers: dict[tuple[str, str], InterceptResult]) -> None:
        self.answers = answers
        self.seen: list[tuple[str | None, str, str, object]] = []

    def intercept(self, execution, state_name, resource, parameters):
        self.seen.append((execution.test_case, state_name, resource, parameters))
        return self.answers.get((execution.test_case, state_name))


@pytest.fixture
def work(runtime):
    runtime.register_lambda("work", lambda event, context: {"real": True})


class TestExecutionObservers:
    def test_express_sync_execution_is_observed_with_its_full_history(self, runtime, sfn, work):
        # GIVEN an observer and an Express machine calling a Lambda
        recorder = Recorder()
        runtime.add_observer(recorder)
        arn = create(sfn, "flow", definition({"Call": {"Type": "Task", "Resource": LAMBDA, "End": True}}))
        # WHEN it runs synchronously
        sfn.start_sync_execution(stateMachineArn=arn, name="one", input="{}")
        # THEN the observer saw it start, every event in order, and its end
        assert recorder.calls == [
            ("started", "one", "RUNNING"),
            ("event", "one", "ExecutionStarted"), ("event", "one", "TaskStateEntered"),
            ("event", "one", "LambdaFunctionScheduled"), ("event", "one", "LambdaFunctionStarted"),
            ("event", "one", "LambdaFunctionSucceeded"), ("event", "one", "TaskStateExited"),
            ("event", "one", "ExecutionSucceeded"),
            ("finished", "one", "SUCCEEDED"),
        ]

    def test_an_express_execution_tells_the_wanted_events_once_it_ends(self, runtime, sfn):
        # GIVEN an observer wanting two event types, and a Lambda noting what it was told so far
        recorder = Recorder()
        recorder.history_event_types = lambda record: {"TaskStateEntered", "ExecutionFailed"}
        runtime.add_observer(recorder)
        told_while_running = []
        runtime.register_lambda("work", lambda event, context: told_while_running.extend(recorder.calls) or {})
        arn = create(sfn, "flow", definition({"Call": {"Type": "Task", "Resource": LAMBDA, "Next": "Stop"},
                                              "Stop": {"Type": "Fail", "Error": "Bad", "Cause": "why"}}))
        # WHEN one Express execution runs and fails
        sfn.start_sync_execution(stateMachineArn=arn, name="one", input="{}")
        # THEN nothing was told while it ran; then the wanted events, in id order, before its end
        assert told_while_running == [("started", "one", "RUNNING")]
        assert recorder.calls[1:] == [("event", "one", "TaskStateEntered"), ("event", "one", "ExecutionFailed"),
                                      ("finished", "one", "FAILED")]

    def test_standard_record_exposes_what_observers_need(self, runtime, sfn):
        # GIVEN an observer keeping the finished record of a Standard execution
        records = []

        class Keep(Recorder):
            def execution_finished(self, record):
                records.append(record)
                self.finished.set()

        keep = Keep()
        runtime.add_observer(keep)
        text = definition({"Fail": {"Type": "Fail", "Error": "E", "Cause": "why"}})
        arn = create(sfn, "std", text, "STANDARD")
        # WHEN an execution fails
        sfn.start_execution(stateMachineArn=arn, name="two", input='{"a": 1}')
        assert keep.finished.wait(5)
        # THEN the record names the execution, its machine, its outcome, its history and the configuration
        [record] = records
        assert (record.name, record.state_machine_name, record.state_machine_type, record.status) == (
            "two", "std", "STANDARD", "FAILED")
        assert (record.input, record.error, record.cause, record.definition) == ('{"a": 1}', "E", "why", text)
        assert record.stopped is not None and record.logging_configuration["level"] == "OFF"
        assert [event["type"] for event in record.events][-1] == "ExecutionFailed"

    def test_nested_and_async_express_executions_are_observed_too(self, runtime, sfn):
        # GIVEN an observer, and an Express parent starting an Express child through aws-sdk:sfn
        recorder = Recorder()
        runtime.add_observer(recorder)
        child = create(sfn, "child", definition({"Done": {"Type": "Pass", "End": True}}))
        parent = create(sfn, "parent", definition({"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:startSyncExecution",
            "Parameters": {"StateMachineArn": child, "Name": "kid"}, "End": True}}))
        # WHEN the parent is started asynchronously
        sfn.start_execution(stateMachineArn=parent, name="mom")
        # THEN both executions were started and finished in the observer's eyes
        for _ in range(500):  # the parent runs in a thread of its own
            finished = [call[1] for call in recorder.calls if call[0] == "finished"]
            if len(finished) == 2:
                break
            time.sleep(0.01)
        assert sorted(finished) == ["kid", "mom"]
        assert sorted(call[1] for call in recorder.calls if call[0] == "started") == ["kid", "mom"]

    def test_a_failing_observer_changes_no_answer(self, runtime, sfn):
        # GIVEN an observer raising on every call
        runtime.add_observer(Broken())
        arn = create(sfn, "flow", definition({"Done": {"Type": "Pass", "Result": 1, "End": True}}))
        # WHEN an execution runs
        response = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        # THEN it succeeds as if nobody were watching
        assert (response["status"], response["output"]) == ("SUCCEEDED", "1")


class FinishedOnly(Recorder):
    """Wants no event one by one: reads ``record.events`` once the execution finished."""

    def __init__(self, event_types=()) -> None:
        super().__init__()
        self.event_types = event_types
        self.histories: list[list[dict]] = []
        self.records: list = []

    def history_event_types(self, record):
        return self.event_types

    def execution_finished(self, record):
        self.histories.append(record.events)
        self.records.append(record)
        super().execution_finished(record)


PARALLEL = definition({
    "Split": {"Type": "Parallel", "Next": "Shape", "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": {"a": 1}, "End": True}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": LAMBDA, "End": True}}}]},
    "Shape": {"Type": "Pass", "Parameters": {"first.$": "$[0].a"}, "Next": "Done"},
    "Done": {"Type": "Succeed"}})


class TestObserverEventTypes:
    def test_history_read_at_the_end_equals_the_one_told_event_by_event(self, runtime, sfn, work):
        # GIVEN one runtime whose observer is told every event, one whose observer reads the history at the end
        told, other = Recorder(), runtime.__class__(clock=runtime.clock)
        other.register_lambda("work", lambda event, context: {"real": True})
        kept_per_event: list[dict] = []
        told.history_event = lambda record, event: kept_per_event.append(event)
        runtime.add_observer(told)
        reader = FinishedOnly()
        other.add_observer(reader)
        # WHEN the same Express execution (a Parallel branch calling a Lambda) runs in both
        for rt in (runtime, other):
            arn = create(rt.client(), "flow", PARALLEL)
            rt.client().start_sync_execution(stateMachineArn=arn, name="same", input='{"in": "é"}')
        # THEN both histories have the same events, ids, links and details (only the ARN's uuid and times differ)
        [read] = reader.histories

        def shape(events):
            return [{k: v for k, v in event.items() if k != "timestamp"} for event in events]

        assert shape(read) == shape(kept_per_event)
        assert [event["type"] for event in read][:3] == ["ExecutionStarted", "ParallelStateEntered",
                                                         "ParallelStateStarted"]
        assert read[-1]["executionSucceededEventDetails"] == {"output": '{"first":1}',
                                                              "outputDetails": {"truncated": False}}

    def test_the_same_event_dict_is_handed_out_each_time(self, runtime, sfn):
        # GIVEN an observer reading the history at the end
        reader = FinishedOnly()
        runtime.add_observer(reader)
        arn = create(sfn, "flow", definition({"Done": {"Type": "Pass", "End": True}}))
        # WHEN an execution runs and its history is read twice
        sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        # THEN the second read gives the very dicts of the first
        [events] = reader.histories
        again = reader.records[0].events
        assert again == events and all(a is b for a, b in zip(again, events, strict=True))

    def test_observer_is_told_only_the_event_types_it_wants(self, runtime, sfn):
        # GIVEN an observer wanting failures only, and one wanting every event
        failures, everything = FinishedOnly({"ExecutionFailed", "FailStateEntered"}), Recorder()
        runtime.add_observer(failures)
        runtime.add_observer(everything)
        arn = create(sfn, "flow", definition({"Go": {"Type": "Pass", "Next": "Stop"},
                                              "Stop": {"Type": "Fail", "Error": "E"}}))
        # WHEN an execution fails
        sfn.start_sync_execution(stateMachineArn=arn, name="x", input="{}")
        # THEN the first was told of the failure events only, the second of all of them, in order
        assert [call[2] for call in failures.calls if call[0] == "event"] == ["FailStateEntered", "ExecutionFailed"]
        assert [call[2] for call in everything.calls if call[0] == "event"] == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"]
        assert [event["type"] for event in failures.histories[0]] == [
            "ExecutionStarted", "PassStateEntered", "PassStateExited", "FailStateEntered", "ExecutionFailed"]

    def test_oversized_output_of_a_history_read_at_the_end_has_no_exit(self, runtime, sfn):
        # GIVEN an observer reading the history at the end, and a last state over the 256 KiB quota
        reader = FinishedOnly()
        runtime.add_observer(reader)
        arn = create(sfn, "flow", definition({"Big": {"Type": "Pass", "Result": "a" * 257 * 1024, "End": True}}))
        # WHEN it runs
        response = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        # THEN it fails as AWS records it: no Exited event, the failure takes the next id
        assert (response["status"], response["error"]) == ("FAILED", "States.DataLimitExceeded")
        [events] = reader.histories
        assert [(event["type"], event["id"]) for event in events] == [
            ("ExecutionStarted", 1), ("PassStateEntered", 2), ("ExecutionFailed", 3)]


class TestTaskInterceptor:
    def test_test_case_suffix_selects_the_machine_and_reaches_the_interceptor(self, runtime, sfn, work):
        # GIVEN an interceptor answering the "Call" state for test case "Happy"
        mocks = Mocks({("Happy", "Call"): InterceptResult.returns({"Payload": {"mocked": 1}})})
        runtime.set_task_interceptor(mocks)
        arn = create(sfn, "flow", definition({"Call": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "work"},
            "ResultSelector": {"value.$": "$.Payload.mocked"}, "ResultPath": "$.result", "End": True}}))
        # WHEN the execution starts on "<arn>#Happy"
        response = sfn.start_sync_execution(stateMachineArn=f"{arn}#Happy", input='{"in": 0}')
        # THEN the mocked response went through ResultSelector and ResultPath; the ARN names the machine
        assert json.loads(response["output"]) == {"in": 0, "result": {"value": 1}}
        assert response["stateMachineArn"] == arn
        assert mocks.seen == [("Happy", "Call", "arn:aws:states:::lambda:invoke", {"FunctionName": "work"})]

    def test_no_answer_calls_the_real_resource(self, runtime, sfn, work):
        # GIVEN an interceptor that answers nothing
        runtime.set_task_interceptor(Mocks({}))
        arn = create(sfn, "flow", definition({"Call": {"Type": "Task", "Resource": LAMBDA, "End": True}}))
        # WHEN an execution runs without a test case
        response = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        # THEN the real Lambda answered
        assert json.loads(response["output"]) == {"real": True}

    def test_mocked_error_is_retried_and_caught(self, runtime, sfn, work):
        # GIVEN a task whose mock always fails with a custom error, retried once and then caught
        runtime.set_task_interceptor(Mocks({("Sad", "Call"): InterceptResult.throws("Custom.Error", "boom")}))
        arn = create(sfn, "flow", definition({
            "Call": {"Type": "Task", "Resource": LAMBDA, "End": True,
                     "Retry": [{"ErrorEquals": ["Custom.Error"], "MaxAttempts": 1}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handled"}]},
            "Handled": {"Type": "Pass", "End": True}}))
        # WHEN the test case runs
        response = sfn.start_sync_execution(stateMachineArn=f"{arn}#Sad", input="{}")
        # THEN the catcher got AWS's error output
        assert json.loads(response["output"]) == {"Error": "Custom.Error", "Cause": "boom"}

    def test_mocked_callback_task_answers_without_a_token(self, runtime, sfn):
        # GIVEN a Standard machine waiting for a task token, mocked for test case "Approve"
        runtime.set_task_interceptor(Mocks({("Approve", "Ask"): InterceptResult.returns({"approved": True})}))
        arn = create(sfn, "std", definition({"Ask": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}}, "End": True}}), "STANDARD")
        # WHEN it runs as the test case
        execution = sfn.start_execution(stateMachineArn=f"{arn}#Approve", name="e1")["executionArn"]
        assert runtime.wait_for(execution, timeout=5)
        # THEN the mocked response is the callback's output, and the execution's ARN has no suffix
        described = sfn.describe_execution(executionArn=execution)
        assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
        assert execution.endswith(":execution:std:e1")
