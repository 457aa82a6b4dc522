"""The interpreter's reusable worker threads: no thread per Task, branch or Map item."""
from __future__ import annotations

import threading

import pytest

from stepfunctions_local import interpreter
from stepfunctions_local.workers import Workers
from tests.stepfunctions_local.interpreter_support import FakeTasks, run, single


class TestWorkers:
    def test_a_finished_worker_takes_the_next_job(self):
        # GIVEN a pool that ran one job to its end
        pool = Workers()
        first = pool.submit(threading.get_ident)
        assert first.wait()
        # WHEN a second job is submitted
        second = pool.submit(threading.get_ident)
        assert second.wait()
        # THEN the same thread ran it
        assert second.result() == first.result()

    def test_a_job_that_never_returns_holds_up_no_other(self):
        # GIVEN a job that blocks until released
        pool = Workers()
        release = threading.Event()
        stuck = pool.submit(release.wait)
        # WHEN another job is submitted meanwhile
        other = pool.submit(lambda: 42)
        # THEN it finishes, on another thread, while the first still waits
        assert other.wait(30) and other.result() == 42
        assert not stuck.wait(0)
        release.set()
        assert stuck.wait(30)

    def test_an_error_reaches_the_waiting_thread(self):
        pool = Workers()
        job = pool.submit(lambda: 1 / 0)
        assert job.wait()
        with pytest.raises(ZeroDivisionError):
            job.result()


class RecordingWorkers(Workers):
    def __init__(self) -> None:
        super().__init__()
        self.submitted = 0

    def submit(self, call):
        self.submitted += 1
        return super().submit(call)


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> RecordingWorkers:
    recording = RecordingWorkers()
    monkeypatch.setattr(interpreter, "WORKERS", recording)
    return recording


def pass_map(**fields) -> dict:
    return single({"Type": "Map", "ItemsPath": "$.items", **fields,
                   "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}})


class TestNoThreadPerItem:
    def test_map_of_pass_states_runs_in_the_callers_thread_at_default_concurrency(self, pool, monkeypatch):
        started: list[str] = []
        start = threading.Thread.start
        monkeypatch.setattr(threading.Thread, "start", lambda thread: started.append(thread.name) or start(thread))
        # WHEN a Map whose items cannot wait runs 100 items at default concurrency
        result = run(pass_map(), {"items": list(range(100))})
        # THEN every item is there, in order, and no thread was started or asked for
        assert result.output == list(range(100))
        assert started == [] and pool.submitted == 0

    def test_parallel_branches_with_tasks_still_run_at_the_same_time(self, pool):
        # GIVEN two branches whose tasks each wait for the other to start
        barrier = threading.Barrier(2, timeout=30)
        tasks = FakeTasks(worker=lambda p: barrier.wait() is not None and p)
        task = {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:worker", "End": True}
        branches = [{"StartAt": "T", "States": {"T": dict(task)}} for _ in range(2)]
        # WHEN the Parallel state runs
        result = run(single({"Type": "Parallel", "Branches": branches}), {"n": 1}, tasks=tasks)
        # THEN both finished (only possible side by side), one on the caller's thread, one on a worker
        assert result.status == "SUCCEEDED", result
        assert result.output == [{"n": 1}, {"n": 1}]
        assert pool.submitted == 1

    def test_task_with_timeout_runs_on_a_reused_worker(self, pool):
        # GIVEN a task bounded by TimeoutSeconds, run twice
        task = single({"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:worker",
                       "TimeoutSeconds": 5})
        threads: list[int] = []
        tasks = FakeTasks(worker=lambda p: threads.append(threading.get_ident()) or p)
        run(task, {}, tasks=tasks)
        run(task, {}, tasks=tasks)
        # THEN the same worker thread ran both
        assert pool.submitted == 2 and len(set(threads)) == 1
