"""Versions (publish / list / delete) and aliases (create / describe / list / update / delete), and
executions started on them.

Messages and orderings are AWS-recorded (localstack's AWS-validated snapshots
test_sfn_api_versioning.snapshot.json and test_sfn_api_aliasing.snapshot.json); where those
disagree with the API reference the recording wins, and the test says so.
"""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config

import stepfunctions_local
from stepfunctions_local import serve
from stepfunctions_local.api import versions_aliases

from .service_support import ROLE_ARN, definition

ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:orders"
V1, V2, V3 = f"{ARN}:1", f"{ARN}:2", f"{ARN}:3"
ALIAS = f"{ARN}:PROD"


def _returns(value: str) -> str:
    return definition({"Answer": {"Type": "Pass", "Result": value, "End": True}})


@pytest.fixture
def runtime():
    return stepfunctions_local.Runtime()


@pytest.fixture
def sfn(runtime):
    return runtime.client()


def _create(sfn, machine_type: str = "STANDARD", **extra) -> dict:
    return sfn.create_state_machine(name="orders", definition=_returns("v1"), roleArn=ROLE_ARN, type=machine_type,
                                    **extra)


def _two_versions(sfn, machine_type: str = "STANDARD") -> None:
    _create(sfn, machine_type, publish=True)
    sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v2"), publish=True)


def _message(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Message"]


def _route(weight_1: int, weight_2: int | None = None) -> list[dict]:
    routes = [{"stateMachineVersionArn": V1, "weight": weight_1}]
    if weight_2 is not None:
        routes.append({"stateMachineVersionArn": V2, "weight": weight_2})
    return routes


class TestPublish:
    def test_create_with_publish_makes_version_1(self, sfn):
        # GIVEN / WHEN a machine is created with publish and a version description
        created = _create(sfn, publish=True, versionDescription="first")
        # THEN version 1 exists, described under its own ARN with the description
        assert (created["stateMachineArn"], created["stateMachineVersionArn"]) == (ARN, V1)
        described = sfn.describe_state_machine(stateMachineArn=V1)
        assert (described["stateMachineArn"], described["description"]) == (V1, "first")
        assert described["definition"] == _returns("v1")
        assert "revisionId" not in described  # AWS-recorded: never-updated machines have no revision

    def test_version_description_without_publish(self, sfn):
        with pytest.raises(sfn.exceptions.ValidationException) as error:
            _create(sfn, versionDescription="first")
        assert _message(error) == "Version description can only be set when publish is true"
        _create(sfn)
        with pytest.raises(sfn.exceptions.ValidationException):
            sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v2"), versionDescription="x")

    def test_update_with_publish_makes_the_next_version_and_keeps_the_old_one(self, sfn):
        # GIVEN version 1
        _create(sfn, publish=True)
        # WHEN the machine is updated and published
        updated = sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v2"), publish=True,
                                           versionDescription="second")
        # THEN version 2 has the new revision and definition; version 1 is unchanged
        assert updated["stateMachineVersionArn"] == V2
        v2 = sfn.describe_state_machine(stateMachineArn=V2)
        assert (v2["revisionId"], v2["definition"]) == (updated["revisionId"], _returns("v2"))
        assert sfn.describe_state_machine(stateMachineArn=V1)["definition"] == _returns("v1")

    def test_publish_is_idempotent_for_one_revision(self, sfn):
        # GIVEN a machine
        _create(sfn)
        # WHEN its revision is published twice
        first = sfn.publish_state_machine_version(stateMachineArn=ARN)
        again = sfn.publish_state_machine_version(stateMachineArn=ARN)
        # THEN one version
        assert first["stateMachineVersionArn"] == again["stateMachineVersionArn"] == V1
        assert first["creationDate"] == again["creationDate"]
        assert len(sfn.list_state_machine_versions(stateMachineArn=ARN)["stateMachineVersions"]) == 1

    @pytest.mark.parametrize("publish_on_create", [False, True])
    def test_update_changing_nothing_publishes_one_version_without_revision(self, sfn, publish_on_create):
        # GIVEN a machine (published or not at creation)
        _create(sfn, publish=publish_on_create)
        # WHEN it is updated with its own definition and publish, twice
        answers = [sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v1"), publish=True)
                   for _ in range(2)]
        # THEN AWS-recorded (test_empty_revision_with_publish_*): version 1 both times, no revisionId
        assert [a["stateMachineVersionArn"] for a in answers] == [V1, V1]
        assert all("revisionId" not in a for a in answers)

    def test_publish_an_old_revision_is_a_conflict(self, sfn):
        # GIVEN a machine updated twice
        _create(sfn)
        old = sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v2"))["revisionId"]
        new = sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v3"))["revisionId"]
        # WHEN the older revision is published
        with pytest.raises(sfn.exceptions.ConflictException) as error:
            sfn.publish_state_machine_version(stateMachineArn=ARN, revisionId=old)
        # THEN AWS's ConflictException naming both revisions
        assert _message(error) == (f"Failed to publish the State Machine version for revision {old}. "
                                   f"The current State Machine revision is {new}.")
        published = sfn.publish_state_machine_version(stateMachineArn=ARN, revisionId=new, description="d")
        assert published["stateMachineVersionArn"] == V1

    def test_publish_unknown_machine_and_invalid_arn(self, sfn):
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
            sfn.publish_state_machine_version(stateMachineArn=ARN)
        assert _message(error) == f"State Machine Does Not Exist: '{ARN}'"
        with pytest.raises(sfn.exceptions.InvalidArn) as error:
            sfn.publish_state_machine_version(stateMachineArn="invalid_arn")
        assert _message(error) == "Invalid Arn: 'Invalid ARN prefix: invalid_arn'"

    @pytest.mark.parametrize("arn", [f"{V1}:extra", f"{ARN}:", "arn:aws:states:us-east-1:000000000000:stateMachine"])
    def test_malformed_qualified_arns_are_invalid(self, sfn, arn):
        _create(sfn, publish=True)
        with pytest.raises(sfn.exceptions.InvalidArn) as error:
            sfn.describe_state_machine(stateMachineArn=arn)
        assert _message(error) == f"Invalid Arn: 'Invalid ARN format: {arn}'"
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.start_execution(stateMachineArn=arn)

    def test_describe_unknown_version(self, sfn):
        _create(sfn)
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
            sfn.describe_state_machine(stateMachineArn=V2)
        assert _message(error) == f"State Machine Does Not Exist: '{V2}'"


