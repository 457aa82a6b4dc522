"""What the Runtime remembers: state machines, their versions and aliases, executions, activities, and ARNs."""
from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .history import History
    from .interpreter import Machine
    from .progress import Progress


@dataclass
class StateMachine:
    arn: str
    name: str
    type: str
    definition: str
    role_arn: str
    machine: Machine
    created: datetime
    logging: dict
    tracing: dict
    tags: list[dict]
    # AWS gives a machine a revision id only once it is updated; versions publish revisions
    revision_id: str | None = None
    versions_published: int = 0  # version numbers are never reused, even after a deletion


@dataclass
class Version:
    """A published, immutable snapshot of a state machine (``<machine ARN>:<number>``)."""

    arn: str
    number: int
    snapshot: StateMachine  # the machine as published; its ``arn`` is the unqualified one
    description: str | None
    created: datetime


@dataclass
class Alias:
    """``<machine ARN>:<name>``: routes StartExecution to one or two versions by weight."""

    arn: str
    name: str
    machine_arn: str
    description: str | None
    routing: list[dict]  # [{"stateMachineVersionArn", "weight"}]
    created: datetime
    updated: datetime


@dataclass
class Activity:
    arn: str
    name: str
    created: datetime
    tags: list[dict]
    encryption: dict | None = None


@dataclass(slots=True, weakref_slot=True)  # slots: a console keeps a thousand of them, and each is made on a hot path
class Execution:
    """One execution, Standard or Express; what execution observers and task interceptors see.

    Express executions get a record only when an observer or an interceptor is installed.
    """

    arn: str
    name: str
    state_machine: StateMachine
    input: str
    started: datetime
    # what it started with: updating the state machine does not change running executions
    definition: str
    machine: Machine
    history: History | None = None  # None: an Express execution nobody observes
    test_case: str | None = None  # from StartExecution on "<stateMachineArn>#<TestCaseName>"
    version_arn: str | None = None  # started on a version, or on an alias that routed to it
    alias_arn: str | None = None  # started on an alias
    # Standard only (None for Express, which nothing can stop or wait for through the API)
    stop_requested: threading.Event | None = None
    done: threading.Event | None = None
    status: str = "RUNNING"
    stopped: datetime | None = None
    output: str | None = None
    error: str | None = None
    cause: str | None = None
    # RedriveExecution (Standard only): where the execution got to, how often and when it was redriven,
    # and the client tokens already answered (token -> redriveDate)
    progress: Progress | None = None
    redrive_count: int = 0
    redrive_date: datetime | None = None
    redrive_tokens: dict[str, datetime] | None = None
    worker: threading.Thread | None = None  # the thread running a Standard execution

    @property
    def state_machine_arn(self) -> str:
        return self.state_machine.arn

    @property
    def state_machine_name(self) -> str:
        return self.state_machine.name

    @property
    def state_machine_type(self) -> str:
        return self.state_machine.type

    @property
    def logging_configuration(self) -> dict:
        return self.state_machine.logging

    @property
    def events(self) -> list[dict]:
        """The full event history so far (a copy)."""
        return self.history.snapshot() if self.history is not None else []


class Store:
    """Every record of one Runtime; ``lock`` guards the dicts and the records' mutable fields."""

    def __init__(self) -> None:
        self.machines: dict[str, StateMachine] = {}
        self.versions: dict[str, Version] = {}
        self.aliases: dict[str, Alias] = {}
        self.activities: dict[str, Activity] = {}
        self.executions: dict[str, Execution] = {}  # Standard only: Express ones are not describable
        self.lock = threading.RLock()


@dataclass(frozen=True)
class Arns:
    region: str
    account_id: str

    def state_machine(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:stateMachine:{name}"

    def activity(self, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:activity:{name}"

    def execution(self, machine_name: str, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:execution:{machine_name}:{name}"

    def express_execution(self, machine_name: str, name: str) -> str:
        return f"arn:aws:states:{self.region}:{self.account_id}:express:{machine_name}:{name}:{uuid.uuid4()}"


