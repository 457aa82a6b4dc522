"""Whole executions: time limits, stopping, and many executions of one Machine at once."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from stepfunctions_local.clock import ManualClock, RealClock
from stepfunctions_local.interpreter import compile_definition

from .interpreter_support import LAMBDA_ARN, FakeTasks, context, run, single

WAIT_THEN_PASS = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "Next": "P"},
                                             "P": {"Type": "Pass", "End": True}}}


class TestTimeLimits:
    def test_machine_timeout_seconds_times_out(self):
        # GIVEN a machine with TimeoutSeconds 30 that waits 100 s
        clock = ManualClock()
        # WHEN it runs
        result = run({**WAIT_THEN_PASS, "TimeoutSeconds": 30}, clock=clock)
        # THEN it ends TIMED_OUT after only 30 s of (manual) time
        assert (result.status, result.error) == ("TIMED_OUT", "States.Timeout")
        assert clock.sleeps == [30.0]

    def test_express_limit_times_out(self):
        clock = ManualClock()
        definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 400, "End": True}}}
        result = run(definition, clock=clock, max_duration=300)
        assert result.status == "TIMED_OUT"
        assert clock.sleeps == [300.0]

    def test_the_shorter_limit_wins(self):
        clock = ManualClock()
        definition = {"StartAt": "W", "TimeoutSeconds": 200,
                      "States": {"W": {"Type": "Wait", "Seconds": 400, "End": True}}}
        assert run(definition, clock=clock, max_duration=300).status == "TIMED_OUT"
        assert clock.sleeps == [200.0]

    def test_retries_count_against_the_limit(self):
        from stepfunctions_local.exceptions import StatesError

        from .interpreter_support import failing

        clock = ManualClock()
        tasks = FakeTasks(worker=failing(*[StatesError("E")] * 10))
        state = {"Type": "Task", "Resource": LAMBDA_ARN,
                 "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 10, "MaxAttempts": 10, "BackoffRate": 1}]}
        result = run(single(state, TimeoutSeconds=25), tasks=tasks, clock=clock)
        assert result.status == "TIMED_OUT"
        assert sum(clock.sleeps) == 25


class TestStop:
    def test_stop_before_start_aborts(self):
        stop = threading.Event()
        stop.set()
        assert run(single({"Type": "Pass"}), stop=stop).status == "ABORTED"

    def test_stop_during_a_real_wait_aborts_promptly(self):
        # GIVEN a real-time Wait of 100 s running in another thread
        stop = threading.Event()
        machine = compile_definition(json.dumps(WAIT_THEN_PASS))
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(machine.run, {}, context=context(), tasks=FakeTasks(), clock=RealClock(), stop=stop)
            # WHEN it is stopped
            stop.set()
            # THEN it ends ABORTED (long before the wait would have ended)
            assert future.result(timeout=5).status == "ABORTED"


class TestConcurrency:
    def test_one_machine_runs_in_many_threads_with_independent_results(self):
        # GIVEN one compiled machine that assigns and reads variables
        definition = {"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"me.$": "$.n"}, "Parameters": {"n.$": "$.n"}, "Next": "B"},
            "B": {"Type": "Map", "ItemsPath": "$.items", "ItemSelector": {"v.$": "$$.Map.Item.Value", "me.$": "$me"},
                  "ItemProcessor": {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": True}}},
                  "ResultPath": "$.mapped", "Next": "D"},
            "D": {"Type": "Pass", "Parameters": {"n.$": "$me", "mapped.$": "$.mapped"}, "End": True}}}
        definition["States"]["A"]["Parameters"]["items.$"] = "$.items"
        machine = compile_definition(json.dumps(definition))

        def one(n: int):
            return machine.run({"n": n, "items": [n, n + 1]}, context=context(), tasks=FakeTasks(),
                               clock=ManualClock()).output

        # WHEN 200 executions run on 8 threads
        with ThreadPoolExecutor(8) as pool:
            outputs = list(pool.map(one, range(200)))
        # THEN each got its own answer
        assert outputs == [{"n": n, "mapped": [{"v": n, "me": n}, {"v": n + 1, "me": n}]} for n in range(200)]

    def test_outputs_do_not_share_mutable_data_between_executions(self):
        machine = compile_definition(json.dumps(single({"Type": "Pass", "Result": {"list": [1]}})))
        first = machine.run({}, context=context(), tasks=FakeTasks(), clock=ManualClock()).output
        first["list"].append(2)
        second = machine.run({}, context=context(), tasks=FakeTasks(), clock=ManualClock()).output
        assert second == {"list": [1]}

    def test_jsonata_machine_runs_in_many_threads_with_independent_results(self):
        # GIVEN one compiled JSONata machine with variables, a Map and expressions
        definition = {"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "Assign": {"n": "{% $states.input.n %}"},
                  "Output": {"items": "{% [1..$states.input.n] %}"}, "Next": "M"},
            "M": {"Type": "Map", "Items": "{% $states.input.items %}", "End": True,
                  "ItemProcessor": {"StartAt": "P", "States": {
                      "P": {"Type": "Pass", "Output": "{% $states.input + $n %}", "End": True}}},
                  "Output": {"sum": "{% $sum($states.result) %}", "n": "{% $n %}"}}}}
        machine = compile_definition(json.dumps(definition))

        def one(n: int):
            return machine.run({"n": n}, context=context(), tasks=FakeTasks(), clock=ManualClock()).output

        # WHEN 60 executions run on 8 threads
        with ThreadPoolExecutor(8) as pool:
            outputs = list(pool.map(one, range(1, 61)))
        # THEN each got its own answer
        assert outputs == [{"sum": n * (n + 1) // 2 + n * n, "n": n} for n in range(1, 61)]
