"""Compiled states, one frozen type per ASL state kind, and the small typed values they hold.

The compiler (``definition.py``) builds these once; the handlers (``states.py``) read them.
Each state carries its ``DataFlow`` (``dataflow.py``): JSONPath or JSONata was decided when
the definition was compiled, never again while it runs.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar

from . import paths

if TYPE_CHECKING:
    from .dataflow import DataFlow, Scope

Template = Callable[[Any], Any]  # paths.Env -> value (JSONPath) or bindings -> value (JSONata)


# -- values a field may hold: a literal, a path, or an expression -----------------------------

@dataclass(frozen=True)
class Literal:
    value: Any
    source: ClassVar[None] = None

    def get(self, scope: Scope) -> Any:
        return self.value


@dataclass(frozen=True)
class FromPath:
    """A ``...Path`` field, read from the state's input after InputPath (JSONPath states)."""

    path: paths.Path
    field: str  # the field's name in AWS's messages, e.g. "SecondsPath"
    numeric_text: bool = False  # AWS-recorded: a number field's path may select "1"

    @property
    def source(self) -> str:
        return self.path.text

    def get(self, scope: Scope) -> Any:
        return paths.select(self.path, scope, self.field)


@dataclass(frozen=True)
class FromTemplate:
    """A JSONPath payload field (``ErrorPath`` / ``CausePath`` read through a ``.$`` template)."""

    template: Template
    source: ClassVar[None] = None

    def get(self, scope: Scope) -> Any:
        return self.template(scope)


@dataclass(frozen=True)
class FromExpression:
    """A ``{% %}`` JSONata field."""

    template: Template
    source: str  # the expression as written, quoted by AWS's messages

    def get(self, scope: Scope) -> Any:
        return self.template(scope.bindings)


Value = Literal | FromPath | FromTemplate | FromExpression


# -- error handling -------------------------------------------------------------------------

@dataclass(frozen=True)
class Retrier:
    errors: tuple[str, ...]
    interval: float = 1.0
    max_attempts: int = 3
    backoff: float = 2.0
    max_delay: float | None = None
    jitter: str = "NONE"


@dataclass(frozen=True)
class Catcher:
    errors: tuple[str, ...]
    next: str
    result_path: paths.Path | None = None  # JSONPath
    output: Template | None = None  # JSONata
    assign: Template | None = None


# -- states -----------------------------------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class StateSpec:
    type: ClassVar[str]
    retries: ClassVar[bool] = False  # has $$.State.RetryCount (Task, Parallel, Map)
    name: str
    where: str  # the state's path in the definition, e.g. /States/Foo
    flow: DataFlow
    next: str | None = None
    # False when nothing the state evaluates can see the context object (definition.py decides): its
    # ``$$.State`` is then never made
    reads_context: bool = True

    # Read-only here, so Task, Parallel and Map can declare them as fields of their own.
    @property
    def retry(self) -> tuple[Retrier, ...]:
        return ()

    @property
    def catch(self) -> tuple[Catcher, ...]:
        return ()


@dataclass(frozen=True, kw_only=True)
class PassSpec(StateSpec):
    type: ClassVar[str] = "Pass"
    result: Template | None = None  # JSONPath ``Result``


@dataclass(frozen=True, kw_only=True)
class TaskSpec(StateSpec):
    type: ClassVar[str] = "Task"
    retries: ClassVar[bool] = True
    resource: str
    timeout: Value | None = None
    heartbeat: Value | None = None
    credentials: Value | None = None  # ``Credentials`` ({"RoleArn": ...}): TaskScheduled's ``taskCredentials``
    token: bool = False  # ``.waitForTaskToken``: the task gets ``$$.Task.Token``
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class ChoiceRule:
    next: str
    test: Callable[[Scope], bool]
    assign: Template | None = None
    output: Template | None = None  # JSONata


@dataclass(frozen=True, kw_only=True)
class ChoiceSpec(StateSpec):
    type: ClassVar[str] = "Choice"
    rules: tuple[ChoiceRule, ...]
    default: str | None = None


@dataclass(frozen=True, kw_only=True)
class WaitSpec(StateSpec):
    type: ClassVar[str] = "Wait"
    kind: str  # Seconds | Timestamp | SecondsPath | TimestampPath
    value: Value


@dataclass(frozen=True, kw_only=True)
class SucceedSpec(StateSpec):
    type: ClassVar[str] = "Succeed"


@dataclass(frozen=True, kw_only=True)
class FailSpec(StateSpec):
    type: ClassVar[str] = "Fail"
    error: Value | None = None
    cause: Value | None = None


@dataclass(frozen=True)
class Program:
    """A state machine or one Parallel branch / Map item processor."""

    start_at: str
    states: dict[str, StateSpec]
    # Can any of its states see the context object? (A Map whose iterations cannot skips their $$.Map.)
    reads_context: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "reads_context", any(state.reads_context for state in self.states.values()))


@dataclass(frozen=True, kw_only=True)
class ParallelSpec(StateSpec):
    type: ClassVar[str] = "Parallel"
    retries: ClassVar[bool] = True
    branches: tuple[Program, ...]
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()


@dataclass(frozen=True)
class ItemBatcher:
    max_items: Value | None = None
    max_bytes: Value | None = None
    input: Template | None = None  # BatchInput


@dataclass(frozen=True, kw_only=True)
class MapSpec(StateSpec):
    type: ClassVar[str] = "Map"
    retries: ClassVar[bool] = True
    processor: Program
    items: Value | None = None  # ItemsPath / Items; None: the effective input
    selector: Template | None = None  # ItemSelector / Parameters
    batcher: ItemBatcher | None = None
    max_concurrency: Value | None = None
    tolerated_count: Value | None = None
    tolerated_percentage: Value | None = None
    distributed: bool = False  # ProcessorConfig.Mode DISTRIBUTED: a Map Run in Standard executions
    label: str | None = None
    retry: tuple[Retrier, ...] = ()
    catch: tuple[Catcher, ...] = ()
