"""Least privilege: each function's policy file allows what its code calls, and nothing more."""
from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support.aws_calls import HandlerScan, scan_handlers
from tests.support.packaging import (
    POLICY_FILES,
    PROJECT_DIR,
    actions_of,
    configured_policy_files,
)

STAGES = ("local", "dev", "prod")
# What the Lambda platform does with the function's role, not the code: logs, X-Ray segments,
# and polling the queue for an SQS event source.
PLATFORM_ACTIONS = {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
TRACING_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
SQS_EVENT_SOURCE_ACTIONS = {"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}
SQS_CONSUMERS = {"process_queued_submissions"}


def _statements(policy_file: str) -> list[dict[str, Any]]:
    document = json.loads((PROJECT_DIR / ".chalice" / policy_file).read_text(encoding="utf-8"))
    return document["Statement"]


def _allowed(policy_file: str) -> set[str]:
    return {
        action
        for statement in _statements(policy_file)
        if statement["Effect"] == "Allow"
        for action in actions_of(statement)
    }


@pytest.fixture(scope="module")
def scans() -> dict[str, HandlerScan]:
    return scan_handlers(PROJECT_DIR)


class TestScan:
    def test_scan_finds_the_calls_the_product_is_known_to_make(self, scans):
        # GIVEN the app's source
        # WHEN the calls are attributed to handlers
        actions = {name: {call.iam_action for call in scan.calls} for name, scan in scans.items()}
        # THEN the workflow starts, the email, the event and the idempotency records are all found
        assert "states:StartSyncExecution" in actions["api_handler"]
        assert "ses:SendEmail" in actions["notify_admin"]
        assert "events:PutEvents" in actions["process_submission_event"]
        assert {"dynamodb:GetItem", "dynamodb:PutItem"} <= actions["process_queued_submissions"]
        # AND the email quota's counter, and the digest's index query, claims and email
        assert "dynamodb:UpdateItem" in actions["notify_admin"]
        assert {"dynamodb:Query", "dynamodb:UpdateItem", "ses:SendEmail"} <= actions["send_digest"]

    def test_every_found_call_is_a_real_boto3_operation(self, scans):
        for scan in scans.values():
            for call in scan.calls:
                # GIVEN a call the scan found
                # THEN botocore knows the method (a typo would fail here, not in Lambda)
                assert call.iam_action, call

    def test_every_client_created_has_its_calls_found(self, scans):
        for name, scan in scans.items():
            # GIVEN the clients a handler's code creates
            # THEN the scan followed each of them to a call (no client escaped it)
            assert scan.client_services <= {call.service for call in scan.calls}, name


@pytest.mark.parametrize("stage", STAGES)
class TestPolicies:
    def test_every_handler_has_a_policy_file_of_its_own(self, stage, scans):
        # GIVEN the stage's policy assignments
        files = configured_policy_files(stage)
        # THEN every Lambda function of the app has its own, by the agreed names
        assert set(scans) <= set(files)
        assert files == POLICY_FILES

    def test_every_call_is_allowed_by_its_functions_policy(self, stage, scans):
        files = configured_policy_files(stage)
        for name, scan in scans.items():
            # GIVEN the calls a function's code can make
            required = {call.iam_action: call.location for call in scan.calls}
            # WHEN they are compared with its policy file
            allowed = _allowed(files[name])
            missing = {action: where for action, where in required.items() if action not in allowed}
            # THEN none is missing
            assert missing == {}, name

    def test_policies_allow_nothing_the_code_or_platform_does_not_use(self, stage, scans):
        files = configured_policy_files(stage)
        for name, scan in scans.items():
            # GIVEN what a function's code and its Lambda platform need
            needed = {call.iam_action for call in scan.calls} | PLATFORM_ACTIONS | TRACING_ACTIONS
            if name in SQS_CONSUMERS:
                needed |= SQS_EVENT_SOURCE_ACTIONS
            # THEN its policy allows no more
            assert _allowed(files[name]) - needed == set(), name
