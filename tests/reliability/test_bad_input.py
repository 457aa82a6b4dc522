"""Generated input against every way in: the HTTP API, the SQS consumer and the EventBridge consumer.

Contract: a 200 with a ticket for valid input, else a 4xx whose JSON body names the problem;
never a 5xx, never a stack trace, never the customer's text echoed back.
"""
from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib import settings
from chalicelib.forms import InvalidSubmissionError
from chalicelib.notifications import InvalidNotificationError
from tests.support import strategies
from tests.support.fuzz import TALLY, property_settings
from tests.support.offline_stack import OfflineStack, Reply

SENTIMENTS = {"POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"}


def assert_well_formed(reply: Reply, allowed: set[int]) -> dict[str, Any]:
    """A JSON answer with an allowed status and no trace of Python's insides."""
    assert reply.status in allowed, (reply.status, reply.text[:500])
    assert "Traceback" not in reply.text and 'File "' not in reply.text
    body = reply.json
    assert isinstance(body, dict)
    if reply.status != 200:
        assert isinstance(body.get("Code"), str) and isinstance(body.get("Message"), str), body
    return body


def assert_ticket_answer(body: dict[str, Any]) -> None:
    assert set(body) == {"ticketId", "sentiment", "sentimentScore"}
    assert body["sentiment"] in SENTIMENTS
    assert set(body["sentimentScore"]) == {"Positive", "Negative", "Neutral", "Mixed"}


class TestHttpApi:
    @property_settings
    @given(submission=strategies.valid_submissions())
    def test_valid_submission_gets_a_ticket_holding_exactly_its_text(self, stack: OfflineStack, submission):
        # GIVEN any valid submission (any typeable Unicode, markup, RTL, emoji)
        # WHEN it is posted
        reply = stack.post(submission)
        TALLY.record("http: valid submission", reply.status)
        # THEN it is answered with a ticket, and the ticket stores the trimmed text unchanged
        body = assert_well_formed(reply, {200})
        assert_ticket_answer(body)
        ticket = stack.ticket(body["ticketId"])
        assert ticket is not None
        assert ticket["message"] == submission["message"].strip()
        assert ticket["name"] == (submission.get("name") or "").strip()
        assert ticket["email"] == (submission.get("email") or "")
        assert ticket["sentiment"] == body["sentiment"]

    @property_settings
    @given(case=strategies.invalid_submissions())
    def test_invalid_submission_is_refused_naming_the_field(self, stack: OfflineStack, case):
        # GIVEN a submission that breaks one rule of one field (header injection, NUL, surrogates, types...)
        field, submission = case
        # WHEN it is posted
        reply = stack.post(submission)
        TALLY.record("http: invalid submission", reply.status)
        # THEN it is refused with 400 naming that field, without repeating what was sent
        body = assert_well_formed(reply, {400})
        assert body["Field"] == field, body
        sent = submission.get(field)
        if isinstance(sent, str) and len(sent.strip()) >= 8:
            assert sent.strip() not in reply.text

    @property_settings
    @given(document=strategies.json_values())
    def test_any_json_document_gets_an_answer_never_a_server_error(self, stack: OfflineStack, document):
        # GIVEN any JSON document at all
        # WHEN it is posted
        reply = stack.post(document)
        TALLY.record("http: any JSON document", reply.status)
        # THEN it is a ticket or a refusal that names the problem
        body = assert_well_formed(reply, {200, 400})
        if reply.status == 400:
            assert body["Field"]

    @property_settings
    @given(raw=strategies.raw_bodies(), content_type=st.sampled_from(strategies.CONTENT_TYPES))
    def test_any_bytes_with_any_content_type_get_an_answer_never_a_server_error(
        self, stack: OfflineStack, raw: bytes, content_type: str
    ):
        # GIVEN bytes that are broken, huge, deeply nested or mislabelled
        headers = {"Content-Type": content_type} if content_type else {}
        # WHEN they are posted
        reply = stack.post(raw, headers=headers)
        TALLY.record("http: any bytes, any content type", reply.status)
        # THEN the answer is well formed: a ticket, 400, 413 (too large) or 415 (not JSON)
        assert_well_formed(reply, {200, 400, 413, 415})

    @pytest.mark.parametrize("depth", [500, 5_000, 100_000])
    def test_deeply_nested_body_is_refused(self, stack: OfflineStack, depth: int):
        # GIVEN a body nested far deeper than any submission
        raw = '{"message":' + "[" * depth + "]" * depth + "}"
        # WHEN it is posted
        reply = stack.post(raw)
        # THEN it is refused, not a crash of the parser
        assert_well_formed(reply, {400, 413})


