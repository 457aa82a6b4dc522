"""Create / describe / update / delete / list state machines, with AWS's errors."""
from __future__ import annotations

import json
from datetime import datetime

import pytest
from botocore.exceptions import ClientError, ParamValidationError

import stepfunctions_local

from .service_support import ROLE_ARN, create, definition, pass_through

ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:orders"


@pytest.fixture
def sfn():
    return stepfunctions_local.client(region_name="us-east-1")


def _code(error: pytest.ExceptionInfo) -> str:
    return error.value.response["Error"]["Code"]


class TestCreate:
    def test_create_returns_arn_in_local_account_and_datetime(self, sfn):
        # GIVEN a valid definition
        # WHEN it is created
        response = sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN)
        # THEN the ARN is in account 000000000000 and the date is a datetime, as boto3 gives
        assert response["stateMachineArn"] == ARN
        assert isinstance(response["creationDate"], datetime)
        assert response["ResponseMetadata"]["HTTPStatusCode"] == 200

    def test_recreate_with_same_arguments_is_idempotent(self, sfn):
        # GIVEN an existing state machine
        first = sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN)
        # WHEN it is created again with identical arguments
        again = sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN)
        # THEN AWS answers with the same machine
        assert again["creationDate"] == first["creationDate"]

    def test_recreate_with_other_role_is_still_idempotent(self, sfn):
        # GIVEN an existing state machine
        first = sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN)
        # WHEN it is created again with another role (AWS ignores role and tags here)
        again = sfn.create_state_machine(name="orders", definition=pass_through(),
                                         roleArn="arn:aws:iam::000000000000:role/other")
        # THEN the existing machine is returned
        assert again["stateMachineArn"] == first["stateMachineArn"]

    def test_recreate_with_other_definition_is_already_exists(self, sfn):
        # GIVEN an existing state machine
        create(sfn, "orders", pass_through(), "STANDARD")
        # WHEN the same name is created with another definition
        other = definition({"Other": {"Type": "Succeed"}})
        with pytest.raises(sfn.exceptions.StateMachineAlreadyExists) as error:
            create(sfn, "orders", other, "STANDARD")
        # THEN the error names the ARN
        assert error.value.response["Error"]["Message"] == f"State Machine Already Exists: '{ARN}'"

    def test_invalid_json_definition_is_invalid_definition(self, sfn):
        # GIVEN a definition that is not JSON
        # WHEN it is created
        with pytest.raises(ClientError) as error:
            sfn.create_state_machine(name="orders", definition="{not json", roleArn=ROLE_ARN)
        # THEN it is InvalidDefinition with AWS's prefix
        assert _code(error) == "InvalidDefinition"
        assert error.value.response["Error"]["Message"].startswith("Invalid State Machine Definition: '")

    def test_missing_next_is_invalid_definition(self, sfn):
        # GIVEN a state with neither Next nor End
        text = definition({"A": {"Type": "Pass"}})
        # WHEN it is created
        with pytest.raises(ClientError) as error:
            sfn.create_state_machine(name="orders", definition=text, roleArn=ROLE_ARN)
        # THEN the definition is rejected
        assert _code(error) == "InvalidDefinition"

    def test_express_machine_rejects_sync_integration(self, sfn):
        # GIVEN an Express definition that waits for a nested execution (.sync)
        text = definition({"Run": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync",
                                   "Parameters": {"StateMachineArn": ARN}, "End": True}})
        # WHEN it is created as EXPRESS
        with pytest.raises(ClientError) as error:
            create(sfn, "orders", text, "EXPRESS")
        # THEN AWS refuses: Express workflows do not support .sync
        assert _code(error) == "InvalidDefinition"
        assert "'.sync'" in error.value.response["Error"]["Message"]

    @pytest.mark.parametrize("name", ["has space", "a/b", "x" * 81, "curly{", "star*"])
    def test_bad_name_is_invalid_name(self, sfn, name):
        # GIVEN a name AWS does not allow
        # WHEN a state machine is created with it
        with pytest.raises(ClientError) as error:
            sfn.create_state_machine(name=name, definition=pass_through(), roleArn=ROLE_ARN)
        # THEN it is InvalidName
        assert _code(error) == "InvalidName"

    def test_bad_role_is_invalid_arn(self, sfn):
        # GIVEN a role that is not an ARN
        # WHEN a state machine is created with it
        with pytest.raises(ClientError) as error:
            sfn.create_state_machine(name="orders", definition=pass_through(), roleArn="my-role")
        # THEN it is InvalidArn
        assert _code(error) == "InvalidArn"

    def test_unknown_type_is_validation_exception(self, sfn):
        # GIVEN a type that is neither STANDARD nor EXPRESS
        # WHEN a state machine is created with it
        with pytest.raises(ClientError) as error:
            create(sfn, "orders", pass_through(), "FAST")
        # THEN it is a ValidationException
        assert _code(error) == "ValidationException"

    def test_logging_without_destination_is_invalid_logging_configuration(self, sfn):
        # GIVEN logging switched on without a log group
        # WHEN a state machine is created
        with pytest.raises(ClientError) as error:
            sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN,
                                     loggingConfiguration={"level": "ALL"})
        # THEN it is InvalidLoggingConfiguration
        assert _code(error) == "InvalidLoggingConfiguration"

    def test_missing_required_argument_fails_before_the_call_like_boto3(self, sfn):
        # GIVEN no roleArn
        # WHEN create is called
        # THEN botocore's own validation error is raised
        with pytest.raises(ParamValidationError):
            sfn.create_state_machine(name="orders", definition=pass_through())


