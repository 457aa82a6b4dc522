"""The AWS clients of the app: created on first use, then reused across invocations."""
from __future__ import annotations

import functools
import gc
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader, create_loader

from chalicelib import settings
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
    return _session().client(service, config=_CONFIGS.get(service))


def _session() -> boto3.session.Session:
    """A session of its own (boto3's shared default session is not safe to use from threads).

    All of them share one data loader: each session would otherwise parse endpoints.json and its
    service model again (~20-40 ms a client). The loader only reads files and caches parsed JSON.
    """
    core = botocore.session.get_session()
    core.register_component("data_loader", _data_loader(core.get_config_variable("data_path")))
    return boto3.session.Session(botocore_session=core)


@functools.cache
def _data_loader(data_path: str | None) -> Loader:
    return create_loader(data_path)


# In a Lambda execution environment everything imported so far (boto3, botocore, chalice) lives as
# long as the process: out of the cyclic collector's full scans, which otherwise cost ~20 ms each,
# e.g. one in the first traced call. Elsewhere (tests, `make run`'s live reload importing this module
# afresh) freezing would keep their garbage for good.
if settings.in_lambda():
    gc.freeze()
