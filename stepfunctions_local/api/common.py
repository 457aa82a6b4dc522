"""Request checks and response pieces shared by the API areas, in AWS's words."""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from ..api_errors import ApiError, validation_error, violation
from ..json_errors import jackson_problem, loads
from ..map_runs import MapRun, MapRuns
from ..records import Execution, StateMachine, Store

MAX_INPUT_BYTES = 262_144
MAX_PAGE = 1000  # every List* operation's largest maxResults
_NAME = re.compile(r"^[^\s<>{}\[\]?*\"#%\\^|~`$&,;:/\x00-\x1f\x7f-\x9f]{1,80}$")


def dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ApiError("InvalidName", f"Invalid Name: '{name}'")


def check_arn(arn: str, resource_type: str) -> None:
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or not parts[1].startswith("aws"):
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN prefix: {arn}'")
    if resource_type == "role":
        return
    if parts[2] != "states":
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[2]}'")
    if resource_type != "any" and parts[5] != resource_type:
        raise ApiError("InvalidArn", f"Invalid Arn: 'Resource type not valid in this context: {parts[5]}'")
    if parts[5] == "stateMachine" and (len(parts) not in (7, 8) or not all(parts[6:])):
        # a machine's name, optionally qualified by one version number or alias name
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid ARN format: {arn}'")


def split_qualified(arn: str) -> tuple[str, str | None]:
    """``…:stateMachine:name:qualifier`` -> (the machine's ARN, the version number or alias name)."""
    parts = arn.split(":")
    if len(parts) == 8:
        return ":".join(parts[:7]), parts[7]
    return arn, None


def check_enum(value: str, field: str, allowed: tuple[str, ...]) -> None:
    """AWS's enum check; ``allowed`` in the order AWS's message lists them."""
    if value not in allowed:
        raise validation_error(violation(field, value, f"Member must satisfy enum value set: [{', '.join(allowed)}]"))


def check_tags(tags: list[dict] | None) -> list[dict]:
    """The model lets a Tag leave out its key; a tag is found by its key, so one without is refused.
    Not recorded from AWS: worded as its other constraint failures."""
    for index, tag in enumerate(tags or [], 1):
        if tag.get("key") is None:
            raise validation_error(violation(f"tags.{index}.member.key", None, "Member must not be null"))
    return list(tags or [])


def check_type(machine_type: str) -> None:
    check_enum(machine_type, "type", ("STANDARD", "EXPRESS"))


def state_machine(store: Store, arn: str) -> StateMachine:
    check_arn(arn, "stateMachine")
    found = store.machines.get(arn)
    if found is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return found


def execution(store: Store, arn: str) -> Execution:
    check_arn(arn, "execution")
    found = store.executions.get(arn)
    if found is None:
        raise ApiError("ExecutionDoesNotExist", f"Execution Does Not Exist: '{arn}'")
    return found


def map_run(runs: MapRuns, arn: str) -> MapRun:
    check_arn(arn, "mapRun")
    found = runs.get(arn)
    if found is None:
        raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
    return found


def execution_name(name: str | None) -> str:
    if name is None:
        return str(uuid.uuid4())
    check_name(name)
    return name


def parse_input(text: str | None) -> tuple[str, Any]:
    text = "{}" if text is None else text
    if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
        raise ApiError("InvalidExecutionInput",
                       f"Invalid State Machine Execution Input: 'Input exceeds the maximum size of "
                       f"{MAX_INPUT_BYTES} bytes'")
    try:
        return text, loads(text)
    except json.JSONDecodeError as error:
        raise ApiError("InvalidExecutionInput",
                       f"Invalid State Machine Execution Input: '{_parser_message(error)}'") from None


def _parser_message(error: json.JSONDecodeError) -> str:
    """AWS's words for bad input: its JSON parser's (Jackson's) messages, as recorded."""
    if not error.doc:
        return "Invalid execution input."
    worded = jackson_problem(error)
    return worded[0] if worded is not None else str(error)


def data(key: str, text: str, included_data: str | None) -> dict:
    if included_data == "METADATA_ONLY":
        return {f"{key}Details": {"included": False}}
    return {key: text, f"{key}Details": {"included": True}}


def error_cause(error: str | None, cause: str | None) -> dict:
    fields = {}
    if error is not None:
        fields["error"] = error
    if cause is not None:
        fields["cause"] = cause
    return fields


def page(items: list[dict], key: str, max_results: int, next_token: str | None, max_token: int = 1024) -> dict:
    """One page of ``items``; ``max_token`` is the model's longest nextToken (ListExecutions' is 3096)."""
    if max_results > MAX_PAGE:
        raise validation_error(violation("maxResults", max_results,
                                         f"Member must have value less than or equal to {MAX_PAGE}"))
    if next_token is not None and len(next_token) > max_token:
        raise validation_error(violation("nextToken", next_token,
                                         f"Member must have length less than or equal to {max_token}"))
    start = 0
    if next_token is not None:
        try:
            start = int(next_token)
        except ValueError:
            raise ApiError("InvalidToken", f"Invalid Token: '{next_token}'") from None
    size = max_results or 100
    answer: dict[str, Any] = {key: items[start:start + size]}
    if start + size < len(items):
        answer["nextToken"] = str(start + size)
    return answer