def _sqs_event(bodies: list[str]) -> dict[str, Any]:
    return {"Records": [{
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "handle",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{settings.SUBMISSIONS_QUEUE}",
        "awsRegion": "us-east-1",
    } for body in bodies]}


_RECORDS = st.lists(
    st.one_of(
        strategies.valid_submissions().map(lambda submission: (True, json.dumps(submission))),
        strategies.invalid_submissions().map(lambda case: (False, json.dumps(case[1]))),
        st.sampled_from(["", "not json", "[]", "null", '{"message": "\\u0000"}', "{" * 5000]).map(
            lambda raw: (False, raw)),
    ),
    min_size=1, max_size=3,
)


class TestConsumers:
    @property_settings
    @given(records=_RECORDS)
    def test_sqs_batch_reports_exactly_the_bad_records_and_processes_the_rest(self, stack: OfflineStack, records):
        # GIVEN a batch mixing valid submissions with poison messages
        event = _sqs_event([body for _, body in records])
        before = stack.ticket_count()
        # WHEN the queue consumer handles it
        result = stack.handler("process_queued_submissions")(event)
        TALLY.record("sqs: mixed batch", 200)
        # THEN exactly the invalid records are listed for redelivery, and each valid one made one ticket
        failed = {item["itemIdentifier"] for item in result["batchItemFailures"]}
        pairs = zip(event["Records"], records, strict=True)
        invalid = {record["messageId"] for record, (valid, _) in pairs if not valid}
        assert failed == invalid
        assert stack.ticket_count() == before + sum(valid for valid, _ in records)

    @property_settings
    @given(detail=st.one_of(
        strategies.valid_submissions().map(lambda submission: (True, submission)),
        strategies.invalid_submissions().map(lambda case: (False, case[1])),
        strategies.json_values().filter(lambda value: not isinstance(value, dict)).map(lambda value: (False, value)),
    ))
    def test_eventbridge_event_is_processed_or_refused_as_invalid(self, stack: OfflineStack, detail):
        # GIVEN a Contact Form Submitted event with any detail
        valid, document = detail
        event = stack.api.events.generate_cw_event(
            source=settings.EVENT_SOURCE, detail_type=settings.SUBMITTED_DETAIL_TYPE, detail=document, resources=[]
        )
        event["id"] = str(uuid.uuid4())
        before = stack.ticket_count()
        # WHEN the event consumer handles it
        try:
            stack.handler("process_submission_event")(event)
        except InvalidSubmissionError:
            refused = True
        else:
            refused = False
        TALLY.record("eventbridge: any detail", 400 if refused else 200)
        # THEN a valid detail makes exactly one ticket; anything else is refused as invalid and makes none
        assert refused is not valid
        assert stack.ticket_count() == before + (0 if refused else 1)

    @property_settings
    @given(event=st.one_of(
        # Objects only: the workflow always sends one (a non-object event is reported in docs/reliability.md).
        st.dictionaries(st.sampled_from(["ticketId", "sentiment", "message", "name", "email", "x"]),
                        strategies.json_values(), max_size=6),
        st.fixed_dictionaries({
            "ticketId": st.just("CF-7K3M-Q9ZD-4P") | st.sampled_from(["CF-7K3M-Q9ZD-4", "cf-7k3m-q9zd-4p", ""]),
            "sentiment": st.sampled_from(["NEGATIVE", "POSITIVE", "MIXED", "NEUTRAL", "negative", "ANGRY"]),
            "message": strategies.typed_text(0, 50) | st.integers(),
        }, optional={"name": strategies.json_values(), "email": st.sampled_from(strategies.HEADER_INJECTIONS)}),
    ))
    def test_notifier_sends_one_plain_email_or_refuses_the_event(self, stack: OfflineStack, event):
        # GIVEN any object event reaching the notifier Lambda (the workflow's, or anyone allowed to invoke it)
        before = len(stack.emails())
        # WHEN it is invoked
        try:
            result = stack.handler("notify_admin")(event)
        except InvalidNotificationError:
            result = None
        TALLY.record("lambda: notifier event", 400 if result is None else 200)
        # THEN it refuses with its own error and sends nothing, holds the event for the digest once this
        # minute's quota is used, or sends one email to the administrator only
        emails = stack.emails()[before:]
        assert result is None or result["notificationStatus"] in {"SENT", "DIGEST"}
        assert len(emails) == (1 if result is not None and result["notificationStatus"] == "SENT" else 0)
        for email in emails:
            assert email.destinations == {"ToAddresses": [stack.environment["ADMIN_EMAIL"]]}
            assert "\n" not in email.subject and "\r" not in email.subject

