"""What each state did, read from an execution's history events.

Every event belongs to the state entry it follows: an event's ``previousEventId`` chain leads
back to a ``…StateEntered`` event (inside Parallel branches and Map iterations too). Per entry:

- succeeded: exited, and no task attempt failed;
- retried: exited, a task attempt failed and a later one succeeded;
- caught: exited although its last task attempt failed (a Catch took over);
- failed: never exited, and the execution is over (or a Fail state);
- running: never exited, and the execution still runs.

A state's outcome over all its entries (Map iterations, loops) is the worst of them; a state
never entered was "not run". Errors a Catch handles in a Pass or Choice state leave no event
of their own, so such an entry shows as succeeded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypedDict

from stepfunctions_local.console.graph import all_states, transitions
from stepfunctions_local.observability.logs import epoch_ms

_FAILURES = frozenset({
    "TaskFailed", "TaskTimedOut", "TaskStartFailed", "TaskSubmitFailed", "LambdaFunctionFailed",
    "LambdaFunctionTimedOut", "LambdaFunctionStartFailed", "LambdaFunctionScheduleFailed", "EvaluationFailed",
})
_SUCCESSES = frozenset({"TaskSucceeded", "LambdaFunctionSucceeded"})
_SCHEDULED = frozenset({"TaskScheduled", "LambdaFunctionScheduled"})
_RANK = {"not run": 0, "succeeded": 1, "running": 2, "retried": 3, "caught": 4, "failed": 5}


class StateSummary(TypedDict):
    """A state over all its entries, as the console's execution page reads it."""

    outcome: str  # a key of _RANK: the worst entry's
    entries: int
    attempts: int
    failures: int
    error: str | None  # the last task error seen


@dataclass
class Entry:
    """One time a state was entered."""

    state: str
    type: str
    entered: dict
    events: list[dict] = field(default_factory=list)
    exited: dict | None = None
    attempts: int = 0
    failures: int = 0
    last_attempt_failed: bool = False
    error: str | None = None

    def outcome(self, execution_running: bool) -> str:
        if self.exited is None:
            if self.type == "Fail":
                return "failed"
            return "running" if execution_running else "failed"
        if self.last_attempt_failed:
            return "caught"
        return "retried" if self.failures else "succeeded"


def entries(events: list[dict]) -> list[Entry]:
    """Every state entry, in the order they were entered, with the events that belong to it."""
    found: list[Entry] = []
    owner: dict[int, Entry | None] = {}
    entry: Entry | None
    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            details = event.get("stateEnteredEventDetails", {})
            entry = Entry(details.get("name", "?"), kind[: -len("StateEntered")], event)
            found.append(entry)
            owner[event["id"]] = entry
            continue
        if kind.endswith("StateExited"):
            # By name: after its branches, a Parallel's or Map's exit follows a branch's last event.
            name = event.get("stateExitedEventDetails", {}).get("name")
            entry = next((e for e in reversed(found) if e.state == name and e.exited is None), None)
            owner[event["id"]] = None  # what follows an exit belongs to the next state entered
            if entry is not None:
                entry.events.append(event)
                entry.exited = event
            continue
        entry = owner.get(event.get("previousEventId", 0))
        owner[event["id"]] = entry
        if entry is None:
            continue
        entry.events.append(event)
        if kind in _SCHEDULED:
            entry.attempts += 1
        elif kind in _FAILURES:
            entry.failures += 1
            entry.last_attempt_failed = True
            entry.error = _details(event).get("error")
        elif kind in _SUCCESSES:
            entry.last_attempt_failed = False
    return found


def summarise(definition: dict, events: list[dict], status: str, started: float,
              stopped: float | None) -> dict[str, Any]:
    """Outcome per state, the transitions taken, and a timeline of state entries."""
    running = status == "RUNNING"
    known = all_states(definition)
    states = {name: _not_run() for name in known}
    found = entries(events)
    for entry in found:
        summary = states.setdefault(entry.state, _not_run())
        outcome = entry.outcome(running)
        if _RANK[outcome] > _RANK[summary["outcome"]]:
            summary["outcome"] = outcome
        summary["entries"] += 1
        summary["attempts"] += entry.attempts
        summary["failures"] += entry.failures
        summary["error"] = entry.error or summary["error"]
    start_ms = started * 1000
    end_ms = stopped * 1000 if stopped is not None else None
    timeline = []
    for entry in found:
        begin = epoch_ms(entry.entered["timestamp"])
        last = entry.exited or (entry.events[-1] if entry.events else entry.entered)
        finish = epoch_ms(last["timestamp"]) if entry.exited or end_ms is None else end_ms
        timeline.append({"state": entry.state, "type": entry.type, "outcome": entry.outcome(running),
                         "startMs": max(0.0, begin - start_ms), "durationMs": max(0.0, finish - begin),
                         "enteredEventId": entry.entered["id"]})
    return {"states": states, "taken": taken(known, found), "timeline": timeline}


def _not_run() -> StateSummary:
    return {"outcome": "not run", "entries": 0, "attempts": 0, "failures": 0, "error": None}


def taken(known: dict[str, dict], found: list[Entry]) -> list[list[str | None]]:
    """Transitions (from, to) the execution went through; None stands for its start or end.

    After a state exits, the next state entered among its targets (Next, Choices, Default,
    Catch) is where it went; a Parallel or Map that was entered went into its branches' first states.
    """
    pairs: set[tuple[str | None, str | None]] = set()
    entered_ids = [(entry.entered["id"], entry.state) for entry in found]
    if found:
        pairs.add((None, found[0].state))
    for entry in found:
        body = known.get(entry.state, {})
        for program in _programs(body):
            pairs.add((entry.state, program.get("StartAt")))
        if entry.exited is None:
            continue
        targets = {target for target, _ in transitions(body)}
        following = next((name for event_id, name in entered_ids
                          if event_id > entry.exited["id"] and name in targets), None)
        if following is not None:
            pairs.add((entry.state, following))
        if body.get("End") is True or body.get("Type") == "Succeed":
            pairs.add((entry.state, None))
    pairs |= _branch_ends(known, found)
    return [list(pair) for pair in pairs]


def _programs(body: dict) -> list[dict]:
    """A Parallel's branches or a Map's item processor."""
    programs = [program for program in body.get("Branches") or [] if isinstance(program, dict)]
    processor = body.get("ItemProcessor") or body.get("Iterator")
    if isinstance(processor, dict):
        programs.append(processor)
    return programs


def _branch_ends(known: dict[str, dict], found: list[Entry]) -> set[tuple[str | None, str | None]]:
    """(end state of a branch, its Parallel/Map) for each branch end that exited."""
    exited = {entry.state for entry in found if entry.exited is not None}
    pairs: set[tuple[str | None, str | None]] = set()
    for name, body in known.items():
        for program in _programs(body):
            for inner, inner_body in (program.get("States") or {}).items():
                ends = inner_body.get("End") is True or inner_body.get("Type") == "Succeed"
                if ends and inner in exited:
                    pairs.add((inner, name))
    return pairs


def _details(event: dict) -> dict:
    return next((value for key, value in event.items() if key.endswith("EventDetails")), {})
