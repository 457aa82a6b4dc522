"""Where an execution got to, kept for RedriveExecution.

A Standard execution records, for the machine and for every Parallel branch and Map iteration
it ran, the state it was running (with that state's input and variables) and whether the
program finished. A redrive continues each unfinished program at that state; a branch or
iteration that finished keeps its output and is not run again, as AWS's redrive does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Progress:
    """One program's position: the machine, a Parallel branch or a Map iteration."""

    state: str | None = None  # the state being run when the program stopped; None: not started
    input: Any = None
    variables: dict | None = None
    children: list[Progress] | None = None  # the current Parallel / Map state's branches or iterations
    done: bool = False
    output: Any = None
    map_run: Any = None  # the current Distributed Map state's map_runs.MapRun, continued by a redrive

    def enter(self, state: str, input: Any, variables: dict) -> None:
        self.state, self.input, self.variables, self.children, self.map_run = state, input, dict(variables), None, None

    def finish(self, output: Any) -> None:
        self.done, self.output = True, output

    def resumable(self) -> bool:
        return self.state is not None and not self.done

    def fan_out(self, count: int) -> list[Progress]:
        """The children of the current state; kept from the last attempt when the state is redriven."""
        if self.children is None or len(self.children) != count:
            self.children = [Progress() for _ in range(count)]
        return self.children
