"""The packaged dev template: every resource exists, is wired to the others, and lints clean."""
from __future__ import annotations

import copy
import json
import re
import zipfile
from typing import Any

import boto3
import pytest
from awscli.clidriver import create_clidriver
from moto import mock_aws
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator
from statelint.linter import Linter

from deploy.package import STATE_MACHINE_DEFINITIONS
from tests.support.packaging import PROJECT_DIR, Packaged, actions_of, configured_policy_files, lint_problems

# Chalice function name -> logical id Chalice gives it in the template.
FUNCTIONS = {
    "api_handler": "APIHandler",
    "generate_ticket_id": "GenerateTicketId",
    "notify_admin": "NotifyAdmin",
    "process_queued_submissions": "ProcessQueuedSubmissions",
    "process_submission_event": "ProcessSubmissionEvent",
    "send_digest": "SendDigest",
}
WORKFLOW_CLIENTS = ("APIHandler", "ProcessQueuedSubmissions", "ProcessSubmissionEvent")
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
_FAKE_ACCOUNT = "arn:aws:{service}:us-east-1:123456789012:{kind}:{name}"


def _target(reference: Any) -> str:
    """The logical id a Ref or Fn::GetAtt points at."""
    if "Ref" in reference:
        return reference["Ref"]
    return reference["Fn::GetAtt"][0]


def _statements(policy_document: dict[str, Any]) -> list[dict[str, Any]]:
    return policy_document["Statement"]


@pytest.fixture(scope="module")
def expanded(packaged: Packaged) -> dict[str, Any]:
    """The template after `aws cloudformation package` and the SAM transform CloudFormation runs."""
    template = copy.deepcopy(packaged.template)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = "s3://artifacts/deployment.zip"
    translator = Translator(None, Parser(), boto_session=boto3.Session(region_name="us-east-1"))
    return translator.translate(
        template,
        parameter_values={"AdminEmail": "admin@example.com", "SenderEmail": "no-reply@example.com"},
        get_managed_policy_map=dict,
    )


def _of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == kind]


class TestLint:
    def test_cfn_lint_reports_nothing(self, packaged: Packaged):
        # GIVEN the template as `make package` writes it
        text = (packaged.directory / "sam.json").read_text(encoding="utf-8")
        # WHEN cfn-lint checks it (SAM schemas included), informational rules too
        problems = lint_problems(text)
        # THEN it reports nothing: no error, no warning, no stateful resource without a policy
        assert problems == []

    def test_sam_transform_expands_to_a_template_cfn_lint_accepts(self, expanded: dict[str, Any]):
        # GIVEN the template as CloudFormation sees it after the SAM transform
        # WHEN cfn-lint checks it
        problems = lint_problems(json.dumps(expanded))
        # THEN it reports nothing, and no SAM resource is left unexpanded
        assert problems == []
        assert not [r for r in expanded["Resources"].values() if r["Type"].startswith("AWS::Serverless::")]

    def test_cloudformation_package_uploads_the_code_and_keeps_the_template_valid(
        self, packaged: Packaged, tmp_path
    ):
        # GIVEN the packaged stage and an artifact bucket
        with mock_aws():
            boto3.client("s3").create_bucket(Bucket="artifacts")
            # WHEN `aws cloudformation package` runs, as the deploy step does before deploying
            output = tmp_path / "packaged.yaml"
            status = create_clidriver().main(
                [
                    "cloudformation", "package",
                    "--template-file", str(packaged.directory / "sam.json"),
                    "--s3-bucket", "artifacts",
                    "--output-template-file", str(output),
                ]
            )
            uploaded = boto3.client("s3").list_objects_v2(Bucket="artifacts")["KeyCount"]
        # THEN the code is uploaded once and the template for `aws cloudformation deploy` lints clean
        assert status == 0
        assert uploaded == 1
        text = output.read_text(encoding="utf-8")
        assert "./deployment.zip" not in text
        assert lint_problems(text) == []

    def test_every_state_machine_passes_statelint_after_substitution(self, packaged: Packaged):
        # GIVEN every ASL file of the project, each deployed as a state machine
        asl_files = {f"statemachine/{path.name}" for path in PROJECT_DIR.glob("statemachine/*.asl.json")}
        assert asl_files == set(STATE_MACHINE_DEFINITIONS.values())
        for logical_id in STATE_MACHINE_DEFINITIONS:
            # GIVEN a state machine's definition with its substitutions filled in as AWS would
            properties = packaged.properties(logical_id)
            values = {
                key: _fake_value(packaged, value)
                for key, value in properties["DefinitionSubstitutions"].items()
            }
            text = _PLACEHOLDER.sub(
                lambda match, values=values: values[match.group(1)], json.dumps(properties["Definition"])
            )
            # WHEN statelint validates it
            problems = Linter.validate(json.loads(text))
            # THEN it is a valid Amazon States Language document
            assert problems == [], logical_id


