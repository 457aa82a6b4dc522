"""Retry and Catch: matching, backoff through the clock, error output, terminal errors, task timeouts."""
from __future__ import annotations

import threading

from stepfunctions_local.clock import ManualClock
from stepfunctions_local.exceptions import StatesError

from .interpreter_support import LAMBDA_ARN, FakeTasks, History, failing, run

BOOM = StatesError("Custom.Boom", "it broke")


def task_machine(retry=None, catch=None, **task):
    state = {"Type": "Task", "Resource": LAMBDA_ARN, "Next": "Done", **task}
    if retry is not None:
        state["Retry"] = retry
    states = {"Work": state, "Done": {"Type": "Succeed"}}
    if catch is not None:
        state["Catch"] = catch
        states["Recover"] = {"Type": "Pass", "End": True}
    return {"StartAt": "Work", "States": states}


class TestRetry:
    def test_retries_with_default_interval_and_backoff(self):
        # GIVEN a task failing twice and a retrier with defaults
        tasks = FakeTasks(worker=failing(BOOM, BOOM))
        clock = ManualClock()
        # WHEN the machine runs
        result = run(task_machine(retry=[{"ErrorEquals": ["Custom.Boom"]}]), {"a": 1}, tasks=tasks, clock=clock)
        # THEN it succeeds after sleeping 1 s then 2 s
        assert result.status == "SUCCEEDED"
        assert clock.sleeps == [1.0, 2.0]
        assert len(tasks.calls) == 3

    def test_gives_up_after_max_attempts(self):
        tasks = FakeTasks(worker=failing(BOOM, BOOM, BOOM))
        clock = ManualClock()
        retry = [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 3, "MaxAttempts": 2, "BackoffRate": 1.5}]
        result = run(task_machine(retry=retry), tasks=tasks, clock=clock)
        assert (result.status, result.error, result.cause) == ("FAILED", "Custom.Boom", "it broke")
        assert clock.sleeps == [3.0, 4.5]

    def test_max_delay_caps_the_backoff(self):
        tasks = FakeTasks(worker=failing(BOOM, BOOM, BOOM))
        clock = ManualClock()
        retry = [{"ErrorEquals": ["Custom.Boom"], "IntervalSeconds": 2, "BackoffRate": 10, "MaxDelaySeconds": 5}]
        run(task_machine(retry=retry), tasks=tasks, clock=clock)
        assert clock.sleeps == [2.0, 5.0, 5.0]

    def test_full_jitter_waits_at_most_the_backoff(self):
        tasks = FakeTasks(worker=failing(BOOM, BOOM, BOOM))
        clock = ManualClock()
        retry = [{"ErrorEquals": ["Custom.Boom"], "IntervalSeconds": 4, "JitterStrategy": "FULL"}]
        run(task_machine(retry=retry), tasks=tasks, clock=clock)
        assert [0 <= s <= limit for s, limit in zip(clock.sleeps, [4, 8, 16], strict=True)] == [True, True, True]

    def test_zero_max_attempts_never_retries(self):
        tasks = FakeTasks(worker=failing(BOOM))
        result = run(task_machine(retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 0}]), tasks=tasks)
        assert result.error == "Custom.Boom"
        assert len(tasks.calls) == 1

    def test_retry_count_is_in_the_context_object(self):
        tasks = FakeTasks(worker=failing(BOOM))
        run(task_machine(retry=[{"ErrorEquals": ["States.ALL"]}]), tasks=tasks)
        assert [call["context"]["State"]["RetryCount"] for call in tasks.calls] == [0, 1]

    def test_only_the_first_matching_retrier_is_used(self):
        tasks = FakeTasks(worker=failing(BOOM, BOOM))
        retry = [{"ErrorEquals": ["Custom.Boom"], "MaxAttempts": 1}, {"ErrorEquals": ["States.ALL"]}]
        result = run(task_machine(retry=retry), tasks=tasks)
        assert result.error == "Custom.Boom"
        assert len(tasks.calls) == 2


