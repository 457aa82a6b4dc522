"""Many executions at once from many threads give correct, independent results."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

from stepfunctions_local import Runtime

from .service_support import create, definition


def test_concurrent_sync_executions_are_independent():
    # GIVEN an Express machine that calls a Lambda and shapes its result, and 8 threads
    runtime = Runtime()
    runtime.register_lambda("square", lambda event, context: {"square": event["n"] ** 2,
                                                              "thread": threading.get_ident()})
    sfn = runtime.client()
    arn = create(sfn, "flow", definition({
        "Square": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:square",
                   "ResultPath": "$.result", "Next": "Shape"},
        "Shape": {"Type": "Pass", "Parameters": {"n.$": "$.n", "square.$": "$.result.square"}, "End": True},
    }))

    def run(n: int) -> dict:
        return json.loads(sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"n": n}))["output"])

    # WHEN 400 executions run from 8 threads at once
    with ThreadPoolExecutor(max_workers=8) as pool:
        outputs = list(pool.map(run, range(400)))
    # THEN every execution got its own answer
    assert outputs == [{"n": n, "square": n * n} for n in range(400)]


def test_concurrent_standard_executions_keep_separate_histories():
    # GIVEN a Standard machine and 8 threads starting executions
    runtime = Runtime()
    sfn = runtime.client()
    arn = create(sfn, "flow", definition({"Echo": {"Type": "Pass", "End": True}}), "STANDARD")

    def start(n: int) -> str:
        return sfn.start_execution(stateMachineArn=arn, name=f"run-{n}", input=json.dumps({"n": n}))["executionArn"]

    # WHEN 100 executions are started concurrently
    with ThreadPoolExecutor(max_workers=8) as pool:
        arns = list(pool.map(start, range(100)))
    # THEN each finishes with its own output and a four-event history
    for n, execution_arn in enumerate(arns):
        assert runtime.wait_for(execution_arn, timeout=10)
        assert json.loads(sfn.describe_execution(executionArn=execution_arn)["output"]) == {"n": n}
        events = sfn.get_execution_history(executionArn=execution_arn)["events"]
        assert [e["id"] for e in events] == [1, 2, 3, 4]
    assert len(sfn.list_executions(stateMachineArn=arn, maxResults=1000)["executions"]) == 100
