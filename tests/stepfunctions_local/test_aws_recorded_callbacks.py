"""Callback tasks (``sqs:sendMessage`` / ``sns:publish`` ``.waitForTaskToken``) as AWS ran them (localstack's
validated snapshots).

``aws_recorded_callbacks.json`` holds one case per snapshot key: the ``definition`` and ``input`` (its
``QueueUrl`` or ``TopicArn`` is the snapshot's placeholder for the queue, or for a topic delivering to a
queue; moto's here), the worker's ``answer`` to the message
(``heartbeats`` SendTaskHeartbeat calls, then SendTaskSuccess with the message's field named by
``success`` or, for ``<body>``, the whole message, or the literal ``output``, or SendTaskFailure with
``failure``; none: the task times out; ``messages`` of them in turn), the placeholders the snapshot
writes for the task ``tokens`` sent, the ``history`` event
types, the TaskScheduled details AWS recorded (``scheduled``), where recorded the SQS answer the
TaskSubmitted event holds (``submitted``; with ``request_id_in_body``, its Content-Length checked as
test_aws_recorded_integrations checks an SNS answer's), and how the execution
ended (``expected``), verbatim. Task tokens, ids, the queue URL and topic ARN compare as the snapshot's
placeholders; the message digest is checked against the body sent, then compared as the recording's
(the body holds a task token).
"""
from __future__ import annotations

import hashlib
import json
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from stepfunctions_local import Runtime
from tests.support.aws_recorded import normalised, with_request_id

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_callbacks.json").read_text())
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"


@pytest.fixture
def queue() -> Iterator[str]:
    with mock_aws():
        yield boto3.client("sqs").create_queue(QueueName="recorded")["QueueUrl"]


def _message(url: str) -> dict:
    """The task's message, as the worker AWS's test ran reads it."""
    sqs = boto3.client("sqs")
    for _ in range(100):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if messages:
            return messages[0]
        time.sleep(0.05)
    raise AssertionError("the task sent no message")


def _answer(sfn: Any, text: str, answer: dict) -> None:
    if not answer:  # the task is left to time out
        return
    body = json.loads(text)
    token = body["TaskToken"]
    for _ in range(answer.get("heartbeats", 0)):
        sfn.send_task_heartbeat(taskToken=token)
    if answer.get("success") == "<body>":
        sfn.send_task_success(taskToken=token, output=text)
    elif "success" in answer:
        sfn.send_task_success(taskToken=token, output=json.dumps(body[answer["success"]]))
    if "output" in answer:
        sfn.send_task_success(taskToken=token, output=json.dumps(answer["output"]))
    if "failure" in answer:
        sfn.send_task_failure(taskToken=token, **answer["failure"])


def _resource(case: dict, queue: str) -> tuple[str, str]:
    """The input field naming the recorded resource, and the moto resource standing in for it."""
    if "TopicArn" not in case["input"]:
        return "QueueUrl", queue
    topic = boto3.client("sns").create_topic(Name="recorded")["TopicArn"]
    queue_arn = boto3.client("sqs").get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    boto3.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    return "TopicArn", topic


def _submitted(output: dict, sent: str, case: dict) -> dict:
    """The TaskSubmitted output with what the snapshot keeps as placeholders written as such."""
    recorded = case["submitted"]
    assert uuid.UUID(output["MessageId"])  # the snapshots name it <uuid:n> or <message_id:n>
    output["MessageId"] = recorded["MessageId"]
    if "MD5OfMessageBody" in output:
        assert output["MD5OfMessageBody"] == hashlib.md5(sent.encode()).hexdigest()
        output["MD5OfMessageBody"] = recorded["MD5OfMessageBody"]
    if case.get("request_id_in_body"):
        with_request_id(output, recorded)
    return output


def _placeholders(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {key: _placeholders(item, names) for key, item in value.items()}
    return names.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_callback_task_matches_aws(case: dict, queue: str) -> None:
    # GIVEN the recorded machine sending its task token to a queue (or a topic delivering to it)
    runtime = Runtime()  # real time: a callback's TimeoutSeconds is waited out in real time
    sfn = runtime.client()
    machine = sfn.create_state_machine(name="recorded", definition=json.dumps(case["definition"]),
                                       roleArn=ROLE)["stateMachineArn"]
    field, resource = _resource(case, queue)
    execution_input = {**case["input"], field: resource}
    # WHEN it runs and a worker answers the message as AWS's test did
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"]
    sent = []
    for _ in range(case["answer"].get("messages", 1)):
        body = _message(queue)["Body"]
        sent.append(json.loads(body)["Message"] if field == "TopicArn" else body)
        _answer(sfn, sent[-1], case["answer"])
    assert runtime.wait_for(arn, timeout=15)
    # THEN it ends as AWS's did...
    tokens = [json.loads(text).get("TaskToken") for text in sent]
    names = {resource: case["input"][field], **dict(zip(tokens, case["tokens"], strict=False))}
    described, expected = sfn.describe_execution(executionArn=arn), case["expected"]
    ended = {"status": described["status"], **{key: described[key] for key in ("error", "cause") if key in described}}
    if "output" in described:
        ended["output"] = _placeholders(json.loads(described["output"]), names)
    assert ended == expected
    # ...after the events AWS recorded, scheduled with AWS's details, the service's answer submitted as AWS's
    history = sfn.get_execution_history(executionArn=arn)["events"]
    assert [event["type"] for event in history] == case["history"]
    events: dict[str, dict] = {}
    for event in history:  # the first of each type
        events.setdefault(event["type"], event)
    scheduled = json.loads(json.dumps(events["TaskScheduled"]["taskScheduledEventDetails"]))
    scheduled["parameters"] = json.loads(scheduled["parameters"])
    assert _placeholders({**scheduled, "region": "<region>"}, names) == case["scheduled"]
    if "submitted" in case:
        submitted = json.loads(events["TaskSubmitted"]["taskSubmittedEventDetails"]["output"])
        assert normalised(_submitted(submitted, sent[0], case)) == normalised(case["submitted"])
