"""What a user of the local stack looks at, from outside: HTTP answers, tables, sent emails."""
from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import boto3
from botocore.config import Config

from localdev import report
from localdev.harness import StackProcess

T = TypeVar("T")


def marker() -> str:
    """A word no other test uses, to find this test's tickets and emails."""
    return f"ref{uuid.uuid4().hex[:12]}"


def client(stack: StackProcess, service: str) -> Any:
    endpoint = stack.sfn_url if service == "stepfunctions" else stack.aws_url
    return boto3.client(
        service, endpoint_url=endpoint, region_name="us-east-1", config=Config(inject_host_prefix=False)
    )


def tickets_mentioning(stack: StackProcess, text: str) -> list[dict[str, Any]]:
    return [item for item in report.tickets(stack.ports.aws) if text in item.get("message", "")]


def emails_mentioning(stack: StackProcess, text: str) -> list[dict[str, Any]]:
    return [message for message in report.emails(stack.ports.aws) if text in str(message)]


def eventually(probe: Callable[[], T], timeout: float = 30) -> T:
    """The first truthy answer of ``probe``; asynchronous delivery takes a moment."""
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)
