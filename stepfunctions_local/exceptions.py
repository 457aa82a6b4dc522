"""One exception root for the runtime.

Definition errors carry where in the definition the problem is; runtime errors carry ASL's
``error`` and ``cause``, which Retry and Catch match on.
"""
from __future__ import annotations

from dataclasses import dataclass


class StepFunctionsLocalError(Exception):
    """Root of every error raised by stepfunctions_local."""


SCHEMA_VALIDATION_FAILED = "SCHEMA_VALIDATION_FAILED"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, as AWS's diagnostics name it.

    ``location`` is the path in the definition (``/States/Foo/Next``) and nothing else; it is
    None only while a lower layer (a path, an intrinsic) does not know where it was written,
    and the compiler fills it in with ``at``.
    """

    code: str
    message: str
    location: str | None = None

    def at(self, location: str) -> Problem:
        return self if self.location is not None else Problem(self.code, self.message, location)

    def __str__(self) -> str:
        text = f"{self.code}: {self.message}"
        return text if self.location is None else f"{text} at {self.location}"


class DefinitionError(StepFunctionsLocalError):
    """A state machine definition is invalid (becomes the API's InvalidDefinition).

    Carries every problem as a value; the API edge renders them into AWS's texts.
    """

    def __init__(self, *problems: Problem) -> None:
        super().__init__(", ".join(str(problem) for problem in problems))
        self.problems: tuple[Problem, ...] = problems


def invalid(message: str, location: str | None = None, code: str = SCHEMA_VALIDATION_FAILED) -> DefinitionError:
    """The common case: one SCHEMA_VALIDATION_FAILED problem."""
    return DefinitionError(Problem(code, message, location))


class ExpressionError(DefinitionError):
    """A path or intrinsic function that does not parse; it does not know where it was written.

    Its text is the bare message (what a caller of ``compile_intrinsic`` reads); the compiler
    places its problem with ``Problem.at``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(Problem(SCHEMA_VALIDATION_FAILED, message))
        self.args = (message,)
        self.message = message


class StatesError(StepFunctionsLocalError):
    """An ASL runtime error, e.g. ``States.TaskFailed`` or ``Lambda.Unknown``."""

    def __init__(self, error: str | None, cause: str | None = None) -> None:
        # error None: a Fail state that names no Error (the execution fails without one, as in AWS)
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


class BranchesFailed(StatesError):
    """A Parallel branch or Map iteration failed its state: the error it carries, raised by the state.

    AWS writes the state's ``ParallelStateFailed`` / ``MapStateFailed`` event only once no retrier
    runs the state again (before its Catch), so the state's caller writes it, not the state.
    """

    def __init__(self, failure: StatesError) -> None:
        super().__init__(failure.error, failure.cause)
        self.failure = failure


class SentFailure(StatesError):
    """A task's failure as SendTaskFailure gave it: AWS-recorded, an error or cause left out stays null
    (its TaskFailed event omits it, a Catch binds ``null``), where other failures bind an empty string."""


class PathNotFound(StepFunctionsLocalError):
    """A JSONPath/reference path selected nothing in the data it was applied to."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


class StateDataError(StatesError):
    """A data-processing failure inside a state (a path, template or expression).

    The interpreter prefixes the cause with the state's name and entered-event id, as AWS does.
    ``location`` names the JSONata field that failed (for the EvaluationFailed history event).
    """

    def __init__(self, error: str | None, cause: str | None = None, location: str | None = None) -> None:
        super().__init__(error, cause)
        self.location = location
