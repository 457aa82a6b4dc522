"""Handler fixtures: the Chalice test client, moto for AWS, a Stubber on Step Functions."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import ANY, Stubber
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib import aws, settings
from tests.events import load_event

PROJECT_DIR = Path(__file__).resolve().parents[2]
SENDER = "no-reply@example.com"  # the local stage's SENDER_EMAIL
STATE_MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:contact-form-processing"


@pytest.fixture
def aws_services() -> Iterator[None]:
    """moto with both tables, a verified sender and the submissions queue; fresh app clients."""
    aws.client.cache_clear()
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=settings.tickets_table(),
            KeySchema=[{"AttributeName": "ticketId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "ticketId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        dynamodb.create_table(
            TableName=settings.idempotency_table(),
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        yield
    aws.client.cache_clear()


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted in this test."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@pytest.fixture
def client(aws_services: None) -> Iterator[Client]:
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


@pytest.fixture
def sfn(aws_services: None) -> Iterator[Stubber]:
    """A Stubber on the app's own (lazily created, cached) Step Functions client."""
    with Stubber(aws.client("stepfunctions")) as stubber:
        yield stubber


def expect_execution(
    stubber: Stubber, outcome: str = "sync_execution_succeeded", *, input: Any = ANY, name: Any = ANY
) -> dict[str, Any]:
    """Queue one StartSyncExecution answer (a sample from tests/events) and return it."""
    response = load_event(outcome)
    expected = {"stateMachineArn": STATE_MACHINE_ARN, "name": name, "input": input}
    stubber.add_response("start_sync_execution", response, expected)
    return response


class JsonOf:
    """Equal to any JSON text that decodes to ``value`` (key order does not matter)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and json.loads(other) == self.value

    def __repr__(self) -> str:
        return f"JsonOf({self.value!r})"


class Matches:
    """Equal to any string that fully matches ``pattern``."""

    def __init__(self, pattern: str) -> None:
        self.pattern = re.compile(pattern)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __repr__(self) -> str:
        return f"Matches({self.pattern.pattern!r})"