class TestListAndDeleteVersions:
    def test_list_newest_first_with_pages(self, sfn):
        _two_versions(sfn)
        first = sfn.list_state_machine_versions(stateMachineArn=ARN, maxResults=1)
        second = sfn.list_state_machine_versions(stateMachineArn=ARN, maxResults=1, nextToken=first["nextToken"])
        arns = [v["stateMachineVersionArn"] for v in first["stateMachineVersions"] + second["stateMachineVersions"]]
        assert arns == [V2, V1]

    def test_list_errors(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.list_state_machine_versions(stateMachineArn="nope")
        _create(sfn)
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.list_state_machine_versions(stateMachineArn=ARN, nextToken="garbage")

    def test_delete_twice_and_numbers_are_not_reused(self, sfn):
        # GIVEN versions 1 and 2
        _two_versions(sfn)
        # WHEN version 2 is deleted (twice: AWS-recorded 200) and a new revision published
        sfn.delete_state_machine_version(stateMachineVersionArn=V2)
        sfn.delete_state_machine_version(stateMachineVersionArn=V2)
        published = sfn.update_state_machine(stateMachineArn=ARN, definition=_returns("v3"), publish=True)
        # THEN the new version is 3 (AWS-recorded: numbers are never reused)
        assert published["stateMachineVersionArn"] == V3
        listed = sfn.list_state_machine_versions(stateMachineArn=ARN)["stateMachineVersions"]
        assert [v["stateMachineVersionArn"] for v in listed] == [V3, V1]

    def test_delete_a_version_an_alias_routes_to_is_a_conflict(self, sfn):
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        with pytest.raises(sfn.exceptions.ConflictException) as error:
            sfn.delete_state_machine_version(stateMachineVersionArn=V1)
        assert _message(error) == ("Version to be deleted must not be referenced by an alias. Current list of "
                                   "aliases referencing this version: [PROD]")
        sfn.delete_state_machine_version(stateMachineVersionArn=V2)

    def test_delete_needs_a_version_arn(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.delete_state_machine_version(stateMachineVersionArn=ARN)


class TestAliases:
    def test_create_describe(self, sfn):
        # GIVEN two versions
        _two_versions(sfn)
        # WHEN an alias routes 70/30 between them
        created = sfn.create_state_machine_alias(name="PROD", description="live", routingConfiguration=_route(70, 30))
        # THEN it is described as created
        described = sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)
        assert created["stateMachineAliasArn"] == ALIAS
        assert (described["name"], described["description"]) == ("PROD", "live")
        assert described["routingConfiguration"] == _route(70, 30)
        assert described["creationDate"] == described["updateDate"] == created["creationDate"]

    def test_create_is_idempotent_but_not_with_other_settings(self, sfn):
        _two_versions(sfn)
        first = sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        again = sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        assert first["creationDate"] == again["creationDate"]
        for change in ({"description": "other"}, {"routingConfiguration": _route(50, 50)}):
            arguments = {"name": "PROD", "routingConfiguration": _route(100), **change}
            with pytest.raises(sfn.exceptions.ConflictException) as error:
                sfn.create_state_machine_alias(**arguments)
            assert _message(error) == ("Failed to create alias because an alias with the same name and a different "
                                       "routing configuration already exists.")

    @pytest.mark.parametrize("name, constraint", [
        ("123", "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"),
        ("INVALID ALIAS", "Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$"),
        ("A" * 81, "Member must have length less than or equal to 80"),
    ])
    def test_create_with_invalid_name(self, sfn, name, constraint):
        _two_versions(sfn)
        with pytest.raises(sfn.exceptions.ValidationException) as error:
            sfn.create_state_machine_alias(name=name, routingConfiguration=_route(100))
        assert _message(error) == f"1 validation error detected: Value '{name}' at 'name' failed to satisfy " \
                                  f"constraint: {constraint}"

    @pytest.mark.parametrize("routing, message", [
        ([{"stateMachineVersionArn": V1, "weight": 50}, {"stateMachineVersionArn": V2, "weight": 30},
          {"stateMachineVersionArn": V3, "weight": 20}],
         "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=" + V1 +
         ", weight=50), RoutingConfigurationListItem(stateMachineVersionArn=" + V2 + ", weight=30), "
         "RoutingConfigurationListItem(stateMachineVersionArn=" + V3 + ", weight=20)]' at 'routingConfiguration' "
         "failed to satisfy constraint: Member must have length less than or equal to 2"),
        ([{"stateMachineVersionArn": V1, "weight": 50}, {"stateMachineVersionArn": V1, "weight": 50}],
         f"Routing configuration must contain distinct state machine version ARNs. Received: [{V1}, {V1}]"),
        ([{"stateMachineVersionArn": ARN, "weight": 50}, {"stateMachineVersionArn": V2, "weight": 50}],
         f"Routing configuration must contain state machine version ARNs. Received: [{ARN}, {V2}]"),
        ([{"stateMachineVersionArn": V1, "weight": 101}],
         "1 validation error detected: Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy "
         "constraint: Member must have value less than or equal to 100"),
        (_route(70, 29), "Sum of routing configuration weights must equal 100. Received: [70, 29]"),
        (_route(70, 31), "Sum of routing configuration weights must equal 100. Received: [70, 31]"),
    ])
    def test_create_with_invalid_routing(self, sfn, routing, message):
        _two_versions(sfn)
        with pytest.raises(sfn.exceptions.ValidationException) as error:
            sfn.create_state_machine_alias(name="PROD", routingConfiguration=routing)
        assert _message(error) == message

    def test_create_on_unknown_version_and_invalid_arn(self, sfn):
        _create(sfn, publish=True)
        with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
            sfn.create_state_machine_alias(name="PROD", routingConfiguration=[{"stateMachineVersionArn": V2,
                                                                               "weight": 100}])
        assert _message(error) == f"Resource not found: '{V2}'"
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.create_state_machine_alias(name="PROD", routingConfiguration=[{"stateMachineVersionArn": "x:1",
                                                                               "weight": 100}])

    def test_describe_update_unknown_alias(self, sfn):
        _create(sfn)
        with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
            sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)
        assert _message(error) == f"Resource not found: '{ALIAS}'"
        with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
            sfn.update_state_machine_alias(stateMachineAliasArn=ALIAS, description="d")
        assert _message(error) == "Request references a resource that does not exist."
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.describe_state_machine_alias(stateMachineAliasArn="nope")

    def test_update_description_and_routing(self, sfn):
        # GIVEN an alias on version 1
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        # WHEN its description, then its routing change
        sfn.update_state_machine_alias(stateMachineAliasArn=ALIAS, description="new description")
        updated = sfn.update_state_machine_alias(stateMachineAliasArn=ALIAS, routingConfiguration=_route(0, 100))
        # THEN both show, with the update date
        described = sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)
        assert described["description"] == "new description"
        assert described["routingConfiguration"] == _route(0, 100)
        assert described["updateDate"] == updated["updateDate"]

    def test_update_needs_something_and_checks_routing(self, sfn):
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        with pytest.raises(sfn.exceptions.ValidationException):
            sfn.update_state_machine_alias(stateMachineAliasArn=ALIAS)
        with pytest.raises(sfn.exceptions.ValidationException) as error:
            sfn.update_state_machine_alias(stateMachineAliasArn=ALIAS, routingConfiguration=_route(70, 29))
        assert _message(error) == "Sum of routing configuration weights must equal 100. Received: [70, 29]"

    def test_list_oldest_first_as_aws_recorded(self, sfn):
        # GIVEN three aliases; the API reference says "most recently created first", but AWS's recorded
        # answer (test_base_lifecycle_create_delete_list) lists them oldest first: the recording wins
        _two_versions(sfn)
        for name in ("a-0", "a-1", "a-2"):
            sfn.create_state_machine_alias(name=name, routingConfiguration=_route(100))
        listed = sfn.list_state_machine_aliases(stateMachineArn=ARN)["stateMachineAliases"]
        assert [a["stateMachineAliasArn"] for a in listed] == [f"{ARN}:a-0", f"{ARN}:a-1", f"{ARN}:a-2"]
        # WHEN one is deleted THEN the others stay; a version ARN lists the aliases routing to it
        sfn.delete_state_machine_alias(stateMachineAliasArn=f"{ARN}:a-0")
        assert len(sfn.list_state_machine_aliases(stateMachineArn=ARN)["stateMachineAliases"]) == 2
        assert len(sfn.list_state_machine_aliases(stateMachineArn=V1)["stateMachineAliases"]) == 2
        assert sfn.list_state_machine_aliases(stateMachineArn=V2)["stateMachineAliases"] == []

    def test_delete_twice_succeeds(self, sfn):
        # AWS-recorded (test_delete_no_such_alias_arn): deleting a deleted alias answers 200
        _create(sfn, publish=True)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        sfn.delete_state_machine_alias(stateMachineAliasArn=ALIAS)
        sfn.delete_state_machine_alias(stateMachineAliasArn=ALIAS)
        with pytest.raises(sfn.exceptions.ResourceNotFound):
            sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.delete_state_machine_alias(stateMachineAliasArn="nope")

    def test_list_pages_and_limits(self, sfn):
        # GIVEN two aliases
        _create(sfn, publish=True)
        for name in ("a-0", "a-1"):
            sfn.create_state_machine_alias(name=name, routingConfiguration=_route(100))
        # WHEN listed one at a time THEN the token leads to the second
        first = sfn.list_state_machine_aliases(stateMachineArn=ARN, maxResults=1)
        second = sfn.list_state_machine_aliases(stateMachineArn=ARN, nextToken=first["nextToken"])
        assert [a["stateMachineAliasArn"] for a in first["stateMachineAliases"] + second["stateMachineAliases"]] \
            == [f"{ARN}:a-0", f"{ARN}:a-1"]
        # AND over 1000 at a time is AWS's ValidationException
        with pytest.raises(sfn.exceptions.ValidationException) as error:
            sfn.list_state_machine_aliases(stateMachineArn=ARN, maxResults=1001)
        assert _message(error) == ("1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
                                   "constraint: Member must have value less than or equal to 1000")

    def test_list_errors(self, sfn):
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
            sfn.list_state_machine_aliases(stateMachineArn=ARN)
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.list_state_machine_aliases(stateMachineArn="nope")
        _create(sfn)
        with pytest.raises(sfn.exceptions.ResourceNotFound):
            sfn.list_state_machine_aliases(stateMachineArn=V1)
        with pytest.raises(sfn.exceptions.InvalidToken):
            sfn.list_state_machine_aliases(stateMachineArn=ARN, nextToken="garbage")

    def test_deleting_the_machine_deletes_its_versions_and_aliases(self, sfn):
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        sfn.delete_state_machine(stateMachineArn=ARN)
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
            sfn.describe_state_machine(stateMachineArn=V1)
        with pytest.raises(sfn.exceptions.ResourceNotFound):
            sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)

    def test_delete_machine_refuses_qualified_arns(self, sfn):
        _create(sfn, publish=True)
        with pytest.raises(sfn.exceptions.ValidationException):
            sfn.delete_state_machine(stateMachineArn=V1)

    def test_versions_and_aliases_are_not_taggable(self, sfn):
        # AWS-recorded (test_tag_state_machine_version): ResourceNotFound
        _create(sfn, publish=True)
        with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
            sfn.tag_resource(resourceArn=V1, tags=[{"key": "a", "value": "b"}])
        assert _message(error) == f"Resource not found: '{V1}'"


