"""One exception root for the runtime.

Definition errors carry where in the definition the problem is; runtime errors carry ASL's
``error`` and ``cause``, which Retry and Catch match on.
"""
from __future__ import annotations


class StepFunctionsLocalError(Exception):
    """Root of every error raised by stepfunctions_local."""


class DefinitionError(StepFunctionsLocalError):
    """A state machine definition is invalid (becomes the API's InvalidDefinition).

    Each problem (``CODE: message at /path``) stays apart in ``problems``: messages may hold
    ", " themselves, so the joined text cannot be split again into ValidateStateMachineDefinition's
    diagnostics.
    """

    def __init__(self, *problems: str) -> None:
        super().__init__(", ".join(problems))
        self.problems = problems


class StatesError(StepFunctionsLocalError):
    """An ASL runtime error, e.g. ``States.TaskFailed`` or ``Lambda.Unknown``."""

    def __init__(self, error: str, cause: str | None = None) -> None:
        super().__init__(f"{error}: {cause}" if cause else error)
        self.error = error
        self.cause = cause


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

    def __init__(self, error: str, cause: str | None = None, location: str | None = None) -> None:
        super().__init__(error, cause)
        self.location = location
