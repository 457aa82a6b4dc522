"""Map Runs of Distributed Map states: DescribeMapRun, ListMapRuns, UpdateMapRun."""
from __future__ import annotations

from typing import Any

from ..api_errors import ApiError, validation_error, violation
from ..map_runs import COUNTERS, MapRun, MapRuns
from ..records import Store
from .common import execution, map_run, page


class MapRunsApi:
    def __init__(self, store: Store, runs: MapRuns) -> None:
        self._store = store
        self._runs = runs

    def describe_map_run(self, *, mapRunArn: str) -> dict:
        run = self._run(mapRunArn)
        with self._runs.lock:
            answer: dict[str, Any] = {
                "mapRunArn": run.arn, "executionArn": run.execution_arn, "status": run.status,
                "startDate": run.started, "maxConcurrency": run.max_concurrency,
                "toleratedFailurePercentage": float(run.tolerated_percentage or 0.0),
                "toleratedFailureCount": int(run.tolerated_count or 0),
                "itemCounts": _counts(run.items), "executionCounts": _counts(run.executions),
                "redriveCount": run.redrive_count,
            }
            if run.stopped is not None:
                answer["stopDate"] = run.stopped
            if run.redrive_date is not None:
                answer["redriveDate"] = run.redrive_date
        return answer

    def list_map_runs(self, *, executionArn: str, maxResults: int = 0, nextToken: str | None = None) -> dict:
        record = execution(self._store, executionArn)
        with self._runs.lock:
            runs = [run for run in self._runs.runs.values() if run.execution_arn == record.arn]
            items = []
            for run in sorted(runs, key=lambda r: r.started, reverse=True):
                item = {"executionArn": run.execution_arn, "mapRunArn": run.arn,
                        "stateMachineArn": run.state_machine_arn, "startDate": run.started}
                if run.stopped is not None:
                    item["stopDate"] = run.stopped
                items.append(item)
        return page(items, "mapRuns", maxResults, nextToken)

    def update_map_run(self, *, mapRunArn: str, maxConcurrency: int | None = None,
                       toleratedFailurePercentage: float | None = None,
                       toleratedFailureCount: int | None = None) -> dict:
        run = self._run(mapRunArn)
        if maxConcurrency is None and toleratedFailurePercentage is None and toleratedFailureCount is None:
            raise ApiError("ValidationException", "Must provide at least one of maxConcurrency, "
                                                  "toleratedFailurePercentage or toleratedFailureCount")
        _at_least_zero("maxConcurrency", maxConcurrency)
        _at_least_zero("toleratedFailureCount", toleratedFailureCount)
        _at_least_zero("toleratedFailurePercentage", toleratedFailurePercentage)
        if toleratedFailurePercentage is not None and toleratedFailurePercentage > 100:
            raise validation_error(violation("toleratedFailurePercentage", toleratedFailurePercentage,
                                             "Member must have value less than or equal to 100"))
        with self._runs.lock:
            if maxConcurrency is not None:
                run.max_concurrency = maxConcurrency
            if toleratedFailureCount is not None:
                run.tolerated_count = toleratedFailureCount
            if toleratedFailurePercentage is not None:
                run.tolerated_percentage = toleratedFailurePercentage
        return {}

    def _run(self, arn: str) -> MapRun:
        return map_run(self._runs, arn)


def _counts(counts: dict[str, int]) -> dict[str, int]:
    return {key: counts[key] for key in COUNTERS} | {"failuresNotRedrivable": 0, "pendingRedrive": 0}


def _at_least_zero(member: str, value: float | None) -> None:
    if value is not None and value < 0:
        raise validation_error(violation(member, value, "Member must have value greater than or equal to 0"))

