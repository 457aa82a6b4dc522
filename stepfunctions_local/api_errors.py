"""The API's edge: AWS error codes, the operation table, and definition problems worded as AWS does.

Every operation is listed once in ``OPERATIONS`` (AWS name -> the Runtime area and method
answering it); ``Runtime.invoke``, the in-process client, the HTTP server and the
``aws-sdk:sfn`` integration all dispatch through it.
"""
from __future__ import annotations

from .exceptions import DefinitionError, Problem, StepFunctionsLocalError

MAX_DIAGNOSTICS = 100  # ValidateStateMachineDefinition's default and largest maxResults


class ApiError(StepFunctionsLocalError):
    """An API-level error with AWS's error code, e.g. ``StateMachineDoesNotExist``."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def violation(member: str, value: object, rule: str) -> str:
    """One constraint failure in AWS's words; a ``value`` of None reads ``Value null`` (unquoted)."""
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{member}' failed to satisfy constraint: {rule}"


def validation_message(*violations: str) -> str:
    """``N validation error(s) detected: a; b``: how AWS reports constraint failures together."""
    count = len(violations)
    return f"{count} validation error{'s' if count > 1 else ''} detected: {'; '.join(violations)}"


def validation_error(*violations: str) -> ApiError:
    return ApiError("ValidationException", validation_message(*violations))


# AWS operation -> (Runtime attribute holding the area, method). Areas still to come have their
# module named in api/__init__.py.
OPERATIONS: dict[str, tuple[str, str]] = {
    "CreateStateMachine": ("state_machines", "create_state_machine"),
    "DescribeStateMachine": ("state_machines", "describe_state_machine"),
    "ValidateStateMachineDefinition": ("state_machines", "validate_state_machine_definition"),
    "UpdateStateMachine": ("state_machines", "update_state_machine"),
    "DeleteStateMachine": ("state_machines", "delete_state_machine"),
    "ListStateMachines": ("state_machines", "list_state_machines"),
    "StartExecution": ("executions", "start_execution"),
    "StartSyncExecution": ("executions", "start_sync_execution"),
    "DescribeExecution": ("executions", "describe_execution"),
    "DescribeStateMachineForExecution": ("executions", "describe_state_machine_for_execution"),
    "ListExecutions": ("executions", "list_executions"),
    "GetExecutionHistory": ("executions", "get_execution_history"),
    "StopExecution": ("executions", "stop_execution"),
    "RedriveExecution": ("executions", "redrive_execution"),
    "DescribeMapRun": ("map_runs", "describe_map_run"),
    "ListMapRuns": ("map_runs", "list_map_runs"),
    "UpdateMapRun": ("map_runs", "update_map_run"),
    "TestState": ("test_states", "test_state"),
    "SendTaskSuccess": ("callbacks", "send_task_success"),
    "SendTaskFailure": ("callbacks", "send_task_failure"),
    "SendTaskHeartbeat": ("callbacks", "send_task_heartbeat"),
    "TagResource": ("tags", "tag_resource"),
    "UntagResource": ("tags", "untag_resource"),
    "ListTagsForResource": ("tags", "list_tags_for_resource"),
    "CreateActivity": ("activities", "create_activity"),
    "DescribeActivity": ("activities", "describe_activity"),
    "ListActivities": ("activities", "list_activities"),
    "DeleteActivity": ("activities", "delete_activity"),
    "GetActivityTask": ("activities", "get_activity_task"),
    "PublishStateMachineVersion": ("versions_aliases", "publish_state_machine_version"),
    "ListStateMachineVersions": ("versions_aliases", "list_state_machine_versions"),
    "DeleteStateMachineVersion": ("versions_aliases", "delete_state_machine_version"),
    "CreateStateMachineAlias": ("versions_aliases", "create_state_machine_alias"),
    "DescribeStateMachineAlias": ("versions_aliases", "describe_state_machine_alias"),
    "ListStateMachineAliases": ("versions_aliases", "list_state_machine_aliases"),
    "UpdateStateMachineAlias": ("versions_aliases", "update_state_machine_alias"),
    "DeleteStateMachineAlias": ("versions_aliases", "delete_state_machine_alias"),
}


def invalid_definition(error: DefinitionError) -> ApiError:
    """CreateStateMachine / UpdateStateMachine's InvalidDefinition: every problem, in AWS's words."""
    return ApiError("InvalidDefinition", f"Invalid State Machine Definition: '{error}'")


def diagnostic(problem: Problem) -> dict:
    """One ValidateStateMachineDefinition diagnostic."""
    found = {"severity": "ERROR", "code": problem.code, "message": problem.message}
    if problem.location is not None:
        found["location"] = problem.location
    return found