class TestDescribeUpdateDeleteList:
    def test_describe_returns_definition_and_type(self, sfn):
        # GIVEN an Express machine
        create(sfn, "orders", pass_through(), "EXPRESS")
        # WHEN it is described
        described = sfn.describe_state_machine(stateMachineArn=ARN)
        # THEN the definition, role and type are those given
        assert (described["definition"], described["roleArn"], described["type"], described["status"]) == (
            pass_through(), ROLE_ARN, "EXPRESS", "ACTIVE")

    def test_describe_unknown_is_state_machine_does_not_exist(self, sfn):
        # GIVEN no machine
        # WHEN an unknown ARN is described
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist) as error:
            sfn.describe_state_machine(stateMachineArn=ARN)
        # THEN AWS's message names the ARN
        assert error.value.response["Error"]["Message"] == f"State Machine Does Not Exist: '{ARN}'"

    def test_describe_with_execution_arn_is_invalid_arn(self, sfn):
        # GIVEN an execution ARN where a state machine ARN belongs
        # WHEN it is described
        with pytest.raises(ClientError) as error:
            sfn.describe_state_machine(stateMachineArn=ARN.replace("stateMachine:", "execution:") + ":x")
        # THEN it is InvalidArn
        assert _code(error) == "InvalidArn"

    def test_update_changes_definition_and_revision(self, sfn):
        # GIVEN a machine, which has no revision id until it is updated (AWS-recorded, localstack's
        # test_sfn_api_versioning snapshot: DescribeStateMachine after CreateStateMachine has none)
        create(sfn, "orders", pass_through(), "STANDARD")
        assert "revisionId" not in sfn.describe_state_machine(stateMachineArn=ARN)
        new = definition({"Stop": {"Type": "Succeed"}})
        # WHEN its definition is updated, twice
        first = sfn.update_state_machine(stateMachineArn=ARN, definition=new)
        second = sfn.update_state_machine(stateMachineArn=ARN, definition=pass_through())
        # THEN the newest definition is described under a new revision each time
        described = sfn.describe_state_machine(stateMachineArn=ARN)
        assert described["definition"] == pass_through()
        assert described["revisionId"] == second["revisionId"] != first["revisionId"]

    def test_update_that_changes_nothing_makes_no_revision(self, sfn):
        # GIVEN a machine never changed
        create(sfn, "orders", pass_through(), "STANDARD")
        # WHEN it is "updated" with its own definition (AWS-recorded: no revisionId in the answer)
        response = sfn.update_state_machine(stateMachineArn=ARN, definition=pass_through())
        # THEN no revision was made
        assert "revisionId" not in response

    def test_update_with_invalid_definition_keeps_the_old_one(self, sfn):
        # GIVEN a machine
        create(sfn, "orders", pass_through(), "STANDARD")
        # WHEN an invalid definition is sent
        with pytest.raises(ClientError) as error:
            sfn.update_state_machine(stateMachineArn=ARN, definition=json.dumps({"StartAt": "Nope", "States": {}}))
        # THEN it is rejected and nothing changed
        assert _code(error) == "InvalidDefinition"
        assert sfn.describe_state_machine(stateMachineArn=ARN)["definition"] == pass_through()

    def test_update_without_changes_is_missing_required_parameter(self, sfn):
        # GIVEN a machine
        create(sfn, "orders", pass_through(), "STANDARD")
        # WHEN update names nothing to change
        with pytest.raises(ClientError) as error:
            sfn.update_state_machine(stateMachineArn=ARN)
        # THEN AWS says what is missing
        assert _code(error) == "MissingRequiredParameter"

    def test_delete_then_describe_does_not_exist(self, sfn):
        # GIVEN a machine
        create(sfn, "orders", pass_through(), "STANDARD")
        # WHEN it is deleted
        sfn.delete_state_machine(stateMachineArn=ARN)
        # THEN it no longer exists
        with pytest.raises(sfn.exceptions.StateMachineDoesNotExist):
            sfn.describe_state_machine(stateMachineArn=ARN)

    def test_list_pages_with_next_token(self, sfn):
        # GIVEN three machines
        for name in ("a", "b", "c"):
            create(sfn, name, pass_through(), "STANDARD")
        # WHEN they are listed two at a time
        first = sfn.list_state_machines(maxResults=2)
        second = sfn.list_state_machines(maxResults=2, nextToken=first["nextToken"])
        # THEN all three come back once, with list-item fields only
        names = [m["name"] for m in first["stateMachines"] + second["stateMachines"]]
        assert names == ["a", "b", "c"]
        assert "nextToken" not in second
        assert set(first["stateMachines"][0]) == {"stateMachineArn", "name", "type", "creationDate"}


