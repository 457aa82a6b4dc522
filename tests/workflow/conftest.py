"""The real ASL files run by stepfunctions_local, calling the app's real handlers, over moto."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from app import app
from chalicelib import aws, settings
from stepfunctions_local import Runtime
from stepfunctions_local.clock import ManualClock
from tests.app.resources import ACCOUNT_ID, PROJECT_DIR, create_app_resources, sent_emails, stage_environment

ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/contact-form-workflow"
LAMBDA_ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:contact-form-local-{{}}"
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def definition(file_name: str, substitutions: dict[str, str]) -> str:
    """An ASL file with its ``${...}`` DefinitionSubstitutions filled in (all must be known)."""
    text = (PROJECT_DIR / "statemachine" / file_name).read_text()
    return _PLACEHOLDER.sub(lambda match: substitutions[match.group(1)], text)


@dataclass
class Stack:
    runtime: Runtime
    clock: ManualClock
    express_arn: str
    parent_arn: str

    def run(self, document: dict[str, Any]) -> dict[str, Any]:
        """StartSyncExecution on the Express workflow, as the API does."""
        return self.runtime.client().start_sync_execution(
            stateMachineArn=self.express_arn, input=json.dumps(document)
        )

    def run_parent(self, document: dict[str, Any]) -> dict[str, Any]:
        client = self.runtime.client()
        arn = client.start_execution(stateMachineArn=self.parent_arn, input=json.dumps(document))["executionArn"]
        assert self.runtime.wait_for(arn, timeout=30)
        return client.describe_execution(executionArn=arn)

    def ticket(self, ticket_id: str) -> dict[str, Any] | None:
        item = boto3.client("dynamodb").get_item(TableName=settings.tickets_table(), Key={"ticketId": {"S": ticket_id}})
        return item.get("Item")

    def ticket_count(self) -> int:
        return boto3.client("dynamodb").scan(TableName=settings.tickets_table(), Select="COUNT")["Count"]

    def emails_mentioning(self, text: str) -> int:
        return sum(text in email.subject or text in email.body for email in sent_emails())


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    # GIVEN the local stage's environment, moto services and the real definitions
    for name, value in stage_environment("local").items():
        monkeypatch.setenv(name, value)
    aws.client.cache_clear()
    with mock_aws():
        create_app_resources(stage_environment("local")["SENDER_EMAIL"])
        clock = ManualClock()
        runtime = Runtime(clock=clock)
        runtime.register_chalice_app(app, stage="local")
        client = runtime.client()
        express_arn = client.create_state_machine(
            name="contact-form-processing",
            type="EXPRESS",
            roleArn=ROLE_ARN,
            definition=definition("contact_form.asl.json", {
                "GenerateTicketIdFunctionArn": LAMBDA_ARN.format("generate_ticket_id"),
                "NotifyAdminFunctionArn": LAMBDA_ARN.format("notify_admin"),
                "TicketsTableName": settings.tickets_table(),
            }),
        )["stateMachineArn"]
        parent_arn = client.create_state_machine(
            name="contact-form-parent",
            type="STANDARD",
            roleArn=ROLE_ARN,
            definition=definition("parent.asl.json", {"ContactFormStateMachineArn": express_arn}),
        )["stateMachineArn"]
        yield Stack(runtime, clock, express_arn, parent_arn)
    aws.client.cache_clear()
