"""Optimised and aws-sdk integrations reach AWS APIs through boto3 (moto here), with AWS's names."""
from __future__ import annotations

import json

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from stepfunctions_local import Runtime
from stepfunctions_local.integrations.aws_sdk import error_prefix

from .service_support import create, definition, task

TABLE = "tickets"
ITEM = {"ticketId": {"S": "T-1"}, "message": {"S": "hello"}}


@pytest.fixture
def aws():
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "ticketId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "ticketId", "AttributeType": "S"}])
        yield


@pytest.fixture
def sfn(aws):
    return Runtime().client()


def _run(sfn, text: str, payload: dict | None = None) -> dict:
    arn = create(sfn, "flow", text)
    return sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(payload or {}))


def _output(response: dict) -> dict:
    assert response["status"] == "SUCCEEDED", response
    return json.loads(response["output"])


class TestDynamoDb:
    def test_optimised_put_item_writes_and_returns_sdk_metadata_only(self, sfn):
        # GIVEN a table
        # WHEN a workflow puts an item
        output = _output(_run(sfn, task("arn:aws:states:::dynamodb:putItem", {"TableName": TABLE, "Item": ITEM})))
        # THEN the item is stored and the result is the SDK v1 metadata
        assert set(output) == {"SdkHttpMetadata", "SdkResponseMetadata"}
        assert output["SdkHttpMetadata"]["HttpStatusCode"] == 200
        stored = boto3.client("dynamodb").get_item(TableName=TABLE, Key={"ticketId": {"S": "T-1"}})
        assert stored["Item"] == ITEM

    def test_optimised_get_item_returns_item(self, sfn):
        # GIVEN a stored item
        boto3.client("dynamodb").put_item(TableName=TABLE, Item=ITEM)
        # WHEN a workflow gets it
        output = _output(_run(sfn, task("arn:aws:states:::dynamodb:getItem",
                                        {"TableName": TABLE, "Key": {"ticketId": {"S": "T-1"}}})))
        # THEN the item is in the result
        assert output["Item"] == ITEM

    def test_optimised_update_and_delete_item(self, sfn):
        # GIVEN a stored item
        boto3.client("dynamodb").put_item(TableName=TABLE, Item=ITEM)
        key = {"ticketId": {"S": "T-1"}}
        # WHEN a workflow updates then deletes it
        text = definition({
            "Update": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem", "Next": "Delete",
                       "Parameters": {"TableName": TABLE, "Key": key, "UpdateExpression": "SET #s = :s",
                                      "ExpressionAttributeNames": {"#s": "status"},
                                      "ExpressionAttributeValues": {":s": {"S": "EMAILED"}},
                                      "ReturnValues": "ALL_NEW"},
                       "ResultSelector": {"status.$": "$.Attributes.status.S"}, "ResultPath": "$.update"},
            "Delete": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:deleteItem", "End": True,
                       "Parameters": {"TableName": TABLE, "Key": key}, "ResultPath": None},
        })
        output = _output(_run(sfn, text))
        # THEN the update was seen and the item is gone
        assert output["update"] == {"status": "EMAILED"}
        assert "Item" not in boto3.client("dynamodb").get_item(TableName=TABLE, Key=key)

    def test_optimised_conditional_failure_is_named_dynamodb(self, sfn):
        # GIVEN an existing ticket
        boto3.client("dynamodb").put_item(TableName=TABLE, Item=ITEM)
        # WHEN a workflow puts it again only if absent
        response = _run(sfn, task("arn:aws:states:::dynamodb:putItem", {
            "TableName": TABLE, "Item": ITEM, "ConditionExpression": "attribute_not_exists(ticketId)"}))
        # THEN the error is the optimised integration's name and SDK v1 cause
        assert response["error"] == "DynamoDB.ConditionalCheckFailedException"
        assert response["cause"].startswith("The conditional request failed (Service: AmazonDynamoDBv2; "
                                            "Status Code: 400; Error Code: ConditionalCheckFailedException;")

    def test_aws_sdk_conditional_failure_is_named_dynamodb_sdk_v2(self, sfn):
        # GIVEN an existing ticket
        boto3.client("dynamodb").put_item(TableName=TABLE, Item=ITEM)
        # WHEN the aws-sdk integration puts it again only if absent
        response = _run(sfn, task("arn:aws:states:::aws-sdk:dynamodb:putItem", {
            "TableName": TABLE, "Item": ITEM, "ConditionExpression": "attribute_not_exists(ticketId)"}))
        # THEN the error uses the SDK v2 service name
        assert response["error"] == "DynamoDb.ConditionalCheckFailedException"
        assert "(Service: DynamoDb, Status Code: 400, Request ID: " in response["cause"]

    def test_aws_sdk_response_drops_metadata_and_uses_pascal_case(self, sfn):
        # GIVEN a table
        # WHEN a workflow describes it through aws-sdk
        output = _output(_run(sfn, task("arn:aws:states:::aws-sdk:dynamodb:describeTable", {"TableName": TABLE})))
        # THEN no ResponseMetadata is returned and dates are ISO text
        assert "ResponseMetadata" not in output
        assert output["Table"]["TableName"] == TABLE
        assert output["Table"]["CreationDateTime"].endswith("Z")


