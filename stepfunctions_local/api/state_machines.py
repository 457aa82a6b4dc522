"""State machines: create, validate, describe, update, delete, list (``publish`` makes versions)."""
from __future__ import annotations

import uuid
from typing import Any

from ..activity_tasks import is_activity_arn
from ..api_errors import MAX_DIAGNOSTICS, ApiError, diagnostic, invalid_definition
from ..definition import task_states
from ..exceptions import DefinitionError, Problem
from ..history import to_datetime
from ..interpreter import Machine, compile_definition
from ..records import Arns, StateMachine, Store
from ..types import Clock
from ..variable_references import described
from .common import check_arn, check_name, check_tags, check_type, page, split_qualified, state_machine
from .versions_aliases import forget_machine
from .versions_aliases import publish as publish_version

_SUFFIXES_EXPRESS_REJECTS = (".sync", ".sync:2", ".waitForTaskToken")


def compile_for(definition: str, machine_type: str) -> Machine:
    """The compiled machine, or a DefinitionError listing each problem (Express refusing .sync/callbacks too)."""
    machine = compile_definition(definition)
    if machine_type == "EXPRESS":
        problems = []
        for task in task_states(machine.program):
            if is_activity_arn(task.resource):
                problems.append(Problem("SCHEMA_VALIDATION_FAILED", "Express state machine does not support Activity "
                                        "ARN", f"{task.where}/Resource"))
                continue
            suffix = next((s for s in _SUFFIXES_EXPRESS_REJECTS if task.resource.endswith(s)), None)
            if suffix is not None:
                # AWS-recorded: the '.waitForTaskToken' message ends in a space (two before "at /States/...")
                space = " " if suffix == ".waitForTaskToken" else ""
                problems.append(Problem("SCHEMA_VALIDATION_FAILED", f"Express state machine does not support "
                                        f"'{suffix}' service integration{space}", f"{task.where}/Resource"))
        if problems:
            raise DefinitionError(*problems)
    return machine


