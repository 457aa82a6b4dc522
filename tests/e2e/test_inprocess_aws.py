"""localdev's own clients reach moto in-process, on the data the moto server serves to everyone else."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

import stepfunctions_local
from chalicelib import aws as app_aws
from localdev import aws, inprocess_aws, warmup
from localdev.ports import free_port
from localdev.project import LocalSettings
from localdev.provision import provision
from stepfunctions_local import Runtime
from stepfunctions_local.server import Server
from tests.e2e.test_localdev_delivery import RecordingApp

TABLE = LocalSettings().tickets_table


@dataclass(frozen=True)
class Moto:
    endpoint: str
    over_http: boto3.session.Session  # made before the routing: its calls go to the server over HTTP


@pytest.fixture
def moto(monkeypatch) -> Iterator[Moto]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", aws.ACCOUNT_ID)
    port = free_port()
    server = aws.start_moto(port)
    endpoint = aws.endpoint(port)
    over_http = boto3.session.Session(region_name=aws.REGION)
    stop_routing = inprocess_aws.route_in_process(endpoint)
    yield Moto(endpoint, over_http)
    stop_routing()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    server.stop()


@pytest.fixture
def moto_endpoint(moto: Moto) -> str:
    return moto.endpoint


def in_process_client(service: str, endpoint: str):
    # A session made after route_in_process: its requests never leave the process.
    return boto3.session.Session(region_name=aws.REGION).client(service, endpoint_url=endpoint)


def items_over_http(endpoint: str) -> list[dict]:
    """The table as the AWS CLI or `make tickets` would read it: a plain HTTP request to the server."""
    request = urllib.request.Request(
        endpoint, method="POST", data=json.dumps({"TableName": TABLE}).encode(),
        headers={"X-Amz-Target": "DynamoDB_20120810.Scan", "Content-Type": "application/x-amz-json-1.0",
                 "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/dynamodb/aws4_request, "
                                  "SignedHeaders=host, Signature=0"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["Items"]


class TestInProcessAws:
    def test_an_in_process_write_is_seen_over_http(self, moto_endpoint):
        # GIVEN the tickets table, created in-process
        provision(RecordingApp().app, LocalSettings(), int(moto_endpoint.rsplit(":", 1)[1]))
        dynamodb = in_process_client("dynamodb", moto_endpoint)
        # WHEN an in-process client writes a ticket
        dynamodb.put_item(TableName=TABLE, Item={"ticketId": {"S": "CF-TEST-0001-AA"}})
        # THEN a client of the moto server over HTTP reads it
        assert items_over_http(moto_endpoint) == [{"ticketId": {"S": "CF-TEST-0001-AA"}}]

    def test_no_socket_is_opened(self, monkeypatch):
        # GIVEN an endpoint where nothing listens, routed in-process
        monkeypatch.setenv("MOTO_ACCOUNT_ID", aws.ACCOUNT_ID)
        nowhere = aws.endpoint(free_port())
        stop_routing = inprocess_aws.route_in_process(nowhere)
        try:
            # WHEN a client made afterwards calls it
            queues = in_process_client("sqs", nowhere).list_queues()
        finally:
            stop_routing()
        # THEN moto answered from this process
        assert queues["ResponseMetadata"]["HTTPStatusCode"] == 200

    def test_an_update_expression_used_again_applies_its_new_values(self, moto_endpoint):
        # GIVEN a counter, and one UpdateExpression that adds :n to it
        dynamodb = in_process_client("dynamodb", moto_endpoint)
        dynamodb.create_table(TableName="counters", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")

        def add(n: int) -> str:
            return dynamodb.update_item(
                TableName="counters", Key={"id": {"S": "quota"}}, UpdateExpression="ADD taken :n",
                ExpressionAttributeValues={":n": {"N": str(n)}}, ReturnValues="UPDATED_NEW",
            )["Attributes"]["taken"]["N"]

        # WHEN it is applied with 1, then 5, then 10
        # THEN each call adds its own value
        assert [add(1), add(5), add(10)] == ["1", "6", "16"]

    def test_an_invalid_update_expression_is_refused_every_time(self, moto_endpoint):
        # GIVEN a table
        dynamodb = in_process_client("dynamodb", moto_endpoint)
        dynamodb.create_table(TableName="counters", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        for _ in range(2):
            # WHEN an UpdateExpression that does not parse is sent, once and again
            # THEN DynamoDB's ValidationException answers both
            with pytest.raises(ClientError) as refused:
                dynamodb.update_item(TableName="counters", Key={"id": {"S": "quota"}}, UpdateExpression="SET")
            assert refused.value.response["Error"]["Code"] == "ValidationException"

    def test_errors_keep_their_aws_shape(self, moto_endpoint):
        # WHEN an in-process client asks for a table that does not exist
        dynamodb = in_process_client("dynamodb", moto_endpoint)
        # THEN botocore raises the modelled error, as over HTTP
        with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
            dynamodb.describe_table(TableName="no-such-table")


@pytest.fixture
def step_functions(monkeypatch, app_clients) -> Iterator[Server]:
    """A local Step Functions with no state machine, where the app's workflow client is pointed."""
    server = stepfunctions_local.serve(Runtime())
    monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", server.url)
    monkeypatch.setenv("AWS_DISABLE_HOST_PREFIX_INJECTION", "true")
    monkeypatch.setenv("STATE_MACHINE_ARN", f"arn:aws:states:{aws.REGION}:{aws.ACCOUNT_ID}:stateMachine:contact-form")
    for name, value in aws.DUMMY_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    yield server
    server.shutdown()


