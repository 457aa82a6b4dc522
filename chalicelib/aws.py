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

# SES throttling is retried by chalicelib.notifications with its own backoff, which a second
# layer of botocore retries would multiply.
_OWN_RETRIES = Config(connect_timeout=5, read_timeout=10, retries={"total_max_attempts": 1})
_CONFIGS = {"stepfunctions": _NO_RETRIES, "ses": _OWN_RETRIES}


@functools.cache
def client(service: str) -> Any:
    """A cached boto3 client; ``stepfunctions`` and ``ses`` without botocore's retries."""
    enable_tracing_if_configured()
    # A session of its own: boto3's shared default session is not safe to use from threads.
    return boto3.session.Session().client(service, config=_CONFIGS.get(service))

