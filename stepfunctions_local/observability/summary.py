"""One short line per finished execution: machine, name, status, duration, states run; never data."""
from __future__ import annotations

import logging

from stepfunctions_local.observability.records import ExecutionRecord

logger = logging.getLogger("stepfunctions_local.executions")


def summary_line(record: ExecutionRecord) -> str:
    # The error name only: a cause can quote the input, which may hold a customer's words.
    outcome = record.status if record.error is None else f"{record.status} ({record.error})"
    duration = "?" if record.duration_ms is None else f"{record.duration_ms:.0f} ms"
    return f"{record.state_machine_name} {record.name} {outcome} in {duration}, {record.states_run} states"


class TerminalSummary:
    """An execution sink that logs ``summary_line`` at INFO to ``stepfunctions_local.executions``."""

    def started(self, record: ExecutionRecord) -> None:
        """Only finished executions are reported."""

    def event(self, record: ExecutionRecord, event: dict) -> None:
        """Only finished executions are reported."""

    def event_types(self, record: ExecutionRecord) -> frozenset[str]:
        return frozenset()  # ``event`` is never needed

    def finished(self, record: ExecutionRecord) -> None:
        if logger.isEnabledFor(logging.INFO):  # the line reads the history: not made for nobody
            logger.info("%s", summary_line(record))
