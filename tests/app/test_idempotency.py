"""Idempotency-Key on POST /contact: the handler over moto, with a Step Functions fake that records tickets."""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator
from unittest import mock

import boto3
import pytest
from botocore.exceptions import ClientError

from chalicelib import aws, idempotency, settings, tickets
from chalicelib.idempotency import CLAIM_SECONDS, EXPIRES_AFTER_SECONDS, KeyInUseError, KeyReusedError
from chalicelib.workflow import WorkflowFailedError, WorkflowTimedOutError, parse_output
from tests.events import load_event
from tests.support.aws_resources import sent_emails

KEY = "b3f1c0de-8a4e-4c1e-9a7f-2f1e0c9d8b7a"
BODY = json.dumps({"message": "This is bad service", "email": "ada@example.com"})
OUTPUT = load_event("sync_execution_succeeded")["output"]


class RecordingStepFunctions:
    """StartSyncExecution as the workflow does it: records the ticket, emails, then answers ``status``.

    ``record`` off: the execution ends before its record step. ``during`` runs inside the
    call, while the execution is "still running".
    """

    def __init__(self) -> None:
        self.status = "SUCCEEDED"
        self.record = True
        self.during: Callable[[], None] | None = None
        self.inputs: list[dict[str, Any]] = []

    def start_sync_execution(self, **request: Any) -> dict[str, Any]:
        document = json.loads(request["input"])
        self.inputs.append(document)
        if self.during is not None:
            self.during()
        ticket_id = document.get("ticketId") or tickets.new_ticket_id()
        output = {**json.loads(OUTPUT), "ticketId": ticket_id}
        if self.record:
            _record_ticket(ticket_id, document, output)
        response = load_event(f"sync_execution_{self.status.lower()}")
        if self.status == "SUCCEEDED":
            response["output"] = json.dumps(output)
        return response


def _record_ticket(ticket_id: str, document: dict[str, Any], output: dict[str, Any]) -> None:
    """The workflow's conditional ticket write and its email, as the ASL does them."""
    item = {
        "ticketId": {"S": ticket_id},
        "message": {"S": document["message"]},
        "sentiment": {"S": output["sentiment"]},
        "sentimentScore": {"M": {k: {"N": str(v)} for k, v in output["sentimentScore"].items()}},
        "idempotencyKeyHash": {"S": document.get("idempotencyKeyHash", "")},
    }
    boto3.client("dynamodb").put_item(
        TableName=settings.tickets_table(), Item=item, ConditionExpression="attribute_not_exists(ticketId)"
    )
    boto3.client("ses").send_email(
        Source="no-reply@example.com",
        Destination={"ToAddresses": ["admin@example.com"]},
        Message={"Subject": {"Data": f"[{ticket_id}] NEGATIVE"}, "Body": {"Text": {"Data": "x"}}},
    )


@pytest.fixture
def stepfunctions(aws_services) -> Iterator[RecordingStepFunctions]:
    fake = RecordingStepFunctions()
    real_client = aws.client
    # Undone before the app's client cache is cleared (the suite's monkeypatch outlives that fixture).
    with mock.patch.object(aws, "client", lambda service: fake if service == "stepfunctions" else real_client(service)):
        yield fake


def post(client, body: str = BODY, key: str | None = KEY):
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers[idempotency.KEY_HEADER] = key
    return client.http.post("/contact", headers=headers, body=body)


def ticket_count() -> int:
    return boto3.client("dynamodb").scan(TableName=settings.tickets_table(), Select="COUNT")["Count"]