class TestMessaging:
    def test_sqs_send_message_serialises_json_body(self, sfn):
        # GIVEN a queue
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="submissions")["QueueUrl"]
        # WHEN a workflow sends an object as the body
        output = _output(_run(sfn, task("arn:aws:states:::sqs:sendMessage",
                                        {"QueueUrl": url, "MessageBody": {"message.$": "$.m"}}), {"m": "hi"}))
        # THEN the message holds its JSON text and the result has a MessageId
        received = sqs.receive_message(QueueUrl=url)["Messages"][0]
        assert json.loads(received["Body"]) == {"message": "hi"}
        assert output["MessageId"] == received["MessageId"]

    def test_sqs_missing_queue_is_named_sqs(self, sfn):
        # GIVEN no queue
        # WHEN a workflow sends to one
        url = "https://sqs.us-east-1.amazonaws.com/000000000000/missing"
        response = _run(sfn, task("arn:aws:states:::sqs:sendMessage", {"QueueUrl": url, "MessageBody": "x"}))
        # THEN the error names SQS
        assert response["error"] == "SQS.QueueDoesNotExistException"

    def test_sns_publish_returns_message_id(self, sfn):
        # GIVEN a topic
        topic = boto3.client("sns").create_topic(Name="alerts")["TopicArn"]
        # WHEN a workflow publishes
        output = _output(_run(sfn, task("arn:aws:states:::sns:publish", {"TopicArn": topic, "Message": {"a": 1}})))
        # THEN SNS accepted it
        assert output["MessageId"]

    def test_events_put_events_defaults_to_default_bus(self, sfn):
        # GIVEN the default bus
        # WHEN a workflow puts an event with an object as detail
        output = _output(_run(sfn, task("arn:aws:states:::events:putEvents", {"Entries": [
            {"Source": "contact-form", "DetailType": "Contact Form Processed", "Detail": {"ticketId": "T-1"}}]})))
        # THEN EventBridge accepted it, without SDK metadata
        assert output["FailedEntryCount"] == 0
        assert set(output) == {"Entries", "FailedEntryCount"}

    def test_aws_sdk_sqs_with_pascal_case_parameters(self, sfn):
        # GIVEN a queue
        url = boto3.client("sqs").create_queue(QueueName="q")["QueueUrl"]
        # WHEN aws-sdk:sqs:getQueueAttributes is called
        output = _output(_run(sfn, task("arn:aws:states:::aws-sdk:sqs:getQueueAttributes",
                                        {"QueueUrl": url, "AttributeNames": ["All"]})))
        # THEN the response comes back PascalCase
        assert "QueueArn" in output["Attributes"]


class TestUnsupported:
    @pytest.mark.parametrize("resource", [
        "arn:aws:states:::glue:startJobRun",
        "arn:aws:states:::ecs:runTask",
    ])
    def test_unsupported_resource_fails_loudly(self, sfn, resource):
        # GIVEN a resource this runtime does not implement
        # WHEN a workflow uses it
        response = _run(sfn, task(resource, {}))
        # THEN the execution fails with a message naming the resource
        assert response["status"] == "FAILED"
        assert response["error"] == "States.Runtime"
        assert resource in response["cause"]

    def test_optimised_action_the_service_lacks_is_refused_at_creation(self, sfn):
        # GIVEN DynamoDB's optimised integration, which has no scan (only get/put/update/deleteItem)
        # WHEN a machine using dynamodb:scan is created
        with pytest.raises(ClientError) as raised:
            create(sfn, "flow", task("arn:aws:states:::dynamodb:scan", {}))
        # THEN it is refused as an unrecognised resource, as AWS refuses dynamodb:query
        assert raised.value.response["Error"]["Code"] == "InvalidDefinition"
        assert "The resource provided arn:aws:states:::dynamodb:scan is not recognized" in str(raised.value)


@pytest.mark.parametrize("service, service_id, expected", [
    ("dynamodb", "DynamoDB", "DynamoDb"), ("sfn", "SFN", "Sfn"), ("sqs", "SQS", "Sqs"),
    ("eventbridge", "EventBridge", "EventBridge"), ("s3", "S3", "S3"), ("sesv2", "SESv2", "SesV2"),
    ("cloudwatchlogs", "CloudWatch Logs", "CloudWatchLogs"), ("lambda", "Lambda", "Lambda"),
])
def test_aws_sdk_error_prefix_follows_sdk_v2_client_names(service, service_id, expected):
    # GIVEN a service's ARN name and botocore serviceId
    # WHEN the error prefix is computed
    # THEN it is the Java SDK v2 client name Step Functions uses
    assert error_prefix(service, service_id) == expected