class TestExecutionsOnVersionsAndAliases:
    def test_version_runs_its_snapshot_and_describe_names_it(self, runtime, sfn):
        # GIVEN versions 1 ("v1") and 2 ("v2")
        _two_versions(sfn)
        # WHEN version 1 is started
        execution = sfn.start_execution(stateMachineArn=V1)["executionArn"]
        assert runtime.wait_for(execution, timeout=10)
        # THEN it ran version 1's definition, and DescribeExecution names the version, not an alias
        described = sfn.describe_execution(executionArn=execution)
        assert json.loads(described["output"]) == "v1"
        assert (described["stateMachineArn"], described["stateMachineVersionArn"]) == (ARN, V1)
        assert "stateMachineAliasArn" not in described
        for_execution = sfn.describe_state_machine_for_execution(executionArn=execution)
        assert (for_execution["stateMachineArn"], for_execution["definition"]) == (ARN, _returns("v1"))

    def test_alias_routes_by_weight_and_describe_names_both(self, runtime, sfn, monkeypatch):
        # GIVEN an alias 30/70 over versions 1 and 2, and the weighted draw landing at 50
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(30, 70))
        monkeypatch.setattr(versions_aliases.random, "uniform", lambda low, high: 50.0)
        # WHEN the alias is started
        execution = sfn.start_execution(stateMachineArn=ALIAS)["executionArn"]
        assert runtime.wait_for(execution, timeout=10)
        # THEN version 2 ran, and the execution names the alias and the version
        described = sfn.describe_execution(executionArn=execution)
        assert json.loads(described["output"]) == "v2"
        assert (described["stateMachineAliasArn"], described["stateMachineVersionArn"]) == (ALIAS, V2)

    def test_alias_with_a_zero_weight_never_routes_there(self, sfn):
        _two_versions(sfn, "EXPRESS")
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(0, 100))
        outputs = {sfn.start_sync_execution(stateMachineArn=ALIAS)["output"] for _ in range(20)}
        assert outputs == {'"v2"'}

    def test_list_executions_by_machine_version_and_alias(self, runtime, sfn):
        # GIVEN executions started on the machine, on version 1 and on the alias (routing to version 2)
        _two_versions(sfn)
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=[{"stateMachineVersionArn": V2,
                                                                           "weight": 100}])
        started = [sfn.start_execution(stateMachineArn=arn, name=name)["executionArn"]
                   for arn, name in ((ARN, "plain"), (V1, "on-version"), (ALIAS, "on-alias"))]
        for execution in started:
            assert runtime.wait_for(execution, timeout=10)

        def names(arn: str) -> set[str]:
            return {e["name"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]}

        # THEN the machine lists all three; a version or alias lists those started on it
        assert names(ARN) == {"plain", "on-version", "on-alias"}
        assert names(V1) == {"on-version"}
        assert names(ALIAS) == {"on-alias"}
        listed = {e["name"]: e for e in sfn.list_executions(stateMachineArn=ARN)["executions"]}
        assert listed["on-alias"]["stateMachineAliasArn"] == ALIAS
        assert listed["on-alias"]["stateMachineVersionArn"] == V2
        assert "stateMachineVersionArn" not in listed["plain"]

    def test_start_on_unknown_version_or_alias(self, sfn):
        _create(sfn)
        for arn in (V1, ALIAS):
            with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
                sfn.start_execution(stateMachineArn=arn)
            assert _message(error) == f"State Machine Does Not Exist: '{arn}'"


