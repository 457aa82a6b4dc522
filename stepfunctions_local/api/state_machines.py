"""State machines: create, validate, describe, update, delete, list."""
from __future__ import annotations

import uuid
from typing import Any

from ..api_errors import MAX_DIAGNOSTICS, ApiError, diagnostic, invalid_definition
from ..definition import task_states
from ..exceptions import DefinitionError, Problem
from ..history import to_datetime
from ..interpreter import Machine, compile_definition
from ..records import Arns, StateMachine, Store
from ..types import Clock
from .common import check_arn, check_name, check_type, page, state_machine

_SUFFIXES_EXPRESS_REJECTS = (".sync", ".sync:2", ".waitForTaskToken")


def compile_for(definition: str, machine_type: str) -> Machine:
    """The compiled machine, or a DefinitionError listing each problem (Express refusing .sync/callbacks too)."""
    machine = compile_definition(definition)
    if machine_type == "EXPRESS":
        problems = []
        for task in task_states(machine.program):
            suffix = next((s for s in _SUFFIXES_EXPRESS_REJECTS if task.resource.endswith(s)), None)
            if suffix is not None:
                problems.append(Problem("SCHEMA_VALIDATION_FAILED", f"Express state machine does not support "
                                        f"'{suffix}' service integration", f"{task.where}/Resource"))
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
        **_ignored: Any,
    ) -> dict:
        check_name(name)
        check_arn(roleArn, "role")
        _no_versions(publish)
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
                return {"stateMachineArn": arn, "creationDate": existing.created}
            created = to_datetime(self._clock.now())
            self._store.machines[arn] = StateMachine(arn, name, type, definition, roleArn, machine, created, logging,
                                                     tracing, list(tags or []))
        return {"stateMachineArn": arn, "creationDate": created}

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
        sm = state_machine(self._store, stateMachineArn)
        return {
            "stateMachineArn": sm.arn, "name": sm.name, "status": "ACTIVE", "definition": sm.definition,
            "roleArn": sm.role_arn, "type": sm.type, "creationDate": sm.created,
            "loggingConfiguration": sm.logging, "tracingConfiguration": sm.tracing, "revisionId": sm.revision_id,
        }

    def update_state_machine(
        self,
        *,
        stateMachineArn: str,
        definition: str | None = None,
        roleArn: str | None = None,
        loggingConfiguration: dict | None = None,
        tracingConfiguration: dict | None = None,
        publish: bool = False,
        **_ignored: Any,
    ) -> dict:
        sm = state_machine(self._store, stateMachineArn)
        _no_versions(publish)
        if definition is None and roleArn is None and loggingConfiguration is None and tracingConfiguration is None:
            raise ApiError("MissingRequiredParameter",
                           "Either the definition, the role ARN, the LoggingConfiguration, "
                           "or the TracingConfiguration must be specified")
        machine = _compile(definition, sm.type) if definition is not None else None
        if roleArn is not None:
            check_arn(roleArn, "role")
        logging = _logging(loggingConfiguration) if loggingConfiguration is not None else None
        updated = to_datetime(self._clock.now())
        with self._store.lock:
            if machine is not None:
                sm.definition, sm.machine = definition, machine
            sm.role_arn = roleArn or sm.role_arn
            sm.logging = logging or sm.logging
            sm.tracing = tracingConfiguration or sm.tracing
            sm.revision_id = str(uuid.uuid4())
        return {"updateDate": updated, "revisionId": sm.revision_id}

    def delete_state_machine(self, *, stateMachineArn: str) -> dict:
        check_arn(stateMachineArn, "stateMachine")
        with self._store.lock:
            self._store.machines.pop(stateMachineArn, None)
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


def _no_versions(publish: bool) -> None:
    if publish:
        raise ApiError("ValidationException",
                       "Publishing state machine versions is not supported by stepfunctions_local")


def _logging(configuration: dict | None) -> dict:
    configuration = dict(configuration or {"level": "OFF", "includeExecutionData": False})
    configuration.setdefault("level", "OFF")
    configuration.setdefault("includeExecutionData", False)
    destinations = configuration.get("destinations") or []
    if configuration["level"] != "OFF" and len(destinations) != 1:
        raise ApiError("InvalidLoggingConfiguration",
                       "Invalid Logging Configuration: Must specify exactly one Log Destination.")
    return configuration