def _fake_value(packaged: Packaged, reference: dict[str, Any]) -> str:
    """What CloudFormation would substitute: an ARN or a name of the right shape."""
    resource = packaged.resources[_target(reference)]
    kind = resource["Type"]
    if kind == "AWS::Serverless::Function":
        return _FAKE_ACCOUNT.format(service="lambda", kind="function", name=_target(reference))
    if kind == "AWS::StepFunctions::StateMachine":
        machine = resource["Properties"]["StateMachineName"]
        return _FAKE_ACCOUNT.format(service="states", kind="stateMachine", name=machine)
    assert kind == "AWS::DynamoDB::Table"
    return resource["Properties"]["TableName"]


class TestStateMachines:
    def test_express_workflow_is_the_asl_file_with_substitutions_to_real_resources(
        self, packaged: Packaged
    ):
        # GIVEN the Express state machine in the template
        properties = packaged.properties("ContactFormStateMachine")
        source = PROJECT_DIR / STATE_MACHINE_DEFINITIONS["ContactFormStateMachine"]
        # THEN it is the ASL file as read at package time, Express, with its contract name
        assert properties["Definition"] == json.loads(source.read_text(encoding="utf-8"))
        assert properties["StateMachineType"] == "EXPRESS"
        assert properties["StateMachineName"] == "contact-form-processing"
        # AND every placeholder in it resolves to the resource it names
        placeholders = set(_PLACEHOLDER.findall(json.dumps(properties["Definition"])))
        substitutions = properties["DefinitionSubstitutions"]
        assert placeholders == set(substitutions)
        assert substitutions == {
            "GenerateTicketIdFunctionArn": {"Fn::GetAtt": ["GenerateTicketId", "Arn"]},
            "NotifyAdminFunctionArn": {"Fn::GetAtt": ["NotifyAdmin", "Arn"]},
            "TicketsTableName": {"Ref": "TicketsTable"},
        }
        assert packaged.properties("GenerateTicketId")["Handler"] == "app.generate_ticket_id"
        assert packaged.properties("NotifyAdmin")["Handler"] == "app.notify_admin"

    def test_express_workflow_logs_errors_without_customer_data_and_is_traced(
        self, packaged: Packaged
    ):
        # GIVEN the Express state machine
        properties = packaged.properties("ContactFormStateMachine")
        # THEN it logs only errors, never execution data, to its own log group, and is traced
        logging = properties["LoggingConfiguration"]
        assert logging["Level"] == "ERROR"
        assert logging["IncludeExecutionData"] is False
        destination = logging["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]
        assert destination == {"Fn::GetAtt": ["ContactFormStateMachineLogGroup", "Arn"]}
        assert packaged.resources["ContactFormStateMachineLogGroup"]["Type"] == "AWS::Logs::LogGroup"
        assert properties["TracingConfiguration"] == {"Enabled": True}

    def test_parent_is_standard_and_runs_the_express_workflow(self, packaged: Packaged):
        # GIVEN the parent state machine
        properties = packaged.properties("ParentStateMachine")
        source = PROJECT_DIR / STATE_MACHINE_DEFINITIONS["ParentStateMachine"]
        # THEN it is the parent ASL file, Standard, pointed at the Express machine, and traced
        assert properties["Definition"] == json.loads(source.read_text(encoding="utf-8"))
        assert properties["StateMachineType"] == "STANDARD"
        assert properties["StateMachineName"] == "contact-form-parent"
        placeholders = set(_PLACEHOLDER.findall(json.dumps(properties["Definition"])))
        assert placeholders == {"ContactFormStateMachineArn"}
        assert properties["DefinitionSubstitutions"] == {
            "ContactFormStateMachineArn": {"Ref": "ContactFormStateMachine"}
        }
        assert properties["TracingConfiguration"] == {"Enabled": True}
        assert properties["LoggingConfiguration"]["IncludeExecutionData"] is False

    def test_express_role_may_call_exactly_its_tasks(self, packaged: Packaged):
        # GIVEN the Express state machine's role and the tasks of its definition
        properties = packaged.properties("ContactFormStateMachine")
        grants = _task_grants(packaged.properties(_target(properties["RoleArn"])))
        # THEN the role allows exactly the tasks' actions
        assert set(grants) == _task_actions(properties["Definition"]["States"])
        # AND only on the two Lambdas and the table; Comprehend has no resource-level permissions
        assert grants["lambda:InvokeFunction"] == [
            {"Fn::GetAtt": ["GenerateTicketId", "Arn"]},
            {"Fn::GetAtt": ["NotifyAdmin", "Arn"]},
        ]
        assert grants["dynamodb:PutItem"] == {"Fn::GetAtt": ["TicketsTable", "Arn"]}
        assert grants["dynamodb:UpdateItem"] == {"Fn::GetAtt": ["TicketsTable", "Arn"]}
        assert grants["comprehend:DetectSentiment"] == "*"

    def test_parent_role_may_only_start_the_express_workflow(self, packaged: Packaged):
        # GIVEN the parent's role and the tasks of its definition
        properties = packaged.properties("ParentStateMachine")
        grants = _task_grants(packaged.properties(_target(properties["RoleArn"])))
        # THEN its only task permission is a synchronous start of the child
        assert set(grants) == _task_actions(properties["Definition"]["States"])
        assert grants == {"states:StartSyncExecution": {"Ref": "ContactFormStateMachine"}}


def _task_grants(role: dict[str, Any]) -> dict[str, Any]:
    """Action -> Resource of a state machine role, without its logging and tracing grants."""
    return {
        action: statement["Resource"]
        for policy in role["Policies"]
        for statement in _statements(policy["PolicyDocument"])
        for action in actions_of(statement)
        if not action.startswith(("logs:", "xray:"))
    }


def _task_actions(states: dict[str, Any]) -> set[str]:
    """The IAM actions the Task states of a definition (branches included) call."""
    actions: set[str] = set()
    for state in states.values():
        if state["Type"] == "Task":
            actions.add(_integration_action(state["Resource"]))
        for branch in state.get("Branches", []):
            actions |= _task_actions(branch["States"])
        processor = state.get("ItemProcessor") or state.get("Iterator")
        if processor:
            actions |= _task_actions(processor["States"])
    return actions


def _integration_action(resource: str) -> str:
    """``arn:aws:states:::dynamodb:putItem`` -> ``dynamodb:PutItem`` (and the two odd ones)."""
    parts = resource.removeprefix("arn:aws:states:::").split(":")
    service, api = parts[1:3] if parts[0] == "aws-sdk" else parts[:2]
    api = api.split(".")[0]
    if (service, api) == ("lambda", "invoke"):
        return "lambda:InvokeFunction"
    prefix = {"sfn": "states"}.get(service, service)
    return f"{prefix}:{api[0].upper()}{api[1:]}"


class TestIam:
    def test_no_wildcard_action_and_no_unexplained_wildcard_resource(
        self, expanded: dict[str, Any]
    ):
        # GIVEN every policy statement of the deployed stack (roles and resource policies)
        statements = [
            statement
            for resource in expanded["Resources"].values()
            for document in _policy_documents(resource)
            for statement in document["Statement"]
        ]
        assert statements
        for statement in statements:
            # THEN it names its actions
            assert "NotAction" not in statement and "NotResource" not in statement
            assert all("*" not in action for action in actions_of(statement)), statement
            # AND Resource "*" says why in its Sid; a partial wildcard (beyond a log group's
            # streams) is narrowed by a Condition
            if statement["Resource"] == "*":
                assert "NoResourceLevelPermissions" in statement["Sid"], statement
            elif "*" in json.dumps(statement["Resource"]).replace(":*", ""):
                assert statement.get("Condition"), statement


def _policy_documents(resource: dict[str, Any]) -> list[dict[str, Any]]:
    properties = resource["Properties"]
    if resource["Type"] == "AWS::IAM::Role":
        return [policy["PolicyDocument"] for policy in properties.get("Policies", [])]
    if resource["Type"] == "AWS::SQS::QueuePolicy":
        return [properties["PolicyDocument"]]
    return []


class TestStorage:
    def test_tickets_table_is_on_demand_recoverable_and_encrypted(self, packaged: Packaged):
        # GIVEN the tickets table
        table = packaged.resources["TicketsTable"]
        properties = table["Properties"]
        # THEN its key is ticketId, billing on demand, with PITR and SSE, kept on stack deletion
        assert properties["TableName"] == "contact-form-tickets"
        assert properties["KeySchema"] == [{"AttributeName": "ticketId", "KeyType": "HASH"}]
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert properties["SSESpecification"] == {"SSEEnabled": True}
        assert table["DeletionPolicy"] == "Retain"

    def test_idempotency_table_expires_records(self, packaged: Packaged):
        # GIVEN the idempotency table
        properties = packaged.properties("IdempotencyTable")
        # THEN it is keyed by id with the TTL attribute powertools writes
        assert properties["TableName"] == "contact-form-idempotency"
        assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        assert properties["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
        assert properties["BillingMode"] == "PAY_PER_REQUEST"
        assert properties["SSESpecification"] == {"SSEEnabled": True}


class TestQueue:
    def test_queue_redrives_to_its_dead_letter_queue_after_three_receives(self, packaged: Packaged):
        # GIVEN the submissions queue
        properties = packaged.properties("SubmissionsQueue")
        # THEN a message failing three times moves to contact-form-submissions-dlq
        assert properties["QueueName"] == "contact-form-submissions"
        assert properties["RedrivePolicy"] == {
            "deadLetterTargetArn": {"Fn::GetAtt": ["SubmissionsDeadLetterQueue", "Arn"]},
            "maxReceiveCount": 3,
        }
        assert packaged.properties("SubmissionsDeadLetterQueue")["QueueName"] == (
            "contact-form-submissions-dlq"
        )

    def test_visibility_timeout_is_at_least_six_times_the_consumer_timeout(self, packaged: Packaged):
        # GIVEN the queue and its consumer
        visibility = packaged.properties("SubmissionsQueue")["VisibilityTimeout"]
        timeout = packaged.properties("ProcessQueuedSubmissions")["Timeout"]
        # THEN a slow batch is not delivered twice while it still runs
        assert visibility >= 6 * timeout

    def test_consumer_reads_the_queue_and_reports_partial_batch_failures(self, packaged: Packaged):
        # GIVEN the consumer's event source
        events = packaged.properties("ProcessQueuedSubmissions")["Events"]
        [source] = events.values()
        # THEN it is the submissions queue, with per-message failures reported back
        assert source["Type"] == "SQS"
        assert source["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        queue_name = packaged.properties("SubmissionsQueue")["QueueName"]
        assert source["Properties"]["Queue"]["Fn::Sub"].endswith(":" + queue_name)


    def test_expanded_event_source_mapping_reports_batch_item_failures(self, expanded: dict[str, Any]):
        # GIVEN the event source mapping the SAM transform creates
        [mapping] = _of_type(expanded, "AWS::Lambda::EventSourceMapping")
        # THEN it feeds the queue consumer and accepts its partial batch responses
        assert mapping["FunctionName"] == {"Ref": "ProcessQueuedSubmissions"}
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["EventSourceArn"]["Fn::Sub"].endswith(":contact-form-submissions")


class TestEvents:
    def test_submitted_events_reach_the_consumer_with_retries_and_a_dead_letter_queue(
        self, packaged: Packaged
    ):
        # GIVEN the event consumer's rule
        [rule] = packaged.properties("ProcessSubmissionEvent")["Events"].values()
        properties = rule["Properties"]
        # THEN it matches the product's submitted events on the default bus
        assert rule["Type"] == "EventBridgeRule"
        assert properties["Pattern"] == {
            "source": ["contact-form"],
            "detail-type": ["Contact Form Submitted"],
        }
        assert properties.get("EventBusName", "default") == "default"
        # AND undeliverable events are retried, then kept in a queue EventBridge may write to
        assert properties["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        dead_letter_queue = _target(properties["DeadLetterConfig"]["Arn"])
        policy = packaged.properties("SubmissionEventsDeadLetterQueuePolicy")
        assert policy["Queues"] == [{"Ref": dead_letter_queue}]
        [statement] = policy["PolicyDocument"]["Statement"]
        assert statement["Principal"] == {"Service": "events.amazonaws.com"}
        source_arn = statement["Condition"]["ArnEquals"]["aws:SourceArn"]["Fn::Sub"]
        assert source_arn.endswith(":rule/" + properties["RuleName"])


    def test_expanded_rule_targets_the_consumer_with_retries_and_dead_letters(
        self, expanded: dict[str, Any]
    ):
        # GIVEN the EventBridge rule (the one matching events, not the digest's schedule) and
        # permission the SAM transform creates
        [rule] = [r for r in _of_type(expanded, "AWS::Events::Rule") if "EventPattern" in r]
        [permission] = [
            p for p in _of_type(expanded, "AWS::Lambda::Permission")
            if p["Principal"] == "events.amazonaws.com" and p["FunctionName"] == {"Ref": "ProcessSubmissionEvent"}
        ]
        # THEN the rule invokes the consumer, which lets EventBridge call it
        [target] = rule["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": ["ProcessSubmissionEvent", "Arn"]}
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": ["SubmissionEventsDeadLetterQueue", "Arn"]}}
        assert target["RetryPolicy"]["MaximumRetryAttempts"] >= 1
        assert permission["FunctionName"] == {"Ref": "ProcessSubmissionEvent"}


class TestFunctions:
    def test_zip_holds_the_app_and_its_runtime_deps_but_nothing_lambda_provides(self, packaged: Packaged):
        # GIVEN the packaged Lambda zip
        with zipfile.ZipFile(packaged.directory / "deployment.zip") as archive:
            tops = {name.split("/", 1)[0] for name in archive.namelist()}
        # THEN the app and requirements.txt's packages are in it, boto3/botocore (in the runtime) are not
        assert {"app.py", "chalicelib", "aws_lambda_powertools", "aws_xray_sdk"} <= tops
        assert not {top for top in tops if top.split("-", 1)[0] in ("boto3", "botocore", "s3transfer")}
        assert (packaged.directory / "deployment.zip").stat().st_size < 5 * 1024 * 1024

    def test_api_and_functions_are_traced(self, packaged: Packaged):
        # GIVEN the dev stage, which has X-Ray on
        # THEN the REST API and every function trace requests
        assert packaged.properties("RestAPI")["TracingEnabled"] is True
        for logical_id in FUNCTIONS.values():
            assert packaged.properties(logical_id)["Tracing"] == "Active", logical_id

    def test_expanded_api_stage_is_traced(self, expanded: dict[str, Any]):
        # GIVEN the API Gateway stage the SAM transform creates
        [stage] = _of_type(expanded, "AWS::ApiGateway::Stage")
        # THEN X-Ray tracing is on for it
        assert stage["TracingEnabled"] is True

    def test_functions_are_named_after_stage_and_function(self, packaged: Packaged):
        # GIVEN the Stage parameter fixed to the packaged stage
        assert packaged.template["Parameters"]["Stage"]["AllowedValues"] == ["dev"]
        # THEN every function's deployed name is contact-form-<stage>-<function>
        for name, logical_id in FUNCTIONS.items():
            expected = "contact-form-${Stage}" + ("" if name == "api_handler" else f"-{name}")
            assert packaged.properties(logical_id)["FunctionName"] == {"Fn::Sub": expected}

    def test_environment_points_at_the_stack_resources_and_parameters(self, packaged: Packaged):
        for logical_id in FUNCTIONS.values():
            # GIVEN a function's environment
            variables = packaged.properties(logical_id)["Environment"]["Variables"]
            # THEN tables and addresses come from the stack, not from the stage config
            assert variables["TICKETS_TABLE"] == {"Ref": "TicketsTable"}, logical_id
            assert variables["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}, logical_id
            assert variables["COUNTERS_TABLE"] == {"Ref": "CountersTable"}, logical_id
            assert variables["ADMIN_EMAILS_PER_MINUTE"] == {"Ref": "AdminEmailsPerMinute"}, logical_id
            assert variables["DIGEST_INTERVAL_SECONDS"] == {"Ref": "DigestIntervalSeconds"}, logical_id
            assert variables["ADMIN_EMAIL"] == {"Ref": "AdminEmail"}, logical_id
            assert variables["SENDER_EMAIL"] == {"Ref": "SenderEmail"}, logical_id
        for logical_id in WORKFLOW_CLIENTS:
            variables = packaged.properties(logical_id)["Environment"]["Variables"]
            assert variables["STATE_MACHINE_ARN"] == {"Ref": "ContactFormStateMachine"}, logical_id

    def test_cors_origin_is_a_stack_parameter_defaulting_to_the_stage_config(self, packaged: Packaged):
        # GIVEN the AllowedOrigin parameter
        parameter = packaged.template["Parameters"]["AllowedOrigin"]
        # THEN it defaults to the stage's configured origin
        config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text(encoding="utf-8"))
        assert parameter["Default"] == config["stages"]["dev"]["environment_variables"]["ALLOWED_ORIGIN"]
        # AND the API's answers and API Gateway's own preflight answer both follow it
        assert packaged.properties("APIHandler")["Environment"]["Variables"]["ALLOWED_ORIGIN"] == {
            "Ref": "AllowedOrigin"
        }
        preflight = packaged.properties("RestAPI")["DefinitionBody"]["paths"]["/contact"]["options"]
        headers = preflight["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]
        assert headers["method.response.header.Access-Control-Allow-Origin"] == {"Fn::Sub": "'${AllowedOrigin}'"}
        assert "Idempotency-Key" in headers["method.response.header.Access-Control-Allow-Headers"]
        assert "https://dev.contact.example.com" not in json.dumps(packaged.resources)

    def test_each_function_has_its_own_role_with_its_policy_file(self, packaged: Packaged):
        # GIVEN the policy file the stage config gives each function
        files = configured_policy_files("dev")
        roles = set()
        for name, logical_id in FUNCTIONS.items():
            # THEN the function's role carries exactly that file's policy
            role_id = _target(packaged.properties(logical_id)["Role"])
            [policy] = packaged.properties(role_id)["Policies"]
            policy_file = PROJECT_DIR / ".chalice" / files[name]
            assert policy["PolicyDocument"] == json.loads(policy_file.read_text(encoding="utf-8"))
            roles.add(role_id)
        assert len(roles) == len(FUNCTIONS)


class TestAlarms:
    def test_workflow_failures_timeouts_and_dead_letters_raise_alarms(self, packaged: Packaged):
        # GIVEN the alarms in the template
        watched = {
            (
                properties["Namespace"],
                properties["MetricName"],
                json.dumps(properties["Dimensions"][0]["Value"]),
            )
            for resource in packaged.resources.values()
            if resource["Type"] == "AWS::CloudWatch::Alarm"
            for properties in [resource["Properties"]]
        }
        # THEN the Express workflow's failures and timeouts and both dead-letter queues are watched
        machine = json.dumps({"Ref": "ContactFormStateMachine"})
        assert ("AWS/States", "ExecutionsFailed", machine) in watched
        assert ("AWS/States", "ExecutionsTimedOut", machine) in watched
        for queue in ("SubmissionsDeadLetterQueue", "SubmissionEventsDeadLetterQueue"):
            name = json.dumps({"Fn::GetAtt": [queue, "QueueName"]})
            assert ("AWS/SQS", "ApproximateNumberOfMessagesVisible", name) in watched
