"""No message text, name or email in any log line, on any path through the product, in one process.

The same check over a full `make run` stack (every process's output) is in test_load.py.
"""
from __future__ import annotations

import json
import logging
import uuid

import pytest

from chalicelib import names
from localdev.aws import queue_arn
from tests.support.offline_stack import NOTIFY_FUNCTION, TICKET_FUNCTION, OfflineStack

UNHAPPY = "This is terrible, awful service and I am angry."


class TestLogs:
    def test_no_customer_data_in_any_log_line_of_any_path(
        self, fresh_stack: OfflineStack, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
    ):
        # GIVEN every log record at INFO and above, and every byte written to stdout/stderr, is kept
        # INFO for every logger: what Lambda and `make run` keep (botocore DEBUG is never on).
        caplog.set_level(logging.INFO)
        marker = f"SECRET{uuid.uuid4().hex}"
        message, name, email = f"{UNHAPPY} {marker}-message", f"{marker}-name", f"{marker}@example.com"
        sqs = fresh_stack.handler("process_queued_submissions")
        event = fresh_stack.handler("process_submission_event")
        submission = {"message": message, "name": name, "email": email}
        # WHEN submissions with unique text go every way, through successes and failures
        assert fresh_stack.post(submission).status == 200
        assert fresh_stack.post({**submission, "email": f"{marker}@@bad"}).status == 400
        assert fresh_stack.post({**submission, "phone": marker}).status == 400
        sqs({"Records": [_record(json.dumps(submission)), _record(json.dumps({**submission, "name": 1}))]})
        event(fresh_stack.api.events.generate_cw_event(
            source="contact-form", detail_type="Contact Form Submitted", detail=submission, resources=[]))
        fresh_stack.reject_emails()
        assert fresh_stack.post(submission).status == 200
        fresh_stack.runtime.register_lambda(NOTIFY_FUNCTION, _crash_with(marker))
        assert fresh_stack.post(submission).status == 200
        fresh_stack.runtime.register_lambda(TICKET_FUNCTION, _crash_with(marker))
        assert fresh_stack.post(submission).status == 502
        # THEN the submissions were stored, yet no log line anywhere carries the text, name or email
        assert len(fresh_stack.tickets_with_message(message)) == 5
        captured = capfd.readouterr()
        logs = "\n".join([captured.out, captured.err, *(record.getMessage() for record in caplog.records),
                          *(json.dumps(record.__dict__, default=str) for record in caplog.records)])
        assert "ticket created" in logs  # the capture did see the app's logs
        assert marker not in logs


def _record(body: str) -> dict:
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": body, "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": queue_arn(names.SUBMISSIONS_QUEUE), "awsRegion": "us-east-1"}


def _crash_with(marker: str):
    def crash(event, context):
        # A crash whose error text carries customer data: it must still not reach a log.
        raise RuntimeError(f"could not handle {event.get('message', marker)}")

    return crash