class StateMachinesApi:
    def __init__(self, store: Store, clock: Clock, arns: Arns) -> None:
        self._store = store
        self._clock = clock
        self._arns = arns

    def create_state_machine(
        self,
        *,
        name: str,
        definition: str,
        roleArn: str,
        type: str = "STANDARD",
        loggingConfiguration: dict | None = None,
        tracingConfiguration: dict | None = None,
        tags: list[dict] | None = None,
        publish: bool = False,
        versionDescription: str | None = None,
        **_ignored: Any,
    ) -> dict:
        check_name(name)
        check_arn(roleArn, "role")
        tags = check_tags(tags)
        _check_publish(publish, versionDescription)
        logging = _logging(loggingConfiguration)
        machine = _compile(definition, type)
        arn = self._arns.state_machine(name)
        tracing = tracingConfiguration or {"enabled": False}
        with self._store.lock:
            existing = self._store.machines.get(arn)
            if existing is not None:
                # AWS ignores a different role or tags when deciding that a re-create is idempotent.
                same = (existing.definition, existing.type, existing.logging, existing.tracing) == (
                    definition, type, logging, tracing)
                if not same:
                    raise ApiError("StateMachineAlreadyExists", f"State Machine Already Exists: '{arn}'")
                sm = existing
            else:
                sm = StateMachine(arn, name, type, definition, roleArn, machine, to_datetime(self._clock.now()),
                                  logging, tracing, tags)
                self._store.machines[arn] = sm
            answer = {"stateMachineArn": arn, "creationDate": sm.created}
            if publish:
                answer["stateMachineVersionArn"] = publish_version(self._store, self._clock, sm, versionDescription).arn
        return answer

    def validate_state_machine_definition(self, *, definition: str, type: str = "STANDARD",
                                          maxResults: int = 0, **_ignored: Any) -> dict:
        check_type(type)
        try:
            compile_for(definition, type)
        except DefinitionError as error:
            diagnostics = [diagnostic(problem) for problem in error.problems]
            limit = maxResults or MAX_DIAGNOSTICS
            return {"result": "FAIL", "diagnostics": diagnostics[:limit], "truncated": len(diagnostics) > limit}
        return {"result": "OK", "diagnostics": [], "truncated": False}

    def describe_state_machine(self, *, stateMachineArn: str, **_ignored: Any) -> dict:
        check_arn(stateMachineArn, "stateMachine")
        version = self._store.versions.get(stateMachineArn)
        if version is None:  # aliases are not described here (DescribeStateMachineAlias is)
            sm, arn, created, description = state_machine(self._store, stateMachineArn), stateMachineArn, None, None
        else:
            sm, arn, created, description = version.snapshot, version.arn, version.created, version.description
        answer = {
            "stateMachineArn": arn, "name": sm.name, "status": "ACTIVE", "definition": sm.definition,
            "roleArn": sm.role_arn, "type": sm.type, "creationDate": created or sm.created,
            "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing, **described(sm.definition),
        }
        if sm.revision_id is not None:  # AWS-recorded: none until the machine is first updated
            answer["revisionId"] = sm.revision_id
        if description is not None:
            answer["description"] = description
        return answer

    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | None = None,
        roleArn: str | None = None,
        loggingConfiguration: dict | None = None,
        tracingConfiguration: dict | None = None,
        publish: bool = False,
        versionDescription: str | None = None,
        **_ignored: Any,
    ) -> dict:
        sm = state_machine(self._store, stateMachineArn)
        _check_publish(publish, versionDescription)
        if definition is None and roleArn is None and loggingConfiguration is None and tracingConfiguration is None:
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, "
                           "or the TracingConfiguration must be specified")
        compiled = (definition, _compile(definition, sm.type)) if definition is not None else None
        if roleArn is not None:
            check_arn(roleArn, "role")
        logging = _logging(loggingConfiguration) if loggingConfiguration is not None else None
        updated = to_datetime(self._clock.now())
        with self._store.lock:
            before = (sm.definition, sm.role_arn, sm.logging, sm.tracing)
            if compiled is not None:
                sm.definition, sm.machine = compiled
            sm.role_arn = roleArn or sm.role_arn
            sm.logging = logging or sm.logging
            sm.tracing = tracingConfiguration or sm.tracing
            if (sm.definition, sm.role_arn, sm.logging, sm.tracing) != before:
                sm.revision_id = str(uuid.uuid4())  # an update that changes nothing makes no revision, as AWS
            answer: dict[str, Any] = {"updateDate": updated}
            if sm.revision_id is not None:
                answer["revisionId"] = sm.revision_id
            if publish:
                answer["stateMachineVersionArn"] = publish_version(self._store, self._clock, sm, versionDescription).arn
        return answer

    def delete_state_machine(self, *, stateMachineArn: str) -> dict:
        check_arn(stateMachineArn, "stateMachine")
        if split_qualified(stateMachineArn)[1] is not None:
            raise ApiError("ValidationException", "Invalid State Machine Arn: 'use DeleteStateMachineVersion or "
                                                  f"DeleteStateMachineAlias for {stateMachineArn}'")
        with self._store.lock:
            self._store.machines.pop(stateMachineArn, None)
            forget_machine(self._store, stateMachineArn)  # AWS deletes the machine's versions and aliases too
        return {}

    def list_state_machines(self, *, maxResults: int = 0, nextToken: str | None = None) -> dict:
        with self._store.lock:
            machines = sorted(self._store.machines.values(), key=lambda sm: sm.name)
        items = [{"stateMachineArn": sm.arn, "name": sm.name, "type": sm.type, "creationDate": sm.created}
                 for sm in machines]
        return page(items, "stateMachines", maxResults, nextToken)


def _compile(definition: str, machine_type: str) -> Machine:
    check_type(machine_type)
    try:
        return compile_for(definition, machine_type)
    except DefinitionError as error:
        raise invalid_definition(error) from None


def _check_publish(publish: bool, description: str | None) -> None:
    if description is not None and not publish:
        raise ApiError("ValidationException", "Version description can only be set when publish is true")


def _logging(configuration: dict | None) -> dict:
    configuration = dict(configuration or {"level": "OFF", "includeExecutionData": False})
    configuration.setdefault("level", "OFF")
    configuration.setdefault("includeExecutionData", False)
    destinations = configuration.get("destinations") or []
    if configuration["level"] != "OFF" and len(destinations) != 1:
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    return configuration