class TestTags:
    def test_tags_given_at_create_are_listed_and_can_change(self, sfn):
        # GIVEN a machine created with a tag
        sfn.create_state_machine(name="orders", definition=pass_through(), roleArn=ROLE_ARN,
                                 tags=[{"key": "team", "value": "support"}])
        # WHEN one tag is replaced, one added and one removed
        sfn.tag_resource(resourceArn=ARN, tags=[{"key": "team", "value": "web"}, {"key": "tier", "value": "1"}])
        sfn.untag_resource(resourceArn=ARN, tagKeys=["tier"])
        # THEN the listing shows the result
        assert sfn.list_tags_for_resource(resourceArn=ARN)["tags"] == [{"key": "team", "value": "web"}]

    def test_tagging_an_unknown_machine_is_resource_not_found(self, sfn):
        # GIVEN no machine "orders"
        # WHEN it is tagged, untagged or its tags listed
        calls = [lambda: sfn.tag_resource(resourceArn=ARN, tags=[{"key": "a", "value": "b"}]),
                 lambda: sfn.untag_resource(resourceArn=ARN, tagKeys=["a"]),
                 lambda: sfn.list_tags_for_resource(resourceArn=ARN)]
        for call in calls:
            with pytest.raises(sfn.exceptions.ResourceNotFound) as error:
                call()
            # THEN ResourceNotFound, the only such error botocore's model allows there
            assert error.value.response["Error"]["Message"] == f"Resource not found: '{ARN}'"

    def test_tagging_a_malformed_arn_is_invalid_arn(self, sfn):
        with pytest.raises(sfn.exceptions.InvalidArn):
            sfn.list_tags_for_resource(resourceArn="not-an-arn")


