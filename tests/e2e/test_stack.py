"""The whole product offline, driven from outside like a user: HTTP, boto3, the aws CLI, the printed commands."""
from __future__ import annotations

import json
import os
import subprocess

import pytest
import requests

from chalicelib import names
from localdev import report
from localdev.offline import state_machine_arn
from localdev.project import PROJECT_DIR
from localdev.stack import READY_MARKER
from tests.support.stack_helpers import client, emails_mentioning, eventually, marker, tickets_mentioning

EXPRESS_ARN = state_machine_arn(names.EXPRESS_STATE_MACHINE)
PARENT_ARN = state_machine_arn(names.PARENT_STATE_MACHINE)


def post_contact(stack, body: bytes | str) -> requests.Response:
    return requests.post(
        f"{stack.api_url}/contact", data=body, headers={"Content-Type": "application/json"}, timeout=30
    )


class TestContactApi:
    def test_seed_request_is_negative_recorded_and_emailed_to_admin(self, stack):
        # GIVEN the running stack
        # WHEN a customer posts the seed request
        reply = post_contact(stack, json.dumps({"message": " This is bad service"}))
        # THEN it is NEGATIVE with a ticket that is recorded and named in exactly one admin email
        assert reply.status_code == 200, reply.text
        answer = reply.json()
        assert set(answer) == {"ticketId", "sentiment", "sentimentScore"}
        assert answer["sentiment"] == "NEGATIVE"
        assert set(answer["sentimentScore"]) == {"Positive", "Negative", "Neutral", "Mixed"}
        [ticket] = [item for item in report.tickets(stack.ports.aws) if item["ticketId"] == answer["ticketId"]]
        assert ticket["sentiment"] == "NEGATIVE"
        assert len(eventually(lambda: emails_mentioning(stack, answer["ticketId"]))) == 1

    def test_positive_message_is_recorded_without_email(self, stack):
        # GIVEN a happy customer
        word = marker()
        # WHEN they post a positive message
        reply = post_contact(stack, json.dumps({"message": f"I love it, great and helpful service {word}"}))
        # THEN it is POSITIVE, recorded, and no email names its ticket
        assert reply.status_code == 200, reply.text
        assert reply.json()["sentiment"] == "POSITIVE"
        assert [t["ticketId"] for t in tickets_mentioning(stack, word)] == [reply.json()["ticketId"]]
        assert emails_mentioning(stack, reply.json()["ticketId"]) == []

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ('{"message": ', "body"),
            ("not json", "body"),
            ("[1, 2]", "body"),
            ('"a string"', "body"),
            ("{}", "message"),
            ('{"message": ""}', "message"),
            ('{"message": "   "}', "message"),
            (json.dumps({"message": "x" * 5001}), "message"),
            ('{"message": 5}', "message"),
            ('{"message": null}', "message"),
            (json.dumps({"message": "hi", "name": "n" * 201}), "name"),
            ('{"message": "hi", "name": ["a"]}', "name"),
            ('{"message": "hi", "email": "not-an-email"}', "email"),
            (json.dumps({"message": "hi", "email": "a" * 250 + "@example.com"}), "email"),
            ('{"message": "hi", "email": 7}', "email"),
            ('{"message": "hi", "phone": "123"}', "phone"),
        ],
    )
    def test_bad_input_is_refused_naming_the_field(self, stack, body, field):
        # GIVEN a request that breaks the HTTP contract
        # WHEN it is posted
        reply = post_contact(stack, body)
        # THEN the answer is 400 with a JSON body naming the field
        assert reply.status_code == 400, reply.text
        assert reply.json()["Field"] == field
        assert "Traceback" not in reply.text


class TestStepFunctionsEndpoint:
    def test_start_sync_execution_answers_with_ticket_and_sentiment(self, stack):
        # GIVEN a boto3 client on the local Step Functions endpoint
        sfn = client(stack, "stepfunctions")
        # WHEN the Express workflow is started synchronously
        result = sfn.start_sync_execution(stateMachineArn=EXPRESS_ARN, input=json.dumps({"message": "Bad service"}))
        # THEN it SUCCEEDED with the workflow output
        assert result["status"] == "SUCCEEDED", result
        output = json.loads(result["output"])
        assert output["ticketId"]
        assert output["sentiment"] == "NEGATIVE"

    def test_parent_runs_the_express_workflow_nested(self, stack):
        # GIVEN the Standard parent state machine
        sfn = client(stack, "stepfunctions")
        word = marker()
        # WHEN it is started and polled to the end
        arn = sfn.start_execution(
            stateMachineArn=PARENT_ARN, input=json.dumps({"message": f"Thanks, all good {word}"})
        )["executionArn"]
        execution = eventually(lambda: _finished(sfn.describe_execution(executionArn=arn)))
        # THEN it SUCCEEDED with the child's ticket id, which the child recorded
        assert execution["status"] == "SUCCEEDED", execution
        ticket_id = json.loads(execution["output"])["ticketId"]
        assert [t["ticketId"] for t in tickets_mentioning(stack, word)] == [ticket_id]


