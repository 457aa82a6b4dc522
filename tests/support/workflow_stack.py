"""The real ASL files run by stepfunctions_local, calling the app's real handlers, over moto (in-process)."""
from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from unittest import mock

import boto3
from moto import mock_aws

from app import app
from chalicelib import aws, settings
from localdev.offline import OfflineWorkflows
from stepfunctions_local import ManualClock, Runtime
from tests.support.aws_resources import create_app_resources, sent_emails, stage_environment


@dataclass
class WorkflowStack:
    workflows: OfflineWorkflows
    clock: ManualClock

    @property
    def runtime(self) -> Runtime:
        return self.workflows.runtime

    def run(self, document: dict[str, Any]) -> dict[str, Any]:
        """StartSyncExecution on the Express workflow, as the API does."""
        return self.runtime.client().start_sync_execution(
            stateMachineArn=self.workflows.express_arn, input=json.dumps(document)
        )

    def run_parent(self, document: dict[str, Any]) -> dict[str, Any]:
        client = self.runtime.client()
        arn = client.start_execution(stateMachineArn=self.workflows.parent_arn, input=json.dumps(document))[
            "executionArn"
        ]
        assert self.runtime.wait_for(arn, timeout=30)
        return client.describe_execution(executionArn=arn)

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        item = boto3.client("dynamodb").get_item(TableName=settings.tickets_table(), Key={"ticketId": {"S": ticket_id}})
        return item.get("Item")

    def ticket_count(self) -> int:
        return boto3.client("dynamodb").scan(TableName=settings.tickets_table(), Select="COUNT")["Count"]

    def emails_mentioning(self, text: str) -> int:
        return sum(text in email.subject or text in email.body for email in sent_emails())


@contextlib.contextmanager
def workflow_stack() -> Iterator[WorkflowStack]:
    """The local stage's environment, moto services and both machines on a clock that never waits."""
    environment = stage_environment()
    with mock.patch.dict(os.environ, environment), mock_aws():
        aws.client.cache_clear()
        create_app_resources(environment["SENDER_EMAIL"])
        clock = ManualClock()
        yield WorkflowStack(OfflineWorkflows(Runtime(clock=clock), app, settings.tickets_table()), clock)
    aws.client.cache_clear()
