"""The fault table of docs/reliability.md as Step Functions Local test cases.

``statemachine/mocks/contact_form.mock.json`` mocks the failing service of each row; every row
runs twice, through StartSyncExecution on ``contact-form-processing#<Case>`` (as the API calls
it) and through the Standard parent, whose nested StartSyncExecution names the same test case.
Both must end the same way, with the table's number of tries of the failing step. States a case
does not name run for real (the app's handlers, moto), which the hybrid case checks.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from app import app
from chalicelib import aws, settings, tickets
from stepfunctions_local.testing import ExecutionReport, LocalStepFunctions
from tests.support.aws_resources import PROJECT_DIR, create_app_resources, sent_emails, stage_environment
from tests.workflow.conftest import LAMBDA_ARN

STATEMACHINE_DIR = PROJECT_DIR / "statemachine"
MOCK_FILE = STATEMACHINE_DIR / "mocks" / "contact_form.mock.json"
MESSAGE = {"message": "This is bad service"}


@dataclass(frozen=True)
class Row:
    case: str
    status: str
    tries: dict[str, int]
    error: str | None = None
    entered: tuple[str, ...] = ()
    output: dict[str, Any] = field(default_factory=dict)


FAULT_TABLE = [
    Row("ComprehendThrottlesTwice", "SUCCEEDED", {"Detect sentiment": 3}),
    Row("ComprehendThrottlesAlways", "FAILED", {"Detect sentiment": 4}, "Comprehend.ThrottlingException"),
    Row("DynamoDBThrottlesTwice", "SUCCEEDED", {"Record ticket": 3}),
    Row("DynamoDBUnavailable", "FAILED", {"Record ticket": 4}, "DynamoDB.InternalServerErrorException"),
    Row("TicketIdTaken", "SUCCEEDED", {"Record ticket": 2, "Generate another ticket id": 1},
        output={"ticketId": "CF-BBBB-0000-02"}),
    Row("SesRejectsEveryEmail", "SUCCEEDED", {"Notify admin": 3}, entered=("Record notification failed",)),
    Row("NotifierCrashes", "SUCCEEDED", {"Notify admin": 1}, entered=("Record notification failed",)),
    Row("NotifierServiceExceptionOnce", "SUCCEEDED", {"Notify admin": 2}, entered=("Record notification sent",)),
    Row("TicketLambdaThrottlesTwice", "SUCCEEDED", {"Generate ticket id": 3}),
    Row("TicketLambdaCrashes", "FAILED", {"Generate ticket id": 1}, "RuntimeError"),
    Row("HappyPathNegative", "SUCCEEDED", {"Notify admin": 1},
        output={"ticketId": "CF-AAAA-0000-01", "sentiment": "NEGATIVE"}),
]


@dataclass
class Workflow:
    local: LocalStepFunctions
    express_arn: str

    def sync(self, case: str) -> ExecutionReport:
        """StartSyncExecution on ``arn#case``, as the API does."""
        return self.local.run(self.express_arn, MESSAGE, test_case=case)

    def through_parent(self, case: str) -> ExecutionReport:
        """The Standard parent, its nested StartSyncExecution naming ``arn#case``; the child's report."""
        parent = self.local.create(f"contact-form-parent-{case}", STATEMACHINE_DIR / "parent.asl.json",
                                   substitutions={"ContactFormStateMachineArn": f"{self.express_arn}#{case}"},
                                   type="STANDARD")
        report = self.local.run(parent, MESSAGE)
        answer = next(json.loads(event["taskSucceededEventDetails"]["output"]) for event in report.events
                      if event["type"] == "TaskSucceeded")
        return self.local.report(answer["ExecutionArn"])


@pytest.fixture
def workflow(sfn_local: LocalStepFunctions, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workflow]:
    # GIVEN the real workflow, the app's handlers and moto, and the example mock file
    environment = stage_environment("local")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    aws.client.cache_clear()
    with mock_aws():
        create_app_resources(environment["SENDER_EMAIL"])
        sfn_local.register(app, stage="local")
        sfn_local.mock(MOCK_FILE)
        express_arn = sfn_local.create("contact-form-processing", STATEMACHINE_DIR / "contact_form.asl.json",
                                       substitutions={
                                           "GenerateTicketIdFunctionArn": LAMBDA_ARN.format("generate_ticket_id"),
                                           "NotifyAdminFunctionArn": LAMBDA_ARN.format("notify_admin"),
                                           "TicketsTableName": settings.tickets_table(),
                                       })
        yield Workflow(sfn_local, express_arn)
    aws.client.cache_clear()


@pytest.mark.parametrize("row", FAULT_TABLE, ids=lambda row: row.case)
def test_each_fault_ends_the_same_way_sync_and_through_the_parent(workflow: Workflow, row: Row):
    # WHEN the row's test case runs synchronously and nested in the Standard parent
    for report in (workflow.sync(row.case), workflow.through_parent(row.case)):
        # THEN the outcome and the tries of the failing step are the table's
        assert (report.status, report.error) == (row.status, row.error), report.cause
        assert {state: report.invocations(state) for state in row.tries} == row.tries
        assert set(row.entered) <= set(report.states_entered)
        assert row.output.items() <= (report.output or {}).items()
        assert ("Answer" in report.states_entered) == (row.status == "SUCCEEDED")


def test_a_fully_mocked_case_touches_no_service(workflow: Workflow):
    # WHEN every service state of a NEGATIVE submission is mocked
    report = workflow.sync("HappyPathNegative")
    # THEN it succeeds without a ticket stored or an email sent
    report.assert_succeeded()
    assert report.states_entered[-1] == "Answer"
    assert boto_count(settings.tickets_table()) == 0
    assert sent_emails() == []


def test_states_a_case_does_not_name_call_their_real_resources(workflow: Workflow):
    # WHEN only the sentiment is mocked
    report = workflow.sync("RealServicesPositiveSentiment")
    # THEN the real ticket Lambda drew an id and the real DynamoDB (moto) holds the ticket
    report.assert_succeeded()
    assert report.output["sentiment"] == "POSITIVE"
    assert tickets.is_ticket_id(report.output["ticketId"])
    assert boto_count(settings.tickets_table()) == 1


def boto_count(table: str) -> int:
    return boto3.client("dynamodb").scan(TableName=table, Select="COUNT")["Count"]
