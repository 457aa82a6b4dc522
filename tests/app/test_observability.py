"""Tracing only when switched on; logs and metrics without customer data."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.support.aws_resources import PROJECT_DIR
from tests.support.handlers import expect_execution

PROBE = """
import sys, botocore.client, app
from chalicelib import aws
aws.client("stepfunctions")
print(sorted(name for name in sys.modules if "xray" in name)[:1],
      type(botocore.client.BaseClient._make_api_call).__name__)
"""

CUSTOMER = {"message": "Secret complaint zebra-7731", "name": "Quentin Privatename", "email": "quentin@private.example"}


def everything_logged(caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> str:
    """Every log record with all its extra keys, plus what went to stdout (metrics)."""
    records = [json.dumps(vars(record), default=str, ensure_ascii=False) for record in caplog.records]
    return "\n".join(records) + capsys.readouterr().out


def probe_tracing(enabled: str) -> str:
    env = {**os.environ, "TRACING_ENABLED": enabled, "AWS_XRAY_CONTEXT_MISSING": "IGNORE_ERROR"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.strip()


class TestTracing:
    def test_nothing_xray_is_imported_when_tracing_is_off(self):
        # WHEN the app creates a client with tracing off
        # THEN no X-Ray module was imported and boto3 is not patched
        assert probe_tracing("false") == "[] function"

    def test_boto3_is_patched_when_tracing_is_on(self):
        # WHEN the app creates a client with tracing on
        # THEN X-Ray is loaded and botocore's API calls are wrapped
        assert probe_tracing("true") == "['aws_xray_sdk'] BoundFunctionWrapper"


class TestNoCustomerDataInLogs:
    def test_successful_submission_logs_ids_only(self, client, sfn, caplog, capsys):
        # GIVEN a workflow that succeeds
        expect_execution(sfn)
        # WHEN a customer submits a message with name and email
        client.http.post("/contact", headers={"Content-Type": "application/json"}, body=json.dumps(CUSTOMER))
        # THEN the ticket is logged, but nothing the customer typed
        output = everything_logged(caplog, capsys)
        assert "CF-7K3M-Q9ZD-4P" in output
        for value in CUSTOMER.values():
            assert value not in output

    @pytest.mark.parametrize("outcome", ["sync_execution_failed", "sync_execution_timed_out"])
    def test_failed_submission_logs_ids_only(self, client, sfn, caplog, capsys, outcome):
        # GIVEN a workflow that does not succeed
        expect_execution(sfn, outcome)
        # WHEN a customer submits a message
        client.http.post("/contact", headers={"Content-Type": "application/json"}, body=json.dumps(CUSTOMER))
        # THEN the refusal and its metric are logged without customer data
        output = everything_logged(caplog, capsys)
        assert "request refused" in output and ("WorkflowFailed" in output or "WorkflowTimedOut" in output)
        for value in CUSTOMER.values():
            assert value not in output

    def test_refused_queue_record_logs_the_field_only(self, client, sfn, caplog, capsys):
        # WHEN a queued submission with a bad email arrives
        bad = {**CUSTOMER, "email": "quentin-at-private"}
        event = client.events.generate_sqs_event(message_bodies=[json.dumps(bad)])
        client.lambda_.invoke("process_queued_submissions", event)
        # THEN the log names the field, not the values
        output = everything_logged(caplog, capsys)
        assert "queued submission refused" in output and '"field": "email"' in output
        for value in [*CUSTOMER.values(), "quentin-at-private"]:
            assert value not in output
