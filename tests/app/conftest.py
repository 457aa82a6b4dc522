"""Handler fixtures: the Chalice test client, moto for AWS, a Stubber on Step Functions."""
from __future__ import annotations

import json
import re
from typing import Any, Iterator

import pytest
from botocore.stub import ANY, Stubber
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib import aws
from tests.app.resources import PROJECT_DIR, create_app_resources, stage_environment
from tests.events import load_event

SENDER = stage_environment()["SENDER_EMAIL"]
STATE_MACHINE_ARN = stage_environment()["STATE_MACHINE_ARN"]


@pytest.fixture
def app_clients() -> Iterator[None]:
    """The app's cached boto3 clients are created afresh for each test."""
    aws.client.cache_clear()
    yield
    aws.client.cache_clear()


@pytest.fixture
def aws_services(app_clients: None) -> Iterator[None]:
    """moto with both tables and a verified sender."""
    with mock_aws():
        create_app_resources(SENDER)
        yield


@pytest.fixture
def client(app_clients: None) -> Iterator[Client]:
    with Client(app, stage_name="local", project_dir=str(PROJECT_DIR)) as test_client:
        yield test_client


@pytest.fixture
def sfn(app_clients: None) -> Iterator[Stubber]:
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