def test_versions_and_aliases_round_trip_over_http_with_boto3(runtime):
    # GIVEN the runtime behind its HTTP endpoint, and unchanged boto3
    server = serve(runtime, host="127.0.0.1", port=0)
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
        # WHEN a version is published, an alias made on it and started
        _create(sfn)
        version = sfn.publish_state_machine_version(stateMachineArn=ARN, description="first")
        sfn.create_state_machine_alias(name="PROD", routingConfiguration=_route(100))
        execution = sfn.start_execution(stateMachineArn=ALIAS)["executionArn"]
        # THEN boto3 parses every answer, errors included
        assert version["stateMachineVersionArn"] == V1
        assert runtime.wait_for(execution, timeout=10)
        assert sfn.describe_execution(executionArn=execution)["stateMachineAliasArn"] == ALIAS
        assert sfn.describe_state_machine_alias(stateMachineAliasArn=ALIAS)["routingConfiguration"] == _route(100)
        assert sfn.list_state_machine_versions(stateMachineArn=ARN)["stateMachineVersions"][0][
            "stateMachineVersionArn"] == V1
        with pytest.raises(sfn.exceptions.ConflictException):
            sfn.delete_state_machine_version(stateMachineVersionArn=V1)
        sfn.delete_state_machine_alias(stateMachineAliasArn=ALIAS)
        assert sfn.list_state_machine_aliases(stateMachineArn=ARN)["stateMachineAliases"] == []
    finally:
        server.shutdown()