class TestCatch:
    def test_catch_replaces_output_with_error_output(self):
        tasks = FakeTasks(worker=failing(BOOM))
        result = run(task_machine(catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]), {"a": 1}, tasks=tasks)
        assert result.output == {"Error": "Custom.Boom", "Cause": "it broke"}

    def test_catch_result_path_keeps_the_input(self):
        tasks = FakeTasks(worker=failing(BOOM))
        catch = [{"ErrorEquals": ["Custom.Boom"], "ResultPath": "$.error", "Next": "Recover"}]
        result = run(task_machine(catch=catch), {"a": 1}, tasks=tasks)
        assert result.output == {"a": 1, "error": {"Error": "Custom.Boom", "Cause": "it broke"}}

    def test_task_failed_matches_everything_but_timeouts(self):
        tasks = FakeTasks(worker=failing(BOOM))
        catch = [{"ErrorEquals": ["States.TaskFailed"], "Next": "Recover"}]
        assert run(task_machine(catch=catch), tasks=tasks).status == "SUCCEEDED"
        timeouts = FakeTasks(worker=failing(StatesError("States.Timeout")))
        assert run(task_machine(catch=catch), tasks=timeouts).error == "States.Timeout"

    def test_states_all_does_not_catch_runtime_errors(self):
        catch = [{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]
        result = run(task_machine(catch=catch, Parameters={"x.$": "$.missing"}), {})
        assert result.error == "States.Runtime"

    def test_retry_then_catch(self):
        tasks = FakeTasks(worker=failing(BOOM, BOOM, BOOM, BOOM))
        clock = ManualClock()
        machine = task_machine(retry=[{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
                               catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}])
        result = run(machine, tasks=tasks, clock=clock)
        assert result.status == "SUCCEEDED"
        assert clock.sleeps == [1.0]

    def test_unmatched_error_fails_the_execution(self):
        tasks = FakeTasks(worker=failing(BOOM))
        result = run(task_machine(catch=[{"ErrorEquals": ["Other"], "Next": "Recover"}]), tasks=tasks)
        assert (result.status, result.error) == ("FAILED", "Custom.Boom")

    def test_any_python_exception_from_a_task_becomes_a_task_failure(self):
        def broken(parameters):
            raise KeyError("oops")

        result = run(task_machine(), tasks=FakeTasks(worker=broken))
        assert (result.status, result.error) == ("FAILED", "States.TaskFailed")
        assert "KeyError" in result.cause

    def test_history_records_task_failure_then_catch(self):
        history = History()
        run(task_machine(catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]),
            tasks=FakeTasks(worker=failing(BOOM)), history=history)
        assert history.types == ["TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
                                 "LambdaFunctionFailed", "TaskStateExited", "PassStateEntered", "PassStateExited"]
        assert history.events[3][2] == {"error": "Custom.Boom", "cause": "it broke"}


class TestTaskTimeouts:
    def test_slow_task_times_out(self):
        # GIVEN a task that blocks until released, with TimeoutSeconds 1
        release = threading.Event()
        tasks = FakeTasks(worker=lambda p: release.wait(5))
        # WHEN it runs
        result = run(task_machine(TimeoutSeconds=1), tasks=tasks)
        release.set()
        # THEN the state fails with States.Timeout and the runner saw the timeout
        assert (result.status, result.error) == ("FAILED", "States.Timeout")
        assert tasks.calls[0]["timeout"] == 1

    def test_timeout_seconds_path_reads_the_input(self):
        tasks = FakeTasks()
        run(task_machine(TimeoutSecondsPath="$.limit"), {"limit": 7}, tasks=tasks)
        assert tasks.calls[0]["timeout"] == 7

    def test_timeout_can_be_caught(self):
        release = threading.Event()
        tasks = FakeTasks(worker=lambda p: release.wait(5))
        result = run(task_machine(TimeoutSeconds=1, catch=[{"ErrorEquals": ["States.Timeout"], "Next": "Recover"}]),
                     tasks=tasks)
        release.set()
        assert result.output == {"Error": "States.Timeout", "Cause": ""}


class TestDataLimit:
    def test_oversized_task_result_fails_with_data_limit_exceeded(self):
        # GIVEN a Lambda returning over 256 KiB of multi-byte text (AWS counts UTF-8 bytes)
        tasks = FakeTasks(invoke=lambda p: {"Payload": "é" * 140_000})
        definition = {"StartAt": "Work", "States": {"Work": {
            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True}}}
        # WHEN it runs
        result = run(definition, tasks=tasks)
        # THEN the task fails with AWS's error and cause
        assert (result.error, result.cause) == (
            "States.DataLimitExceeded",
            "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service "
            "limit.")

    def test_data_limit_exceeded_is_caught_by_states_all(self):
        tasks = FakeTasks(worker=lambda p: "x" * 300_000)
        result = run(task_machine(catch=[{"ErrorEquals": ["States.ALL"], "Next": "Recover"}]), tasks=tasks)
        assert result.output["Error"] == "States.DataLimitExceeded"
        assert result.output["Cause"].startswith(f"The state/task '{LAMBDA_ARN}' returned a result")
