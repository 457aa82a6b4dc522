"""Optimised and aws-sdk integrations AWS ran (localstack's validated scenarios, recorded on AWS), replayed on moto.

``aws_recorded_integrations.json`` holds one case per snapshot key: the ``service`` whose resource the
recorded ``input`` names by a placeholder (a queue URL or topic ARN is replaced by a moto queue or topic;
``table-name`` and ``bucket-name`` are the moto table's and bucket's own names, ``<test-table>`` stands for
``test-table``), the ``definition``, the ``history`` event types and AWS's answer, verbatim: the execution's
``output``, or its ``error`` and ``cause``. Ids, dates and digests compare as placeholders, as the snapshot
keeps them; a cause's message is the service's (moto words its own), so its SDK frame is compared, unless
``message`` says the runtime words it. A case with ``request_id_in_body`` (SNS answers in XML that holds the
request id) has AWS's ``Content-Length`` for a UUID request id: moto's longer ids lengthen ours by the
difference. Optional set-up and checks: ``absent`` (no table), ``deleted`` (the topic deleted first),
``s3_object`` (the object's body beforehand), ``target`` (the definition of the machine an aws-sdk:sfn
case starts; its ARN's placeholder in the definition or input is replaced), ``stored_body`` (what putObject
stored) and ``delivered`` (the events a rule delivered: their detail and resources).
"""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto import mock_aws

from stepfunctions_local import ManualClock, Runtime
from tests.support.aws_recorded import normalised, with_request_id

RECORDED = json.loads((Path(__file__).parent / "aws_recorded_integrations.json").read_text())
ROLE = "arn:aws:iam::000000000000:role/aws-recordings"
_TARGET = "arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>"  # the snapshot's


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


