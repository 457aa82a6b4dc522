"""The callback pattern: ``.waitForTaskToken`` tasks wait for SendTaskSuccess / Failure / Heartbeat."""
from __future__ import annotations

import json
import queue
import threading
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from stepfunctions_local import serve

from .service_support import create, definition, heartbeat_until_refused, task

LAMBDA_CALLBACK = "arn:aws:states:::lambda:invoke.waitForTaskToken"
APPROVER = "arn:aws:lambda:us-east-1:000000000000:function:approver"
PARAMETERS = {"FunctionName": APPROVER, "Payload": {"token.$": "$$.Task.Token"}}


@pytest.fixture
def tokens(runtime) -> queue.Queue:
    """Tokens handed to the ``approver`` Lambda, as a person's inbox would receive them."""
    inbox: queue.Queue = queue.Queue()

    def approver(event: Any, context: Any) -> dict:
        inbox.put(event["token"])
        return {"queued": True}

    runtime.register_lambda("approver", approver)
    return inbox


def _callback_machine(sfn, **extra: Any) -> str:
    return create(sfn, "approval", task(LAMBDA_CALLBACK, PARAMETERS, **extra), "STANDARD")


def _start(sfn, machine: str) -> str:
    return sfn.start_execution(stateMachineArn=machine, input="{}")["executionArn"]


def _answer_from_another_thread(send: Any) -> None:
    thread = threading.Thread(target=send)
    thread.start()
    thread.join()


def test_send_task_success_completes_the_waiting_task(runtime, sfn, tokens):
    # GIVEN a Standard execution waiting in a Lambda callback task
    execution = _start(sfn, _callback_machine(sfn))
    token = tokens.get(timeout=5)
    # WHEN another thread answers with SendTaskSuccess
    _answer_from_another_thread(lambda: sfn.send_task_success(taskToken=token, output='{"approved": true}'))
    # THEN the task's result is that output, and history shows the submission and the success
    assert runtime.wait_for(execution, timeout=5)
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], json.loads(described["output"])) == ("SUCCEEDED", {"approved": True})
    events = sfn.get_execution_history(executionArn=execution)["events"]
    types = [event["type"] for event in events]
    assert types[2:6] == ["TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded"]
    assert events[4]["taskSubmittedEventDetails"]["resource"] == "invoke.waitForTaskToken"


def test_send_task_failure_fails_the_task_with_that_error(runtime, sfn, tokens):
    # GIVEN a callback task whose failure is caught
    machine = create(sfn, "approval", definition({
        "Call": {"Type": "Task", "Resource": LAMBDA_CALLBACK, "Parameters": PARAMETERS, "End": True,
                 "Catch": [{"ErrorEquals": ["Rejected"], "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True}}), "STANDARD")
    execution = _start(sfn, machine)
    token = tokens.get(timeout=5)
    # WHEN another thread answers with SendTaskFailure
    _answer_from_another_thread(lambda: sfn.send_task_failure(taskToken=token, error="Rejected", cause="too costly"))
    # THEN the Catch sees the sent error and cause
    assert runtime.wait_for(execution, timeout=5)
    described = sfn.describe_execution(executionArn=execution)
    assert json.loads(described["output"]) == {"Error": "Rejected", "Cause": "too costly"}


def test_a_token_can_be_answered_only_once(runtime, sfn, tokens):
    # GIVEN an answered token
    execution = _start(sfn, _callback_machine(sfn))
    token = tokens.get(timeout=5)
    sfn.send_task_success(taskToken=token, output="1")
    assert runtime.wait_for(execution, timeout=5)
    # WHEN it is answered again THEN AWS's TaskTimedOut: the task is over
    with pytest.raises(sfn.exceptions.TaskTimedOut) as error:
        sfn.send_task_heartbeat(taskToken=token)
    assert error.value.response["Error"]["Message"] == "Task Timed Out: 'Provided task does not exist anymore'"


def test_unknown_and_malformed_tokens_are_refused(sfn):
    with pytest.raises(sfn.exceptions.TaskDoesNotExist):
        sfn.send_task_success(taskToken="0" * 64, output="{}")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.send_task_failure(taskToken="not-a-token")


def test_output_must_be_json(runtime, sfn, tokens):
    _start(sfn, _callback_machine(sfn))
    token = tokens.get(timeout=5)
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken=token, output="{not json")
    assert raised.value.response["Error"]["Code"] == "InvalidOutput"
    sfn.send_task_success(taskToken=token, output="{}")


def test_missed_heartbeat_times_the_task_out(runtime, sfn, tokens):
    # GIVEN a callback task that must hear from its worker every second
    execution = _start(sfn, _callback_machine(sfn, HeartbeatSeconds=1, TimeoutSeconds=60))
    token = tokens.get(timeout=5)
    # WHEN the worker stays silent past the heartbeat
    assert runtime.wait_for(execution, timeout=5)
    # THEN the task timed out, and a late answer gets TaskTimedOut. The docs name the error
    # States.HeartbeatTimeout; AWS records States.Timeout (localstack test_heartbeats snapshot): the recording wins
    described = sfn.describe_execution(executionArn=execution)
    assert (described["status"], described["error"]) == ("FAILED", "States.Timeout")
    assert "cause" not in described
    types = [event["type"] for event in sfn.get_execution_history(executionArn=execution)["events"]]
    assert "TaskTimedOut" in types
    with pytest.raises(sfn.exceptions.TaskTimedOut):
        sfn.send_task_success(taskToken=token, output="{}")


def test_stopping_the_execution_ends_the_wait(runtime, sfn, tokens):
    # GIVEN an execution waiting for its token
    execution = _start(sfn, _callback_machine(sfn))
    token = tokens.get(timeout=5)
    # WHEN it is stopped
    sfn.stop_execution(executionArn=execution)
    # THEN it is ABORTED, and its task stops waiting: the token soon belongs to a closed task
    assert sfn.describe_execution(executionArn=execution)["status"] == "ABORTED"
    assert heartbeat_until_refused(sfn, token) == "TaskTimedOut"



def test_express_machines_refuse_the_callback_pattern(sfn):
    with pytest.raises(sfn.exceptions.InvalidDefinition):
        create(sfn, "express", definition({"Call": {"Type": "Task", "Resource": LAMBDA_CALLBACK, "End": True,
                                                    "Parameters": {"FunctionName": APPROVER}}}))


def test_send_task_success_over_http(runtime, tokens):
    # GIVEN the runtime behind its AWS JSON endpoint, and unchanged boto3
    server = serve(runtime, host="127.0.0.1", port=0)
    try:
        sfn = boto3.client("stepfunctions", endpoint_url=server.url, region_name="us-east-1",
                           config=Config(inject_host_prefix=False, retries={"max_attempts": 1}))
        execution = _start(sfn, _callback_machine(sfn))
        token = tokens.get(timeout=5)
        # WHEN boto3 sends the answer over HTTP
        sfn.send_task_success(taskToken=token, output='"done"')
        # THEN the execution finishes with it, and a second answer is AWS's TaskTimedOut
        assert runtime.wait_for(execution, timeout=5)
        assert sfn.describe_execution(executionArn=execution)["output"] == '"done"'
        with pytest.raises(sfn.exceptions.TaskTimedOut):
            sfn.send_task_failure(taskToken=token)
    finally:
        server.shutdown()