def _finished(execution: dict) -> dict | None:
    return None if execution["status"] == "RUNNING" else execution


class TestEventDelivery:
    def test_queued_message_makes_one_ticket_although_delivered_twice(self, stack):
        # GIVEN the submissions queue
        sqs = client(stack, "sqs")
        queue_url = sqs.get_queue_url(QueueName=names.SUBMISSIONS_QUEUE)["QueueUrl"]
        word = marker()
        # WHEN a message is sent and SQS hands it to the app twice (same messageId)
        message_id = sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"message": f"Hello {word}"}))[
            "MessageId"
        ]
        stack.wait_for_output(f"{message_id} receive 2")
        # THEN exactly one ticket exists for it
        assert len(tickets_mentioning(stack, word)) == 1

    def test_submitted_event_makes_a_ticket_and_a_processed_event(self, stack):
        # GIVEN the default bus
        events = client(stack, "events")
        word = marker()
        # WHEN a Contact Form Submitted event is put on it
        entries = events.put_events(
            Entries=[{
                "Source": "contact-form",
                "DetailType": "Contact Form Submitted",
                "Detail": json.dumps({"message": f"This is bad service {word}"}),
            }]
        )
        assert entries["FailedEntryCount"] == 0
        # THEN one ticket is recorded, and a Contact Form Processed event with its id is logged and kept
        [ticket] = eventually(lambda: tickets_mentioning(stack, word))
        processed = eventually(lambda: _processed_events(stack, ticket["ticketId"]))
        assert processed[0]["detail-type"] == "Contact Form Processed"
        assert processed[0]["detail"]["sentiment"] == "NEGATIVE"
        stack.wait_for_output("Contact Form Processed:", ticket["ticketId"])
        # AND the second delivery of the same event made no second ticket
        stack.wait_for_output(entries["Entries"][0]["EventId"], "receive 2")
        assert len(tickets_mentioning(stack, word)) == 1


def _processed_events(stack, ticket_id: str) -> list[dict]:
    sqs = client(stack, "sqs")
    queue_url = sqs.get_queue_url(QueueName="contact-form-processed-events")["QueueUrl"]
    # Visibility 0: looking must not hide the events from the user's own `aws sqs receive-message`.
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", [])
    events = [json.loads(message["Body"]) for message in messages]
    return [event for event in events if event["detail"].get("ticketId") == ticket_id]


class TestReadyMessage:
    def test_printed_commands_work_as_printed(self, stack):
        # GIVEN the commands of the ready message and a shell without AWS settings or the venv on PATH
        commands = _printed_commands(stack.output)
        export = next(command for command in commands if command.startswith("export "))
        shell_env = {
            name: value for name, value in os.environ.items()
            if not name.startswith(("AWS_ACCESS", "AWS_SECRET", "AWS_REGION", "AWS_DEFAULT_REGION", "MAKE", "MFLAGS"))
        }
        shell_env["PATH"] = os.pathsep.join(p for p in shell_env["PATH"].split(os.pathsep) if ".venv" not in p)
        # WHEN each is pasted into that shell (in the project directory)
        outputs = {}
        for command in commands:
            result = subprocess.run(
                ["bash", "-c", f"{export}\n{command}"], cwd=PROJECT_DIR, env=shell_env,
                capture_output=True, text=True, timeout=60,
            )
            # THEN each succeeds
            assert result.returncode == 0, (command, result.stdout, result.stderr)
            outputs[command] = result.stdout
        by_start = {
            prefix: next(output for command, output in outputs.items() if command.startswith(prefix))
            for prefix in (
                "curl", "aws stepfunctions", "aws sqs send-message", "aws events", "make tickets", "make emails"
            )
        }
        assert json.loads(by_start["curl"])["sentiment"] == "NEGATIVE"
        assert json.loads(by_start["aws stepfunctions"])["status"] == "SUCCEEDED"
        assert json.loads(by_start["aws sqs send-message"])["MessageId"]
        assert json.loads(by_start["aws events"])["FailedEntryCount"] == 0
        assert "ticket(s)" in by_start["make tickets"]
        assert "email(s) sent" in by_start["make emails"]


def _printed_commands(output: str) -> list[str]:
    ready = output[output.index(READY_MARKER):]
    block = ready[ready.index("Try it"):].split("\n\n")[1]
    return [line.strip() for line in block.splitlines()]
