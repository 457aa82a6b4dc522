"""localdev's own clients reach moto in-process, on the data the moto server serves to everyone else."""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import boto3
import pytest

from localdev import aws, inprocess_aws, warmup
from localdev.ports import free_port
from localdev.project import LocalSettings
from localdev.provision import provision
from stepfunctions_local import Runtime
from tests.e2e.test_localdev_delivery import RecordingApp

TABLE = LocalSettings().tickets_table


@pytest.fixture
def moto_endpoint(monkeypatch) -> Iterator[str]:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", aws.ACCOUNT_ID)
    port = free_port()
    server = aws.start_moto(port)
    endpoint = aws.endpoint(port)
    stop_routing = inprocess_aws.route_in_process(endpoint)
    yield endpoint
    stop_routing()
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    server.stop()


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

    def test_errors_keep_their_aws_shape(self, moto_endpoint):
        # WHEN an in-process client asks for a table that does not exist
        dynamodb = in_process_client("dynamodb", moto_endpoint)
        # THEN botocore raises the modelled error, as over HTTP
        with pytest.raises(dynamodb.exceptions.ResourceNotFoundException):
            dynamodb.describe_table(TableName="no-such-table")


class TestWarmUp:
    def test_warming_the_runtime_writes_nothing(self, moto_endpoint, monkeypatch):
        # GIVEN an empty tickets table, where the runtime's integrations are sent
        monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
        provision(RecordingApp().app, LocalSettings(), int(moto_endpoint.rsplit(":", 1)[1]))
        # WHEN the runtime's DynamoDB paths are warmed
        warmup._warm_runtime_writes(Runtime(), TABLE)
        # THEN the table is still empty
        assert items_over_http(moto_endpoint) == []