class TestWarmUp:
    def test_warming_the_workflow_calls_runs_and_records_nothing(self, step_functions):
        # GIVEN the app's Step Functions client, its answers noted
        answers: list[str] = []
        app_aws.client("stepfunctions").meta.events.register(
            "after-call.sfn.StartSyncExecution",
            lambda parsed, **_: answers.append(parsed.get("Error", {}).get("Code", "started")))
        # WHEN chalice local's process warms its StartSyncExecution calls
        warmup.warm_workflow_calls(timeout=10)
        # THEN one call reached Step Functions and was refused before any execution: the console shows none
        assert answers == ["StateMachineDoesNotExist"]
        assert step_functions.store.executions() == []

    def test_a_workflow_warm_up_that_cannot_call_lets_the_api_start(self, step_functions, monkeypatch):
        # GIVEN an API process without its state machine's ARN (the app would refuse submissions itself)
        monkeypatch.delenv("STATE_MACHINE_ARN")
        # WHEN it warms its Step Functions calls
        # THEN the warm-up gives up without raising: the API still serves
        warmup.warm_workflow_calls(timeout=10)
        assert step_functions.store.executions() == []

    def test_the_workflow_warm_up_gives_up_when_step_functions_does_not_listen(self, monkeypatch, app_clients):
        # GIVEN an endpoint where nothing listens
        monkeypatch.setenv("AWS_ENDPOINT_URL_SFN", aws.endpoint(free_port()))
        # WHEN the warm-up waits for it, briefly
        # THEN it returns without calling (a call would raise EndpointConnectionError)
        warmup.warm_workflow_calls(timeout=0.2)

    def test_warming_the_runtime_writes_nothing(self, moto_endpoint, monkeypatch):
        # GIVEN an empty tickets table, where the runtime's integrations are sent
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
        provision(RecordingApp().app, LocalSettings(), int(moto_endpoint.rsplit(":", 1)[1]))
        # WHEN the runtime's DynamoDB paths are warmed
        warmup._warm_refused_writes(Runtime().tasks.clients.get("dynamodb"), TABLE, "ticketId")
        # THEN the table is still empty
        assert items_over_http(moto_endpoint) == []