class TestKeyHeader:
    @pytest.mark.parametrize(
        ("key", "why"),
        [
            ("", "must not be empty"),
            ("k" * 256, "must be at most 255 characters"),
            ("two words", "must be visible ASCII characters (! to ~) only"),
            ("tab\there", "must be visible ASCII characters (! to ~) only"),
            ("schlüssel", "must be visible ASCII characters (! to ~) only"),
        ],
        ids=["empty", "too-long", "space", "tab", "non-ascii"],
    )
    def test_malformed_key_is_refused_naming_the_header(self, client, stepfunctions, key, why):
        # WHEN a submission carries a malformed key
        response = post(client, key=key)
        # THEN it is refused in the API's error shape, naming the header and why, and nothing runs
        assert response.status_code == 400
        assert response.json_body == {
            "Code": "BadRequestError",
            "Message": f"Idempotency-Key: {why}",
            "Field": "Idempotency-Key",
        }
        assert stepfunctions.inputs == []

    def test_longest_key_of_every_visible_character_is_accepted(self, client, stepfunctions):
        # GIVEN a 255-character key using the whole visible ASCII range
        key = ("".join(chr(c) for c in range(0x21, 0x7F)) * 3)[:255]
        # WHEN it is sent
        response = post(client, key=key)
        # THEN the submission is processed
        assert response.status_code == 200, response.body

    def test_key_hash_and_drawn_ticket_id_go_to_the_workflow_never_the_key(self, client, stepfunctions):
        # WHEN a keyed submission is posted
        response = post(client)
        # THEN the workflow gets the API-drawn ticket id and the key's hash, and answers that ticket
        [document] = stepfunctions.inputs
        assert document["ticketId"] == response.json_body["ticketId"]
        assert len(document["idempotencyKeyHash"]) == 64 and KEY not in json.dumps(document)