def _resources(case: dict, sfn: Any) -> dict[str, str]:
    """The snapshot's placeholders for the recorded resource -> the moto resource standing in for it."""
    service = case["service"]
    if service == "sfn":  # the machine the recorded one starts, in the same runtime
        target = sfn.create_state_machine(name="target", definition=json.dumps(case["target"]),
                                          roleArn=ROLE)["stateMachineArn"]
        return {_TARGET: target}
    if service == "sqs":
        url = boto3.client("sqs").create_queue(QueueName="recorded")["QueueUrl"]
        return {"sqs-queue-url": url, "<sqs_queue_url>": url}
    if service == "dynamodb":
        table = case["input"]["TableName"].strip("<>")  # "table-name" is a valid name; "<test-table>" is not
        if not case.get("absent"):
            boto3.client("dynamodb").create_table(
                TableName=table, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
        return {case["input"]["TableName"]: table}
    if service == "s3":  # "bucket-name" is a valid bucket name: the bucket takes it as its own
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bucket-name")
        # AWS's buckets encrypt with SSE-S3 by default (since 2023), moto's only when configured to
        s3.put_bucket_encryption(Bucket="bucket-name", ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
        if "s3_object" in case:
            s3.put_object(Bucket="bucket-name", Key=case["input"]["Key"], Body=case["s3_object"].encode())
        return {}
    if service == "secretsmanager":
        return {}
    if service == "events":  # a rule delivering the recorded source's events to a queue, to read them back
        sqs = boto3.client("sqs")
        url = sqs.create_queue(QueueName="delivered")["QueueUrl"]
        events = boto3.client("events")
        events.put_rule(Name="recorded", EventPattern=json.dumps({"source": ["some.source"]}))
        queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events.put_targets(Rule="recorded", Targets=[{"Id": "queue", "Arn": queue_arn}])
        return {"delivered-queue-url": url}
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="recorded")["TopicArn"]
    if case.get("deleted"):
        sns.delete_topic(TopicArn=topic)
    return {"topic-arn": topic, "arn:aws:sns:<region>:111111111111:<resource:1>": topic}


def _as_recorded(output: dict, case: dict, resources: dict[str, str]) -> Any:
    """The task result with what the snapshot keeps as placeholders written as such."""
    output = _framed(dict(output))
    for name in ("TableName", "LastModified", "StartDate"):  # the snapshot's placeholders for a name, dates
        if name in output:
            output[name] = case["output"][name]
    if "ExecutionArn" in output:  # an execution of the target machine, named as asked or by a UUID
        executions = resources[_TARGET].replace(":stateMachine:", ":execution:")
        name = case["input"].get("Name", "<uuid>")
        assert normalised(output["ExecutionArn"]) == f"{executions}:{name}"
        output["ExecutionArn"] = case["output"]["ExecutionArn"]
    if "MD5OfMessageBody" in output:
        body = case["input"].get("MessageBody") or case["input"]["Message"]
        assert output["MD5OfMessageBody"] == hashlib.md5(body.encode()).hexdigest()
        output["MD5OfMessageBody"] = case["output"]["MD5OfMessageBody"]
    if "MD5OfMessageAttributes" in output:  # SQS's digest of the attributes' binary encoding, made by moto
        assert re.fullmatch("[0-9a-f]{32}", output["MD5OfMessageAttributes"])
        output["MD5OfMessageAttributes"] = case["output"]["MD5OfMessageAttributes"]
    if case.get("request_id_in_body"):
        with_request_id(output, case["output"])
    return normalised(output)


@pytest.mark.parametrize("case", [pytest.param(case, id=case["source"].rpartition("::")[2])
                                  for case in RECORDED["cases"]])
def test_integration_result_matches_aws(case: dict, aws: None) -> None:
    # GIVEN the recorded machine and a moto resource in place of the recorded one
    runtime = Runtime(clock=ManualClock())
    sfn = runtime.client()
    resources = _resources(case, sfn)
    execution_input = {key: resources.get(value, value) if isinstance(value, str) else value
                       for key, value in case["input"].items()}
    definition = json.dumps(case["definition"]).replace(_TARGET, resources.get(_TARGET, _TARGET))
    machine = sfn.create_state_machine(name="recorded", definition=definition, roleArn=ROLE)["stateMachineArn"]
    # WHEN it runs on the recorded input
    arn = sfn.start_execution(stateMachineArn=machine, input=json.dumps(execution_input))["executionArn"]
    assert runtime.wait_for(arn, timeout=10)
    # THEN the task's result (or error) has AWS's fields, headers and lengths, after the events AWS recorded
    described = sfn.describe_execution(executionArn=arn)
    if "error" in case:
        assert described["status"] == "FAILED", described
        assert described["error"] == case["error"]
        if isinstance(case["cause"], dict):  # the service's answer, as JSON
            assert normalised(json.loads(described["cause"])) == normalised(case["cause"])
        elif case.get("message"):  # a message the runtime words itself (a null member): compared whole
            assert _ids(described["cause"]) == _ids(case["cause"])
        else:
            assert _cause_frame(described["cause"]) == _cause_frame(case["cause"])
    else:
        assert described["status"] == "SUCCEEDED", described
        assert _as_recorded(json.loads(described["output"]), case, resources) == normalised(_framed(case["output"]))
    if "stored_body" in case:  # what the object holds, as the snapshot keeps it (JSON parsed where it parsed it)
        stored = boto3.client("s3").get_object(Bucket="bucket-name", Key=case["input"]["Key"])["Body"].read().decode()
        recorded = case["stored_body"]
        assert (stored if isinstance(recorded, str) else json.loads(stored)) == recorded
    if "delivered" in case:
        assert _delivered(resources["delivered-queue-url"], machine, arn) == case["delivered"]
    assert [event["type"] for event in sfn.get_execution_history(executionArn=arn)["events"]] == case["history"]


def _cause_frame(cause: str) -> str:
    """The SDK error's frame Step Functions writes around the service's message (moto words its own) and ids."""
    return _ids(cause.partition(" (Service: ")[2])


def _ids(cause: str) -> str:
    cause = re.sub(r"Extended Request ID: [^)]*", "Extended Request ID: <extended_request_id>", cause)
    return re.sub(r"Request ID: [^;,)]*", "Request ID: <request_id>", cause)


def _framed(output: Any) -> Any:
    """An output with its caught error's cause as its frame."""
    if isinstance(output, dict) and "TaskFailedError" in output:
        error = output["TaskFailedError"]
        return {**output, "TaskFailedError": {**error, "Cause": _cause_frame(error["Cause"])}}
    return output


def _delivered(queue_url: str, machine: str, execution: str) -> list[dict]:
    """The events the rule delivered, in the snapshot's terms (its placeholders for the ARNs; no ids or times)."""
    placeholders = {machine: "arn:aws:states:<region>:111111111111:stateMachine:<ArnPart_0idx>",
                    execution: "arn:aws:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>"}
    messages = boto3.client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
    events = [json.loads(message["Body"]) for message in messages]
    return sorted(({"detail-type": event["detail-type"], "source": event["source"],
                    "resources": [placeholders.get(arn, arn) for arn in event["resources"]],
                    "detail": event["detail"]} for event in events), key=lambda event: event["detail"]["Message"])
