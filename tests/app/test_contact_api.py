"""GET / and POST /contact through the Chalice test client."""
from __future__ import annotations

import json

import pytest

from chalicelib.web import StageCORSConfig
from tests.support.handlers import JsonOf, Matches, expect_execution

JSON = {"Content-Type": "application/json"}
SECRET_MESSAGE = "my secret complaint 4242"


def post(client, body, headers=JSON):
    raw = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.http.post("/contact", headers=headers, body=raw)


class TestContactPage:
    def test_index_serves_the_form_as_html(self, client):
        # WHEN the page is requested
        response = client.http.get("/")
        # THEN it is HTML with every element the browser tests rely on
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        page = response.body.decode("utf-8")
        for element_id in ("contact-form", "name", "email", "message", "submit", "result",
                           "message-error", "email-error", "name-error"):
            assert f'id="{element_id}"' in page

    def test_index_loads_nothing_from_other_origins(self, client):
        # WHEN the page is requested
        page = client.http.get("/").body.decode("utf-8")
        # THEN no script, style or font comes from elsewhere
        assert "http://" not in page and "https://" not in page
        assert "innerHTML" not in page
        csp = client.http.get("/").headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "script-src 'sha256-" in csp


class TestSubmission:
    def test_seed_request_returns_the_ticket(self, client, sfn):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "This is bad service", "source": "api"}))
        # WHEN the seed request is posted as is
        response = post(client, '{"message":" This is bad service"}')
        # THEN the answer is exactly the workflow's output, as JSON
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/json"
        assert response.json_body == {
            "ticketId": "CF-7K3M-Q9ZD-4P",
            "sentiment": "NEGATIVE",
            "sentimentScore": {"Positive": 0.01, "Negative": 0.97, "Neutral": 0.02, "Mixed": 0.0},
        }
        sfn.assert_no_pending_responses()

    def test_optional_fields_are_trimmed_and_passed_on(self, client, sfn):
        # GIVEN a workflow that succeeds
        expected = {"message": "Hello", "name": "Ada", "email": "ada@example.com", "source": "api"}
        expect_execution(sfn, input=JsonOf(expected))
        # WHEN every field is given with surrounding spaces
        response = post(client, {"message": " Hello ", "name": " Ada ", "email": "ada@example.com"})
        # THEN the workflow gets the trimmed values
        assert response.status_code == 200

    def test_null_optional_fields_count_as_absent(self, client, sfn):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "Hello", "source": "api"}))
        # WHEN name and email are JSON null
        response = post(client, {"message": "Hello", "name": None, "email": None})
        # THEN they are left out of the workflow input
        assert response.status_code == 200

    @pytest.mark.parametrize("website", [None, ""], ids=["null", "empty"])
    def test_an_empty_honeypot_is_accepted_and_not_passed_on(self, client, sfn, website):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": "Hello", "source": "api"}))
        # WHEN the page's honeypot field comes empty or null, as a person leaves it
        response = post(client, {"message": "Hello", "website": website})
        # THEN the submission goes through, without the field
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "message",
        ["x" * 5000, "Ünïcödé 日本語 😀👍🏽", "line one\n\tline two\r\n", "  " + "y" * 5000 + "  "],
        ids=["5000-chars", "unicode", "tabs-and-newlines", "5000-after-trim"],
    )
    def test_any_typeable_text_up_to_the_limit_is_accepted(self, client, sfn, message):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, input=JsonOf({"message": message.strip(), "source": "api"}))
        # WHEN the message is ordinary text within the limit
        response = post(client, {"message": message})
        # THEN it is processed
        assert response.status_code == 200

    def test_execution_name_is_derived_from_the_request(self, client, sfn):
        # GIVEN a workflow that succeeds
        expect_execution(sfn, name=Matches(r"api-[0-9A-Za-z_-]{32,76}"))
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN the execution is named after the request
        assert response.status_code == 200
        sfn.assert_no_pending_responses()

    def test_cors_allows_only_the_configured_origin(self, client, sfn):
        # GIVEN a workflow that succeeds
        expect_execution(sfn)
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN only the stage's origin may read the answer
        assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:8000"

    def test_preflight_headers_follow_the_stage_origin(self, monkeypatch):
        # GIVEN a stage whose page lives on one origin
        monkeypatch.setenv("ALLOWED_ORIGIN", "https://contact.example.com")
        # WHEN the CORS headers (also used for API Gateway's preflight) are built
        headers = StageCORSConfig().get_access_control_headers()
        # THEN they name that origin only, read at that moment rather than at import
        assert headers["Access-Control-Allow-Origin"] == "https://contact.example.com"


