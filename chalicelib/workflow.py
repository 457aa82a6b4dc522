"""StartSyncExecution of the contact-form workflow and the meaning of its answer.

A call is retried only when Step Functions refused it (throttling): then no execution started,
so no ticket exists. A read timeout or a server error may hide a running execution and is
never retried.
"""
from __future__ import annotations

import json
import random
import re
import time
import uuid
from typing import Any, Callable, Literal, TypedDict, cast

from botocore.exceptions import BotoCoreError, ClientError, ReadTimeoutError

from chalicelib import aws, settings
from chalicelib.forms import WorkflowInput
from chalicelib.observability import count, logger

Sentiment = Literal["POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"]
SENTIMENTS: frozenset[str] = frozenset({"POSITIVE", "NEGATIVE", "NEUTRAL", "MIXED"})
THROTTLING_CODES = frozenset(
    {"ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"}
)
_SCORE_KEYS = ("Positive", "Negative", "Neutral", "Mixed")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_MAX_NAME_LENGTH = 80


class SentimentScore(TypedDict):
    Positive: float
    Negative: float
    Neutral: float
    Mixed: float


class WorkflowOutput(TypedDict):
    ticketId: str
    sentiment: Sentiment
    sentimentScore: SentimentScore


class WorkflowError(Exception):
    """The workflow did not produce a ticket. Carries ASL's error name, never customer data.

    ``may_still_run``: an execution may still be running, or its last write landing, after this
    answer (so a resend must not start another one yet).
    """

    may_still_run = False

    def __init__(
        self,
        message: str,
        *,
        error: str | None = None,
        execution_arn: str | None = None,
        may_still_run: bool | None = None,
    ):
        super().__init__(message)
        self.error = error
        self.execution_arn = execution_arn
        if may_still_run is not None:
            self.may_still_run = may_still_run


class WorkflowFailedError(WorkflowError):
    """The execution ended FAILED, or its answer was not the contract's shape."""


class WorkflowTimedOutError(WorkflowError):
    """The execution ended TIMED_OUT, or no answer arrived in time."""

    may_still_run = True


class WorkflowThrottledError(WorkflowError):
    """Step Functions refused to start the execution."""


class WorkflowUnavailableError(WorkflowError):
    """Step Functions could not be asked (misconfiguration, network, server error)."""


def execution_name(request_id: str | None, prefix: str = "") -> str:
    """A valid execution name derived from a request/message/event id (uuid4 when none)."""
    cleaned = _NAME_UNSAFE.sub("", request_id or "")
    return (prefix + (cleaned or uuid.uuid4().hex))[:_MAX_NAME_LENGTH]


def run(
    document: WorkflowInput,
    *,
    name: str,
    boto3_client: Any = None,
    state_machine_arn: str | None = None,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
) -> WorkflowOutput:
    """Run the workflow synchronously and return its output, or raise a ``WorkflowError``."""
    client = boto3_client or aws.client("stepfunctions")
    request: dict[str, Any] = {
        "stateMachineArn": state_machine_arn or settings.state_machine_arn(),
        "name": name,
        "input": json.dumps(document),
    }
    trace_header = settings.trace_header()
    if settings.tracing_enabled() and trace_header:
        request["traceHeader"] = trace_header
    attempt = 1
    while True:
        try:
            return _answer(client.start_sync_execution(**request))
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code not in THROTTLING_CODES:
                raise WorkflowUnavailableError("Step Functions rejected the request", error=code) from None
            if attempt >= attempts:
                raise WorkflowThrottledError("Step Functions is throttling", error=code) from None
        except ReadTimeoutError:
            raise WorkflowTimedOutError("No answer from Step Functions in time") from None
        except BotoCoreError as error:
            # A connection lost after the request went out may hide a started execution.
            raise WorkflowUnavailableError(
                "Step Functions could not be reached", error=type(error).__name__, may_still_run=True
            ) from None
        sleep(random.uniform(0, 0.1 * 2**attempt))
        attempt += 1


def _answer(response: dict[str, Any]) -> WorkflowOutput:
    arn = response.get("executionArn")
    status = response.get("status")
    if status == "TIMED_OUT":
        count("WorkflowTimedOut")
        raise WorkflowTimedOutError(
            "The workflow timed out", error=response.get("error", "States.Timeout"), execution_arn=arn
        )
    if status != "SUCCEEDED":
        count("WorkflowFailed")
        raise WorkflowFailedError(
            "The workflow failed", error=response.get("error", "States.Unknown"), execution_arn=arn
        )
    try:
        output = parse_output(json.loads(response["output"]))
    except (KeyError, TypeError, ValueError):
        count("WorkflowFailed")
        raise WorkflowFailedError(
            "The workflow answered in an unexpected shape", error="InvalidOutput", execution_arn=arn
        ) from None
    count("SubmissionsBySentiment", sentiment=output["sentiment"])
    logger.info("ticket created", extra={"ticket_id": output["ticketId"], "sentiment": output["sentiment"]})
    return output


def parse_output(document: Any) -> WorkflowOutput:
    """Exactly the contract's ``{ticketId, sentiment, sentimentScore}``; ValueError otherwise."""
    ticket_id = document["ticketId"]
    sentiment = document["sentiment"]
    scores = document["sentimentScore"]
    if not isinstance(ticket_id, str) or sentiment not in SENTIMENTS:
        raise ValueError("ticketId or sentiment has the wrong type")
    score = cast(SentimentScore, {key: float(scores[key]) for key in _SCORE_KEYS})
    return {"ticketId": ticket_id, "sentiment": sentiment, "sentimentScore": score}