# Calls as the stack makes them (and a few it could), each made once over HTTP and once in-process.
# "{n}" names a resource: "viahttp" over HTTP, "inprocess" in-process: the two sides never meet in one moto.
_QUEUE_URL = "{endpoint}/000000000000/queue-{n}"
_TABLE = {"TableName": "table-{n}"}
_EMAIL = {"Subject": {"Data": "Ticket"}, "Body": {"Text": {"Data": "This is bad service"}}}
CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("dynamodb", "create_table", {**_TABLE, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                                  "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                                  "BillingMode": "PAY_PER_REQUEST"}),
    ("dynamodb", "put_item", {**_TABLE, "Item": {"id": {"S": "CF-1"}, "taken": {"N": "10"}}}),
    ("dynamodb", "put_item", {**_TABLE, "Item": {"id": {"S": "CF-1"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                              "ConditionExpression": "attribute_not_exists(id)"}),
    ("dynamodb", "update_item", {**_TABLE, "Key": {"id": {"S": "CF-1"}}, "UpdateExpression": "ADD taken :one",
                                 "ConditionExpression": "taken < :limit",
                                 "ExpressionAttributeValues": {":one": {"N": "1"}, ":limit": {"N": "10"}}}),
    ("dynamodb", "update_item", {**_TABLE, "Key": {"id": {"S": "CF-1"}}, "UpdateExpression": "ADD taken :one",
                                 "ExpressionAttributeValues": {":one": {"N": "1"}}, "ReturnValues": "ALL_NEW"}),
    ("dynamodb", "put_item", {**_TABLE, "Item": {"id": {"S": ""}}}),
    ("dynamodb", "get_item", {"TableName": "no-such-table", "Key": {"id": {"S": "CF-1"}}}),
    ("ses", "send_email", {"Source": "unverified-{n}@example.com", "Destination": {"ToAddresses": ["a@example.com"]},
                           "Message": _EMAIL}),
    ("ses", "verify_email_identity", {"EmailAddress": "sender-{n}@example.com"}),
    ("ses", "send_email", {"Source": "sender-{n}@example.com", "Destination": {"ToAddresses": ["a@example.com"]},
                           "Message": _EMAIL}),
    ("sqs", "create_queue", {"QueueName": "queue-{n}"}),
    ("sqs", "send_message", {"QueueUrl": _QUEUE_URL, "MessageBody": '{"message": "Hello from SQS"}'}),
    ("sqs", "get_queue_attributes", {"QueueUrl": _QUEUE_URL, "AttributeNames": ["ApproximateNumberOfMessages"]}),
    ("sqs", "get_queue_url", {"QueueName": "no-such-queue"}),
    ("events", "put_events", {"Entries": [{"Source": "contact-form", "DetailType": "d", "Detail": "{}"}]}),
    ("logs", "create_log_group", {"logGroupName": "group-{n}"}),
    ("logs", "create_log_group", {"logGroupName": "group-{n}"}),
    ("cloudwatch", "put_metric_data", {"Namespace": "space-{n}", "MetricData": [{"MetricName": "m", "Value": 1.0}]}),
    ("cloudwatch", "list_metrics", {"Namespace": "space-{n}"}),
    ("sts", "get_caller_identity", {}),
    ("sts", "assume_role_with_web_identity", {"RoleArn": "arn:aws:iam::000000000000:role/role-{n}",
                                              "RoleSessionName": "session-{n}", "WebIdentityToken": "token"}),
    ("s3", "create_bucket", {"Bucket": "bucket-{n}"}),
    ("s3", "put_object", {"Bucket": "bucket-{n}", "Key": "a b+c.txt", "Body": b"hello", "Metadata": {"my_key": "v"}}),
    ("s3", "get_object", {"Bucket": "bucket-{n}", "Key": "a b+c.txt"}),
    ("s3", "head_object", {"Bucket": "bucket-{n}", "Key": "no-such-key"}),
]


def _named(value: Any, n: str, endpoint: str) -> Any:
    if isinstance(value, str):
        return value.replace("{endpoint}", endpoint).replace("{n}", n)
    if isinstance(value, dict):
        return {key: _named(item, n, endpoint) for key, item in value.items()}
    if isinstance(value, list):
        return [_named(item, n, endpoint) for item in value]
    return value


def _outcome(client: Any, operation: str, arguments: dict[str, Any]) -> tuple[Any, ...]:
    """What a caller sees, less what differs between any two calls (request ids, dates, headers)."""
    try:
        answer = getattr(client, operation)(**arguments)
    except ClientError as error:
        response = dict(error.response)
        return type(error).__name__, response.pop("ResponseMetadata")["HTTPStatusCode"], response
    metadata = answer.pop("ResponseMetadata")
    if "Body" in answer:
        answer["Body"] = answer["Body"].read()
    return "answer", metadata["HTTPStatusCode"], metadata["RetryAttempts"], answer


def _without_varying_values(outcome: tuple[Any, ...], n: str) -> str:
    text = json.dumps(outcome, default=str, sort_keys=True).replace(f"-{n}", "-N")
    for name in ("MessageId", "EventId", "CreationDateTime", "LastModified", "MD5OfMessageBody", "AccessKeyId",
                 "SecretAccessKey", "SessionToken", "Expiration", "AssumedRoleId"):
        text = _blank(text, name)
    return text


def _blank(text: str, name: str) -> str:
    marker = f'"{name}": "'
    start = text.find(marker)
    while start >= 0:
        end = text.index('"', start + len(marker))
        text = text[: start + len(marker)] + text[end:]
        start = text.find(marker, start + 1)
    return text


class TestSameAnswersAsOverHttp:
    def test_results_and_errors_are_those_of_the_server(self, moto: Moto):
        # GIVEN a client of the server over HTTP and an in-process one, each with resources of its own
        over_http = {service: moto.over_http.client(service, endpoint_url=moto.endpoint) for service, _, _ in CALLS}
        in_process = {service: in_process_client(service, moto.endpoint) for service, _, _ in CALLS}
        for service, operation, arguments in CALLS:
            # WHEN each makes the same call
            expected = _outcome(over_http[service], operation, _named(arguments, "viahttp", moto.endpoint))
            actual = _outcome(in_process[service], operation, _named(arguments, "inprocess", moto.endpoint))
            # THEN the caller sees the same result, or the same error (class, code, message, HTTP status)
            assert _without_varying_values(actual, "inprocess") == _without_varying_values(expected, "viahttp"), (
                operation)

    def test_an_answer_botocore_retries_is_retried_as_over_http(self, moto: Moto, monkeypatch):
        # GIVEN a DynamoDB that answers ListTables with HTTP 500, and clients that retry once
        from moto.core.exceptions import JsonRESTError
        from moto.dynamodb.models import DynamoDBBackend

        class Unavailable(JsonRESTError):
            code = 500

        calls: list[str] = []

        def unavailable(*_: Any, **__: Any) -> None:
            calls.append("ListTables")
            raise Unavailable("InternalServerError", "injected")

        monkeypatch.setattr(DynamoDBBackend, "list_tables", unavailable)
        retry_once = Config(retries={"mode": "standard", "total_max_attempts": 2})
        outcomes = []
        for session in (moto.over_http, boto3.session.Session(region_name=aws.REGION)):
            calls.clear()
            # WHEN each calls
            with pytest.raises(ClientError) as failed:
                session.client("dynamodb", endpoint_url=moto.endpoint, config=retry_once).list_tables()
            metadata = failed.value.response["ResponseMetadata"]
            outcomes.append((len(calls), metadata["HTTPStatusCode"], metadata["RetryAttempts"],
                             metadata.get("MaxAttemptsReached")))
        # THEN the in-process call was retried as the call over HTTP was
        assert outcomes[1] == outcomes[0] == (2, 500, 1, True)

    def test_a_handler_on_the_client_still_sees_the_response(self, moto_endpoint):
        # GIVEN an in-process client with a before-parse handler of its own, as botocore's S3 checks use
        sqs = in_process_client("sqs", moto_endpoint)
        seen: list[int] = []
        sqs.meta.events.register("before-parse.sqs.ListQueues",
                                 lambda response_dict, **_: seen.append(response_dict["status_code"]))
        # WHEN the client calls
        sqs.list_queues()
        # THEN the handler ran on the answer
        assert seen == [200]

    def test_requests_of_an_unsigned_client_are_answered(self, moto_endpoint):
        # GIVEN an in-process client that signs nothing (no credentials in its requests)
        from botocore import UNSIGNED
        sqs = boto3.session.Session(region_name=aws.REGION).client(
            "sqs", endpoint_url=moto_endpoint, config=Config(signature_version=UNSIGNED))
        # WHEN it calls
        answer = sqs.list_queues()
        # THEN moto answered it, as the server answers an unsigned request
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
