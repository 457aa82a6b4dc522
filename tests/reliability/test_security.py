"""Security at the edge: CORS, size limits and email header injection."""
from __future__ import annotations

import json
import uuid

import pytest
from chalice.config import Config
from chalice.local import LocalGateway

import app as app_module
from chalicelib import settings
from chalicelib.forms import MAX_BODY_BYTES
from tests.support.offline_stack import OfflineStack
from tests.support.strategies import HEADER_INJECTIONS

FOREIGN_ORIGIN = "https://evil.example.net"
UNHAPPY = "This is terrible, awful service and I am angry."


class TestCors:
    def test_only_the_configured_origin_is_allowed(self, stack: OfflineStack):
        # GIVEN a request from a page on another site
        headers = {"Origin": FOREIGN_ORIGIN, "Content-Type": "application/json"}
        # WHEN it reaches the API
        reply = stack.request("POST", "/contact", headers, json.dumps({"message": "hi"}).encode())
        # THEN the answer allows the stage's own origin only, never the caller's or everyone
        assert reply.headers["Access-Control-Allow-Origin"] == settings.LOCAL_ALLOWED_ORIGIN

    def test_preflight_allows_only_the_configured_origin(self, stack: OfflineStack):
        # GIVEN a browser on another site asking whether it may POST
        headers = {"Origin": FOREIGN_ORIGIN, "Access-Control-Request-Method": "POST"}
        # WHEN the preflight reaches the gateway (Chalice's test client cannot read its empty body)
        gateway = LocalGateway(app_module.app, Config.create(chalice_stage="local"))
        answer = gateway.handle_request("OPTIONS", "/contact", headers, b"")
        # THEN only the stage's origin and POST are allowed
        assert answer["headers"]["Access-Control-Allow-Origin"] == settings.LOCAL_ALLOWED_ORIGIN
        assert answer["headers"]["Access-Control-Allow-Methods"] == "POST,OPTIONS"

    def test_the_page_cannot_be_framed_or_load_foreign_code(self, stack: OfflineStack):
        # WHEN the page is fetched
        reply = stack.request("GET", "/", {})
        # THEN its headers forbid framing, sniffing and foreign sources
        policy = reply.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
        assert reply.headers["X-Content-Type-Options"] == "nosniff"


class TestSizeLimits:
    def test_body_over_the_limit_is_refused_with_413(self, stack: OfflineStack):
        # GIVEN a body larger than any valid submission can be
        raw = json.dumps({"message": "x" * (MAX_BODY_BYTES + 1)})
        # WHEN it is posted
        reply = stack.post(raw)
        # THEN it is refused before being parsed
        assert reply.status == 413
        assert reply.json["Field"] == "body"

    def test_longest_valid_message_in_the_most_escaped_form_fits(self, stack: OfflineStack):
        # GIVEN 5,000 characters outside the BMP, each escaped as a surrogate pair (12 bytes a character)
        raw = json.dumps({"message": "😡" * 5000}, ensure_ascii=True)
        # WHEN it is posted
        reply = stack.post(raw)
        # THEN it is accepted: the byte limit never cuts off a valid message
        assert reply.status == 200, reply.text


class TestEmailHeaders:
    @pytest.mark.parametrize("injection", HEADER_INJECTIONS)
    def test_crlf_in_name_or_message_never_becomes_a_header(self, stack: OfflineStack, injection: str):
        # GIVEN an unhappy message whose name and text carry header injections
        marker = uuid.uuid4().hex
        reply = stack.post({"message": f"{UNHAPPY} {marker}{injection}", "name": f"Ann{injection}"})
        # WHEN the administrator is emailed
        assert reply.status == 200, reply.text
        assert reply.json["sentiment"] == "NEGATIVE"
        [email] = [email for email in stack.emails() if marker in email.body]
        # THEN the email goes to the administrator only, and the subject holds only the ticket and sentiment
        assert email.destinations == {"ToAddresses": [stack.environment["ADMIN_EMAIL"]]}
        assert email.subject == f"[{reply.json['ticketId']}] NEGATIVE contact form message"
        assert email.source == stack.environment["SENDER_EMAIL"]

    @pytest.mark.parametrize("injection", HEADER_INJECTIONS)
    def test_crlf_in_email_is_refused(self, stack: OfflineStack, injection: str):
        # WHEN an address carrying a header injection is submitted
        reply = stack.post({"message": UNHAPPY, "email": injection})
        # THEN it is refused naming the field, and no email is sent for it
        assert reply.status == 400
        assert reply.json["Field"] == "email"
