"""The AWS clients of the app: created on first use, then reused across invocations."""
from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.observability import enable_tracing_if_configured

# Above the workflow's TimeoutSeconds (25 s) so the workflow, not the socket, decides first.
SYNC_EXECUTION_READ_TIMEOUT = 28
# botocore retries read timeouts too, which could start a second execution (a second
# ticket); workflow.py retries only the errors that prove nothing started.
_NO_RETRIES = Config(
    read_timeout=SYNC_EXECUTION_READ_TIMEOUT, connect_timeout=5, retries={"total_max_attempts": 1}
)


@functools.cache
def client(service: str) -> Any:
    """A cached boto3 client; ``stepfunctions`` gets the sync-execution timeouts and no retries."""
    enable_tracing_if_configured()
    config = _NO_RETRIES if service == "stepfunctions" else None
    # A session of its own: boto3's shared default session is not safe to use from threads.
    return boto3.session.Session().client(service, config=config)

