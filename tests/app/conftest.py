"""Handler fixtures: the Chalice test client, moto for AWS, a Stubber on Step Functions."""
from __future__ import annotations

from typing import Iterator

import pytest
from botocore.stub import Stubber
from chalice.test import Client
from moto import mock_aws

from app import app
from chalicelib import aws
from tests.support.aws_resources import PROJECT_DIR, create_app_resources
from tests.support.handlers import SENDER


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
