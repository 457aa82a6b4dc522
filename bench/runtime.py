"""stepfunctions_local against moto on the same 4-state machine, measured side by side.

Ours: ``start_sync_execution`` through the in-process client. moto 5.2.5: ``mock_aws`` with
``execute_state_machine`` on (so it really runs the definition), ``start_execution`` then
``describe_execution`` until the execution is no longer RUNNING.
Map over 1,000 items: the same Map state at its default concurrency (MaxConcurrency 0) and
one item at a time, compared with the figure measured before issue 15's changes.
``python -m bench.runtime --quick`` runs a short version.
"""
from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import stepfunctions_local
from bench._targets import Target

ROLE_ARN = "arn:aws:iam::000000000000:role/bench"
INPUT = json.dumps({"order": {"id": "A-1", "total": 42}})
DEFINITION = json.dumps({
    "StartAt": "Shape",
    "States": {
        "Shape": {"Type": "Pass", "Parameters": {"id.$": "$.order.id", "total.$": "$.order.total"},
                  "Next": "Route"},
        "Route": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 10, "Next": "Mark"}],
                  "Default": "Mark"},
        "Mark": {"Type": "Pass", "Result": "large", "ResultPath": "$.size", "Next": "Done"},
        "Done": {"Type": "Succeed"},
    },
})
EXPECTED = {"id": "A-1", "total": 42, "size": "large"}
MAP_ITEMS = 1000
# CPU ms of Map over 1,000 items at default concurrency before issue 15's runtime changes: median of
# three runs side by side with them, on the 2-core machine (docs/performance.md). The issue quotes
# ~24 ms wall for an older runtime that started a thread per item.
MAP_BEFORE_MS = 9.8
# moto / ours per execution before issue 15 (same bench and machine): the "unchanged or better".
MOTO_RATIO_BEFORE = 155.0


def _map_definition(max_concurrency: int) -> str:
    return json.dumps({
        "StartAt": "Each",
        "States": {"Each": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": max_concurrency, "End": True,
            "ItemProcessor": {"StartAt": "Double", "States": {
                "Double": {"Type": "Pass", "Parameters": {"value.$": "$"}, "End": True}}},
        }},
    })


def _seconds_per_call(call: Callable[[], None], count: int) -> float:
    for _ in range(max(1, count // 10)):  # warm caches on both sides before timing
        call()
    gc.collect()  # what earlier benchmarks left behind is not this one's to collect
    start = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - start) / count


def ours(count: int, recorded: str | None = None) -> float:
    """``recorded="kept"``: as under ``make run``, every execution is kept for the console (the newest 1,000);
    ``"made"``: each execution's record and history are made for an observer, but none is kept."""
    runtime = stepfunctions_local.Runtime()
    if recorded is not None:
        from stepfunctions_local.observability import ExecutionStore, observe

        observe(runtime, *([ExecutionStore()] if recorded == "kept" else []))
    sfn = runtime.client()
    arn = sfn.create_state_machine(name="bench", definition=DEFINITION, roleArn=ROLE_ARN,
                                   type="EXPRESS")["stateMachineArn"]

    def run() -> None:
        response = sfn.start_sync_execution(stateMachineArn=arn, input=INPUT)
        assert json.loads(response["output"]) == EXPECTED

    return _seconds_per_call(run, count)


def ours_threaded(count: int, threads: int) -> float:
    """Executions per second with ``threads`` callers sharing one Runtime."""
    sfn = stepfunctions_local.client()
    arn = sfn.create_state_machine(name="bench", definition=DEFINITION, roleArn=ROLE_ARN,
                                   type="EXPRESS")["stateMachineArn"]

    def run(_: int) -> None:
        sfn.start_sync_execution(stateMachineArn=arn, input=INPUT)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(run, range(threads)))
        start = time.perf_counter()
        list(pool.map(run, range(count)))
        return count / (time.perf_counter() - start)


def map_ms(max_concurrency: int, repeats: int) -> tuple[float, float]:
    """One Express execution whose Map runs a Pass state over MAP_ITEMS items: median wall ms, mean CPU ms.

    CPU time (every thread of this process) is the figure compared: on a shared 2-core machine the
    wall clock mostly measures the neighbours.
    """
    sfn = stepfunctions_local.client()
    arn = sfn.create_state_machine(name=f"map-{max_concurrency}", definition=_map_definition(max_concurrency),
                                   roleArn=ROLE_ARN, type="EXPRESS")["stateMachineArn"]
    payload = json.dumps({"items": list(range(MAP_ITEMS))})
    times = []
    for attempt in range(repeats + 2):
        if attempt == 2:  # the first two warm caches
            gc.collect()
            cpu = time.process_time()
        start = time.perf_counter()
        response = sfn.start_sync_execution(stateMachineArn=arn, input=payload)
        times.append((time.perf_counter() - start) * 1000)
        assert response["status"] == "SUCCEEDED" and len(json.loads(response["output"])) == MAP_ITEMS, response
    return statistics.median(times[2:]), (time.process_time() - cpu) * 1000 / repeats


