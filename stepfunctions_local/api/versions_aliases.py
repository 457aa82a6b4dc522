"""State machine versions (immutable snapshots) and aliases (weighted routes to one or two versions).

A version is ``<machine ARN>:<n>``, numbered from 1 and never reused; an alias is
``<machine ARN>:<name>``. Executions started on either run the version's snapshot and remember
which version (and alias) they ran. Messages are AWS's, as recorded (see the tests).
"""
from __future__ import annotations

import random
import re
from dataclasses import replace
from typing import Any

from ..api_errors import ApiError, validation_error, violation
from ..history import to_datetime
from ..records import Alias, StateMachine, Store, Version
from ..types import Clock
from .common import check_arn, page, split_qualified, state_machine

_ALIAS_NAME = re.compile(r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$")
_MAX_ALIAS_NAME = 80


def publish(store: Store, clock: Clock, sm: StateMachine, description: str | None) -> Version:
    """The version of ``sm``'s current revision: an existing one, or a new snapshot (call under the store lock)."""
    for version in store.versions.values():
        if version.snapshot.arn == sm.arn and version.snapshot.revision_id == sm.revision_id:
            return version  # idempotent, as AWS: one version per revision
    sm.versions_published += 1
    number = sm.versions_published
    version = Version(f"{sm.arn}:{number}", number, replace(sm, tags=[]), description, to_datetime(clock.now()))
    store.versions[version.arn] = version
    return version


def resolve(store: Store, arn: str) -> tuple[StateMachine, str | None, str | None]:
    """What StartExecution runs for a machine, version or alias ARN: (machine, version ARN, alias ARN)."""
    check_arn(arn, "stateMachine")
    machine_arn, qualifier = split_qualified(arn)
    if qualifier is None:
        return state_machine(store, arn), None, None
    with store.lock:
        alias = store.aliases.get(arn)
        version_arn = _route(alias) if alias is not None else arn
        version = store.versions.get(version_arn)
    if version is None:
        raise ApiError("StateMachineDoesNotExist", f"State Machine Does Not Exist: '{arn}'")
    return version.snapshot, version.arn, alias.arn if alias is not None else None


def forget_machine(store: Store, machine_arn: str) -> None:
    """DeleteStateMachine also deletes the machine's versions and aliases (call under the store lock)."""
    for arn in [arn for arn, v in store.versions.items() if v.snapshot.arn == machine_arn]:
        del store.versions[arn]
    for arn in [arn for arn, a in store.aliases.items() if a.machine_arn == machine_arn]:
        del store.aliases[arn]


def _route(alias: Alias) -> str:
    """A version by the alias's weights (AWS picks at random, weighted)."""
    routes = alias.routing
    if len(routes) == 1:
        return routes[0]["stateMachineVersionArn"]
    pick = random.uniform(0, 100)
    return routes[0]["stateMachineVersionArn"] if pick < routes[0]["weight"] else routes[1]["stateMachineVersionArn"]


class VersionsAliasesApi:
    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    # -- versions -------------------------------------------------------------------------
    def publish_state_machine_version(self, *, stateMachineArn: str, revisionId: str | None = None,
                                      description: str | None = None) -> dict:
        sm = state_machine(self._store, stateMachineArn)
        with self._store.lock:
            if revisionId is not None and revisionId != sm.revision_id:
                raise ApiError("ConflictException", f"Failed to publish the State Machine version for revision "
                                                    f"{revisionId}. The current State Machine revision is "
                                                    f"{sm.revision_id}.")
            published = publish(self._store, self._clock, sm, description)
        return {"creationDate": published.created, "stateMachineVersionArn": published.arn}

    def list_state_machine_versions(self, *, stateMachineArn: str, nextToken: str | None = None,
                                    maxResults: int = 0) -> dict:
        # The model has no "does not exist" error here: an unknown machine has no versions.
        check_arn(stateMachineArn, "stateMachine")
        with self._store.lock:
            found = [v for v in self._store.versions.values() if v.snapshot.arn == stateMachineArn]
        found.sort(key=lambda v: v.number, reverse=True)  # newest first, as AWS lists them
        items = [{"stateMachineVersionArn": v.arn, "creationDate": v.created} for v in found]
        return page(items, "stateMachineVersions", maxResults, nextToken)

    def delete_state_machine_version(self, *, stateMachineVersionArn: str) -> dict:
        _version_arn(stateMachineVersionArn)
        with self._store.lock:
            referencing = [a.name for a in self._store.aliases.values()
                           if any(r["stateMachineVersionArn"] == stateMachineVersionArn for r in a.routing)]
            if referencing:
                raise ApiError("ConflictException", "Version to be deleted must not be referenced by an alias. "
                                                    f"Current list of aliases referencing this version: "
                                                    f"[{', '.join(referencing)}]")
            self._store.versions.pop(stateMachineVersionArn, None)  # deleting twice is fine, as in AWS
        return {}

    # -- aliases --------------------------------------------------------------------------
    def create_state_machine_alias(self, *, name: str, routingConfiguration: list[dict],
                                   description: str | None = None) -> dict:
        _check_alias_name(name)
        machine_arn = self._check_routing(routingConfiguration)
        arn = f"{machine_arn}:{name}"
        with self._store.lock:
            existing = self._store.aliases.get(arn)
            if existing is not None:
                if (existing.description, existing.routing) != (description, _routes(routingConfiguration)):
                    raise ApiError("ConflictException", "Failed to create alias because an alias with the same name "
                                                        "and a different routing configuration already exists.")
                return {"stateMachineAliasArn": arn, "creationDate": existing.created}
            created = to_datetime(self._clock.now())
            self._store.aliases[arn] = Alias(arn, name, machine_arn, description, _routes(routingConfiguration),
                                             created, created)
        return {"stateMachineAliasArn": arn, "creationDate": created}

    def describe_state_machine_alias(self, *, stateMachineAliasArn: str) -> dict:
        alias = self._alias(stateMachineAliasArn)
        answer: dict[str, Any] = {"stateMachineAliasArn": alias.arn, "name": alias.name}
        if alias.description is not None:
            answer["description"] = alias.description
        answer.update({"routingConfiguration": [dict(r) for r in alias.routing], "creationDate": alias.created,
                       "updateDate": alias.updated})
        return answer

    def list_state_machine_aliases(self, *, stateMachineArn: str, nextToken: str | None = None,
                                   maxResults: int = 0) -> dict:
        check_arn(stateMachineArn, "stateMachine")
        machine_arn, qualifier = split_qualified(stateMachineArn)
        with self._store.lock:
            if qualifier is None:
                state_machine(self._store, machine_arn)
                found = [a for a in self._store.aliases.values() if a.machine_arn == machine_arn]
            else:  # a version ARN: the aliases routing to it
                if stateMachineArn not in self._store.versions:
                    raise ApiError("ResourceNotFound", f"Resource not found: '{stateMachineArn}'")
                found = [a for a in self._store.aliases.values()
                         if any(r["stateMachineVersionArn"] == stateMachineArn for r in a.routing)]
        # AWS-recorded order is oldest first (the API reference says most recent first)
        found.sort(key=lambda a: a.created)
        items = [{"stateMachineAliasArn": a.arn, "creationDate": a.created} for a in found]
        return page(items, "stateMachineAliases", maxResults, nextToken)

    def update_state_machine_alias(self, *, stateMachineAliasArn: str, description: str | None = None,
                                   routingConfiguration: list[dict] | None = None) -> dict:
        # AWS-recorded: UpdateStateMachineAlias words an unknown alias differently from DescribeStateMachineAlias
        alias = self._alias(stateMachineAliasArn, "Request references a resource that does not exist.")
        if description is None and routingConfiguration is None:
            raise ApiError("ValidationException",
                           "Either the description or the RoutingConfiguration must be specified")
        if routingConfiguration is not None:
            machine_arn = self._check_routing(routingConfiguration)
            if machine_arn != alias.machine_arn:
                raise ApiError("ValidationException", "Routing configuration must contain state machine version "
                                                      f"ARNs of the alias's state machine {alias.machine_arn}")
        with self._store.lock:
            if description is not None:
                alias.description = description
            if routingConfiguration is not None:
                alias.routing = _routes(routingConfiguration)
            alias.updated = to_datetime(self._clock.now())
        return {"updateDate": alias.updated}

    def delete_state_machine_alias(self, *, stateMachineAliasArn: str) -> dict:
        check_arn(stateMachineAliasArn, "stateMachine")
        with self._store.lock:  # AWS-recorded: deleting an alias already deleted succeeds
            self._store.aliases.pop(stateMachineAliasArn, None)
        return {}

    # -- checks ---------------------------------------------------------------------------
    def _alias(self, arn: str, missing: str | None = None) -> Alias:
        check_arn(arn, "stateMachine")
        found = self._store.aliases.get(arn)
        if found is None:
            raise ApiError("ResourceNotFound", missing or f"Resource not found: '{arn}'")
        return found

    def _check_routing(self, routing: list[dict]) -> str:
        """AWS's checks, in AWS's words; the machine ARN the versions belong to."""
        if len(routing) > 2:
            items = ", ".join(f"RoutingConfigurationListItem(stateMachineVersionArn={r['stateMachineVersionArn']}, "
                              f"weight={r['weight']})" for r in routing)
            raise validation_error(violation("routingConfiguration", f"[{items}]",
                                             "Member must have length less than or equal to 2"))
        for index, route in enumerate(routing, start=1):
            if route["weight"] > 100:
                raise validation_error(violation(f"routingConfiguration.{index}.member.weight", route["weight"],
                                                 "Member must have value less than or equal to 100"))
        arns = [route["stateMachineVersionArn"] for route in routing]
        for arn in arns:
            check_arn(arn, "stateMachine")
        received = f"Received: [{', '.join(arns)}]"
        if any(not (split_qualified(arn)[1] or "").isdigit() for arn in arns):
            raise ApiError("ValidationException",
                           f"Routing configuration must contain state machine version ARNs. {received}")
        if len(set(arns)) != len(arns):
            raise ApiError("ValidationException",
                           f"Routing configuration must contain distinct state machine version ARNs. {received}")
        weights = [route["weight"] for route in routing]
        if sum(weights) != 100:
            raise ApiError("ValidationException", "Sum of routing configuration weights must equal 100. "
                                                  f"Received: [{', '.join(str(w) for w in weights)}]")
        machines = {split_qualified(arn)[0] for arn in arns}
        if len(machines) != 1:
            raise ApiError("ValidationException", "Routing configuration must contain state machine version ARNs "
                                                  f"of the same state machine. {received}")
        with self._store.lock:
            for arn in arns:
                if arn not in self._store.versions:
                    raise ApiError("ResourceNotFound", f"Resource not found: '{arn}'")
        return machines.pop()


def _version_arn(arn: str) -> None:
    check_arn(arn, "stateMachine")
    qualifier = split_qualified(arn)[1]
    if qualifier is None or not qualifier.isdigit():
        raise ApiError("InvalidArn", f"Invalid Arn: 'Invalid state machine version ARN: {arn}'")


def _check_alias_name(name: str) -> None:
    if len(name) > _MAX_ALIAS_NAME:
        raise validation_error(violation("name", name, "Member must have length less than or equal to 80"))
    if not _ALIAS_NAME.match(name):
        raise validation_error(violation("name", name, "Member must satisfy regular expression pattern: "
                                                       r"^(?=.*[a-zA-Z_\-\.])[a-zA-Z0-9_\-\.]+$"))


def _routes(routing: list[dict]) -> list[dict]:
    return [{"stateMachineVersionArn": r["stateMachineVersionArn"], "weight": r["weight"]} for r in routing]