class TestReplay:
    def test_same_key_and_body_answer_the_first_answer_again(self, client, stepfunctions):
        # GIVEN a submission that was answered
        first = post(client)
        # WHEN the same key and body are sent again
        second = post(client)
        # THEN the first answer comes back, and the workflow ran once: one ticket, one email
        assert first.status_code == second.status_code == 200
        assert second.json_body == first.json_body
        assert len(stepfunctions.inputs) == 1
        assert ticket_count() == 1 and len(sent_emails()) == 1

    def test_same_key_with_another_body_is_refused_with_422(self, client, stepfunctions):
        # GIVEN a key used for one submission
        post(client)
        # WHEN it comes back with another body (even one byte of whitespace more)
        response = post(client, body=BODY + " ")
        # THEN it is refused, naming the header, and nothing runs again
        assert response.status_code == 422
        assert response.json_body == {
            "Code": "UnprocessableEntityError",
            "Message": "Idempotency-Key: already used with a different request body",
            "Field": "Idempotency-Key",
        }
        assert len(stepfunctions.inputs) == 1

    def test_same_key_while_the_first_request_runs_is_refused_with_409(self, client, stepfunctions):
        # GIVEN a first request whose workflow is still running when the same request arrives
        during: list[Any] = []
        stepfunctions.during = lambda: during.append(post(client)) if not during else None
        # WHEN the first one finishes
        first = post(client)
        # THEN the concurrent one was told to come back later, and only one ticket exists
        [concurrent] = during
        assert concurrent.status_code == 409
        assert concurrent.json_body["Field"] == "Idempotency-Key"
        assert 1 <= int(concurrent.headers["Retry-After"]) <= CLAIM_SECONDS + 1
        assert first.status_code == 200 and len(stepfunctions.inputs) == 1 and ticket_count() == 1
        # AND a resend afterwards gets the first answer
        assert post(client).json_body == first.json_body

    def test_resend_after_a_504_whose_execution_recorded_the_ticket_gets_that_ticket(self, client, stepfunctions):
        # GIVEN an execution that records the ticket and sends the email, then times out
        stepfunctions.status = "TIMED_OUT"
        first = post(client)
        assert first.status_code == 504
        # WHEN the customer sends the same request again
        stepfunctions.status = "SUCCEEDED"
        second = post(client)
        # THEN they get the recorded ticket; no second execution, ticket or email
        assert second.status_code == 200
        [document] = stepfunctions.inputs
        assert second.json_body["ticketId"] == document["ticketId"]
        assert second.json_body["sentiment"] == "NEGATIVE"
        assert ticket_count() == 1 and len(sent_emails()) == 1

    def test_resend_after_a_502_that_recorded_nothing_runs_the_workflow_again(self, client, stepfunctions):
        # GIVEN an execution that failed before its record step
        stepfunctions.status, stepfunctions.record = "FAILED", False
        assert post(client).status_code == 502
        # WHEN the same request is sent again
        stepfunctions.status, stepfunctions.record = "SUCCEEDED", True
        second = post(client)
        # THEN the key was released: it runs anew and one ticket is made
        assert second.status_code == 200
        assert len(stepfunctions.inputs) == 2
        assert ticket_count() == 1

    def test_resend_after_a_timeout_that_recorded_nothing_waits_until_the_execution_is_over(
        self, client, stepfunctions
    ):
        # GIVEN an execution that timed out before its record step (a late write may still land)
        stepfunctions.status, stepfunctions.record = "TIMED_OUT", False
        assert post(client).status_code == 504
        # WHEN the same request is sent again at once
        second = post(client)
        # THEN no second execution starts yet
        assert second.status_code == 409
        assert len(stepfunctions.inputs) == 1

    def test_throttled_start_releases_the_key(self, client, stepfunctions):
        # GIVEN Step Functions refuses to start anything
        def throttled(**request: Any) -> dict[str, Any]:
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise ClientError(error, "StartSyncExecution")

        with mock.patch.object(stepfunctions, "start_sync_execution", throttled), \
                mock.patch("chalicelib.workflow.time.sleep"):
            assert post(client).status_code == 503
        # WHEN the same request is sent once Step Functions accepts again
        second = post(client)
        # THEN it runs at once
        assert second.status_code == 200 and len(stepfunctions.inputs) == 1

    def test_without_a_key_each_post_is_a_new_submission(self, client, stepfunctions):
        # WHEN the same body is posted twice without a key
        first, second = post(client, key=None), post(client, key=None)
        # THEN both run the workflow, the ticket id drawn by the workflow
        assert first.status_code == second.status_code == 200
        assert len(stepfunctions.inputs) == 2 and "ticketId" not in stepfunctions.inputs[0]

    def test_unreachable_idempotency_table_answers_503_and_starts_nothing(self, client, stepfunctions):
        # GIVEN the idempotency table is gone
        boto3.client("dynamodb").delete_table(TableName=settings.idempotency_table())
        # WHEN a keyed submission is posted
        response = post(client)
        # THEN the client is told to send it again, and nothing ran
        assert response.status_code == 503
        assert response.json_body["Field"] == "Idempotency-Key"
        assert stepfunctions.inputs == []


class Clock:
    def __init__(self) -> None:
        self.time = 1_800_000_000.0

    def __call__(self) -> float:
        return self.time