def moto(count: int) -> float:
    import boto3
    from moto import mock_aws

    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        sfn = boto3.client("stepfunctions", region_name="us-east-1")
        arn = sfn.create_state_machine(name="bench", definition=DEFINITION, roleArn=ROLE_ARN)["stateMachineArn"]

        def run() -> None:
            # moto's executing backend needs a name (it would reuse "None" for every execution).
            name = uuid.uuid4().hex
            execution_arn = sfn.start_execution(stateMachineArn=arn, name=name, input=INPUT)["executionArn"]
            while (described := sfn.describe_execution(executionArn=execution_arn))["status"] == "RUNNING":
                time.sleep(0.0005)  # yield the GIL to moto's execution thread
            assert json.loads(described["output"]) == EXPECTED, described

        return _seconds_per_call(run, count)


def main(quick: bool = False) -> list[Target]:
    ours_count, moto_count, threaded_count = (1000, 20, 2000) if quick else (3000, 200, 8000)
    map_repeats = 5 if quick else 15
    # Without and with the record alternated, best of three each: the machine's load moves between runs.
    plain, made, recorded = [], [], []
    for _ in range(3):
        plain.append(ours(ours_count // 3))
        made.append(ours(ours_count // 3, recorded="made"))
        recorded.append(ours(ours_count // 3, recorded="kept"))
    ours_seconds, made_seconds, recorded_seconds = min(plain), min(made), min(recorded)
    moto_seconds = moto(moto_count)
    per_second = ours_threaded(threaded_count, threads=8)
    print(f"{'4-state Express execution':<40}{'per execution':>16}{'executions':>12}")
    print(f"{'stepfunctions_local start_sync_execution':<40}{ours_seconds * 1e6:>13.1f} us{ours_count:>12}")
    print(f"{'  ... records made, none kept':<40}{made_seconds * 1e6:>13.1f} us{ours_count:>12}")
    print(f"{'  ... with the console record (1,000)':<40}{recorded_seconds * 1e6:>13.1f} us{ours_count:>12}")
    print(f"{'  ratio (with the record / without)':<40}{recorded_seconds / ours_seconds:>15.2f}x")
    print(f"{'moto 5.2.5 start + describe until done':<40}{moto_seconds * 1e6:>13.1f} us{moto_count:>12}")
    print(f"{'ratio (moto / ours)':<40}{moto_seconds / ours_seconds:>15.1f}x")
    print(f"{'ours, 8 threads, one Runtime':<40}{per_second:>11.0f} /s{threaded_count:>12}")
    (map_default_wall, map_default), (map_serial_wall, map_serial) = map_ms(0, map_repeats), map_ms(1, map_repeats)
    print(f"{'Map over 1,000 items':<40}{'wall ms':>10}{'CPU ms':>10}{'executions':>12}")
    print(f"{'  default concurrency':<40}{map_default_wall:>10.2f}{map_default:>10.2f}{map_repeats:>12}")
    print(f"{'  MaxConcurrency 1':<40}{map_serial_wall:>10.2f}{map_serial:>10.2f}{map_repeats:>12}")
    return [
        Target("runtime per execution: moto / ours", f"{moto_seconds * 1e6:.0f} us / {ours_seconds * 1e6:.1f} us",
               moto_seconds / ours_seconds, f">= {MOTO_RATIO_BEFORE:.0f}", "before: ~155-222x"),
        Target("runtime with the console record / without", f"{recorded_seconds * 1e6:.1f} us / "
               f"{ours_seconds * 1e6:.1f} us", recorded_seconds / ours_seconds, "<= 1.10",
               f"issue 11; before: ~3x; made, none kept: {made_seconds / ours_seconds:.2f}x"),
        Target("Map 1,000 items default conc.: before / now", f"{MAP_BEFORE_MS:.1f} ms / {map_default:.2f} ms",
               MAP_BEFORE_MS / map_default, ">= 3", f"CPU ms; MaxConcurrency 1 now: {map_serial:.2f} ms"),
    ]


if __name__ == "__main__":
    main(quick="--quick" in sys.argv[1:])