BAD_REQUESTS = {
    "malformed-json": ('{"message": "hi"', "body"),
    "not-an-object": ('["This is bad service"]', "body"),
    "a-string": ('"This is bad service"', "body"),
    "null-body": ("null", "body"),
    "empty-body": ("", "body"),
    "missing-message": ({"name": "Ada"}, "message"),
    "empty-message": ({"message": ""}, "message"),
    "blank-message": ({"message": " \n\t "}, "message"),
    "null-message": ({"message": None}, "message"),
    "message-too-long": ({"message": "x" * 5001}, "message"),
    "message-a-number": ({"message": 42}, "message"),
    "message-an-object": ({"message": {"text": "hi"}}, "message"),
    "message-nul": ({"message": "bad\u0000byte"}, "message"),
    "message-escape-char": ({"message": "bad\u001b[31m"}, "message"),
    "message-lone-surrogate": ('{"message": "bad \\ud800 half"}', "message"),
    "name-too-long": ({"message": "hi", "name": "n" * 201}, "name"),
    "name-a-list": ({"message": "hi", "name": ["Ada"]}, "name"),
    "email-invalid": ({"message": "hi", "email": "not-an-email"}, "email"),
    "email-header-injection": ({"message": "hi", "email": "a@example.com\r\nBcc: x@example.com"}, "email"),
    "email-too-long": ({"message": "hi", "email": "a" * 64 + "@" + "b" * 186 + ".com"}, "email"),
    "email-a-bool": ({"message": "hi", "email": True}, "email"),
    "honeypot-filled": ({"message": "hi", "website": "http://spam.example"}, "website"),
    "honeypot-blank": ({"message": "hi", "website": " "}, "website"),
    "honeypot-a-number": ({"message": "hi", "website": 0}, "website"),
    "honeypot-and-no-message": ({"website": "x"}, "website"),
    "unknown-field": ({"message": "hi", "phone": "123"}, "phone"),
    "unknown-odd-field": ({"message": "hi", "<script>": "x"}, "body"),
    "duplicate-field": ('{"message": "hi", "message": "again"}', "body"),
    "deeply-nested": ('{"message": ' + "[" * 30_000 + "]" * 30_000 + "}", "body"),
    "invalid-utf8": (b'{"message": "\xff\xfe"}', "body"),
}


class TestInvalidSubmission:
    @pytest.mark.parametrize("body,field", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
    def test_bad_input_is_refused_naming_the_field(self, client, sfn, body, field):
        # GIVEN a workflow that must not be started (no stubbed answer)
        # WHEN a bad body is posted
        response = post(client, body)
        # THEN the answer is 400 in Chalice's error shape, naming the field
        assert response.status_code == 400
        assert response.headers["Content-Type"] == "application/json"
        assert response.json_body["Code"] == "BadRequestError"
        assert response.json_body["Field"] == field
        assert response.json_body["Message"].startswith(f"{field}: ")
        sfn.assert_no_pending_responses()

    def test_refusal_never_echoes_customer_data(self, client, sfn):
        # WHEN a submission with a bad email is posted
        response = post(client, {"message": SECRET_MESSAGE, "email": "secret-address"})
        # THEN neither the message nor the email are in the answer
        assert response.status_code == 400
        assert SECRET_MESSAGE not in response.body.decode()
        assert "secret-address" not in response.body.decode()

    def test_oversized_body_is_refused_as_too_large(self, client, sfn):
        # WHEN a body far beyond any valid submission is posted
        response = post(client, {"message": "x" * 200_000})
        # THEN the answer is 413
        assert response.status_code == 413
        assert response.json_body["Field"] == "body"

    def test_unsupported_content_type_is_refused(self, client, sfn):
        # WHEN the body is sent as a form post
        response = post(client, "message=hi", headers={"Content-Type": "application/x-www-form-urlencoded"})
        # THEN Chalice refuses the media type
        assert response.status_code == 415


class TestWorkflowOutcome:
    def test_failed_workflow_answers_bad_gateway(self, client, sfn):
        # GIVEN a workflow that fails
        failed = expect_execution(sfn, "sync_execution_failed")
        # WHEN a message is posted
        response = post(client, {"message": SECRET_MESSAGE, "name": "Secret Name"})
        # THEN 502 names the error and the execution, not the customer's data
        assert response.status_code == 502
        assert response.json_body == {
            "Code": "WorkflowFailed",
            "Message": "The workflow failed",
            "Error": "ContactForm.TicketIdCollision",
            "ExecutionArn": failed["executionArn"],
        }

    def test_timed_out_workflow_answers_gateway_timeout(self, client, sfn):
        # GIVEN a workflow that times out
        timed_out = expect_execution(sfn, "sync_execution_timed_out")
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN 504 with the execution ARN
        assert response.status_code == 504
        assert response.json_body["Code"] == "WorkflowTimedOut"
        assert response.json_body["ExecutionArn"] == timed_out["executionArn"]

    def test_throttled_start_is_retried_then_answers_service_unavailable(self, client, sfn):
        # GIVEN Step Functions refusing every start
        for _ in range(3):
            sfn.add_client_error("start_sync_execution", "ThrottlingException", http_status_code=400)
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN three attempts were made and the answer is 503
        assert response.status_code == 503
        assert response.json_body["Code"] == "WorkflowThrottled"
        assert response.json_body["Error"] == "ThrottlingException"
        sfn.assert_no_pending_responses()

    def test_one_throttle_is_absorbed_by_a_retry(self, client, sfn):
        # GIVEN Step Functions refusing once, then running the workflow
        sfn.add_client_error("start_sync_execution", "ThrottlingException", http_status_code=400)
        expect_execution(sfn)
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN the caller gets the ticket
        assert response.status_code == 200
        sfn.assert_no_pending_responses()

    def test_other_step_functions_errors_are_not_retried(self, client, sfn):
        # GIVEN a state machine that does not exist
        sfn.add_client_error("start_sync_execution", "StateMachineDoesNotExist", http_status_code=400)
        # WHEN a message is posted
        response = post(client, {"message": "Hello"})
        # THEN one attempt, and a 502 that is not a 500
        assert response.status_code == 502
        assert response.json_body["Code"] == "WorkflowUnavailable"
        sfn.assert_no_pending_responses()