class TestStaleClaims:
    """A request that claimed the key and died (Lambda timeout, crash) must not block it forever."""

    @pytest.fixture
    def clock(self) -> Clock:
        return Clock()

    @pytest.fixture
    def key(self) -> idempotency.IdempotencyKey:
        key = idempotency.parse_key(KEY, BODY)
        assert key is not None
        return key

    def submit(self, key, clock, run) -> Any:
        document = {"message": "This is bad service", "source": "api"}
        return idempotency.submit(key, document, run, now=clock)

    def dead_request(self, key, clock) -> str:
        """Claim the key as a request that then died; return the ticket id it drew."""
        store = idempotency.IdempotencyStore(aws.client("dynamodb"), now=clock)
        claim = store.claim(key, "CF-0000-0000-00")
        assert isinstance(claim, idempotency.Claim)
        return claim.ticket_id

    def recording_run(self, runs: list[dict[str, Any]]) -> Callable[[dict[str, Any]], Any]:
        def run(document: dict[str, Any]) -> Any:
            runs.append(document)
            output = {**json.loads(OUTPUT), "ticketId": document["ticketId"]}
            _record_ticket(document["ticketId"], document, output)
            return parse_output(output)

        return run

    def test_claim_of_a_dead_request_blocks_until_its_execution_is_over_then_is_taken_over(
        self, aws_services, key, clock
    ):
        # GIVEN a request that claimed the key and died without an answer
        ticket_id = self.dead_request(key, clock)
        runs: list[dict[str, Any]] = []
        # WHEN the same request comes while the dead one's execution might still run
        clock.time += CLAIM_SECONDS - 1
        with pytest.raises(KeyInUseError):
            self.submit(key, clock, self.recording_run(runs))
        # AND again once it cannot run any more
        clock.time += 2
        output = self.submit(key, clock, self.recording_run(runs))
        # THEN the claim is taken over and the workflow runs once, under the ticket id drawn first
        assert [run["ticketId"] for run in runs] == [ticket_id]
        assert output["ticketId"] == ticket_id and ticket_count() == 1

    def test_claim_of_a_dead_request_whose_ticket_was_recorded_answers_that_ticket(self, aws_services, key, clock):
        # GIVEN a dead request whose execution went on to record the ticket
        ticket_id = self.dead_request(key, clock)
        output = {**json.loads(OUTPUT), "ticketId": ticket_id}
        _record_ticket(ticket_id, {"message": "m", "idempotencyKeyHash": key.key_hash}, output)
        runs: list[dict[str, Any]] = []
        # WHEN the same request comes after the claim ran out
        clock.time += CLAIM_SECONDS + 1
        answer = self.submit(key, clock, self.recording_run(runs))
        # THEN that ticket is the answer, and nothing runs
        assert answer["ticketId"] == ticket_id and runs == []

    def test_takeover_meeting_a_late_ticket_of_the_dead_request_answers_it(self, aws_services, key, clock):
        # GIVEN a dead request whose execution's write lands only while the takeover runs
        ticket_id = self.dead_request(key, clock)
        clock.time += CLAIM_SECONDS + 1

        def run(document: dict[str, Any]) -> Any:
            output = {**json.loads(OUTPUT), "ticketId": ticket_id}
            _record_ticket(ticket_id, document, output)
            # the takeover's own record step then finds the ticket id taken
            raise WorkflowFailedError("failed", error=idempotency.TICKET_ALREADY_RECORDED)

        # WHEN the takeover's execution stops at its record step
        answer = self.submit(key, clock, run)
        # THEN the answer is the one ticket, and later resends get it too
        assert answer["ticketId"] == ticket_id and ticket_count() == 1
        assert self.submit(key, clock, self.recording_run([]))["ticketId"] == ticket_id

    def test_key_reused_with_another_body_after_the_first_failed_is_still_refused(self, aws_services, key, clock):
        # GIVEN a key whose request timed out before any record
        def timed_out(document: dict[str, Any]) -> Any:
            raise WorkflowTimedOutError("timed out")

        with pytest.raises(WorkflowTimedOutError):
            self.submit(key, clock, timed_out)
        # WHEN it is used with another body
        other = idempotency.parse_key(KEY, BODY + "x")
        # THEN that is refused as a reuse, not run
        with pytest.raises(KeyReusedError):
            self.submit(other, clock, self.recording_run([]))

    def test_key_expires_after_a_day(self, aws_services, key, clock):
        # GIVEN a key answered a day ago (DynamoDB's TTL has not deleted the record yet)
        first = self.submit(key, clock, self.recording_run([]))
        clock.time += EXPIRES_AFTER_SECONDS + 1
        # WHEN it is used again
        runs: list[dict[str, Any]] = []
        second = self.submit(key, clock, self.recording_run(runs))
        # THEN it is a new submission
        assert len(runs) == 1 and second["ticketId"] != first["ticketId"]