class TestValidateDefinition:
    def test_valid_definition_is_ok(self, sfn):
        # GIVEN a valid definition
        # WHEN it is validated
        response = sfn.validate_state_machine_definition(definition=pass_through(), type="EXPRESS")
        # THEN the result is OK without diagnostics
        assert (response["result"], response["diagnostics"]) == ("OK", [])

    def test_invalid_definition_reports_code_message_and_location(self, sfn):
        # GIVEN a state with neither Next nor End
        # WHEN it is validated
        response = sfn.validate_state_machine_definition(definition=definition({"A": {"Type": "Pass"}}))
        # THEN one ERROR diagnostic points at the state
        assert response["result"] == "FAIL"
        [diagnostic] = response["diagnostics"]
        assert (diagnostic["severity"], diagnostic["code"], diagnostic["location"]) == (
            "ERROR", "SCHEMA_VALIDATION_FAILED", "/States/A")

    def test_each_problem_is_a_diagnostic_of_its_own(self, sfn):
        # GIVEN a definition with two broken states, one of them with a problem whose text holds ", "
        broken = definition({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass"},
                             "C": {"Type": "Wait", "End": True}})
        # WHEN it is validated
        response = sfn.validate_state_machine_definition(definition=broken)
        # THEN every problem has its own diagnostic with its own message and location, as AWS lists them
        assert response["result"] == "FAIL"
        assert [(d["severity"], d["code"], d["message"], d["location"]) for d in response["diagnostics"]] == [
            ("ERROR", "SCHEMA_VALIDATION_FAILED", "Exactly one of 'Next' or 'End' must be present", "/States/B"),
            ("ERROR", "SCHEMA_VALIDATION_FAILED",
             "A Wait state must have exactly one of 'Seconds', 'Timestamp', 'SecondsPath' or 'TimestampPath'",
             "/States/C"),
        ]
        assert response["truncated"] is False

    def test_two_unknown_jsonata_names_are_two_diagnostics_located_at_the_field(self, sfn):
        # GIVEN a JSONata expression reading two names that are not in scope
        broken = definition({"S": {"Type": "Pass", "Output": "{% aaa + bbb %}", "End": True}},
                            QueryLanguage="JSONata")
        # WHEN it is validated
        response = sfn.validate_state_machine_definition(definition=broken)
        # THEN one diagnostic per name, each located at the field's path only
        assert [(d["code"], d["message"], d["location"]) for d in response["diagnostics"]] == [
            ("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to 'aaa' at the top level is not supported.",
             "/States/S/Output"),
            ("UNSUPPORTED_JSONATA_EXPRESSION", "Reference to 'bbb' at the top level is not supported.",
             "/States/S/Output"),
        ]

    def test_express_refusing_callbacks_is_located_at_the_task_in_a_branch(self, sfn):
        # GIVEN an Express definition with a .waitForTaskToken task inside a Parallel branch
        callback = {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True}
        broken = definition({"P": {"Type": "Parallel", "End": True, "Branches": [
            {"StartAt": "Wait", "States": {"Wait": callback}}]}})
        # WHEN it is validated as EXPRESS
        response = sfn.validate_state_machine_definition(definition=broken, type="EXPRESS")
        # THEN the diagnostic names the pattern and points at that task's Resource
        assert [(d["message"], d["location"]) for d in response["diagnostics"]] == [
            ("Express state machine does not support '.waitForTaskToken' service integration ",
             "/States/P/Branches[0]/States/Wait/Resource")]

    def test_max_results_truncates_the_diagnostics(self, sfn):
        # GIVEN a definition with two problems
        broken = definition({"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass"}, "C": {"Type": "Wait"}})
        # WHEN it is validated asking for one diagnostic
        response = sfn.validate_state_machine_definition(definition=broken, maxResults=1)
        # THEN one diagnostic comes back and the answer says more were found
        assert [d["location"] for d in response["diagnostics"]] == ["/States/B"]
        assert response["truncated"] is True
