"""The AWS clients of the app: created on first use, then reused across invocations."""
from __future__ import annotations

import functools
import gc
from typing import Any

import boto3
import botocore
from botocore.config import Config
from botocore.loaders import Loader, create_loader
from botocore.session import Session as BotocoreSession

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


@functools.cache
def _data_loader(data_path: str | None) -> Loader:
    return create_loader(data_path)


def _share_data_loader(session: BotocoreSession) -> None:
    # Every new botocore session would parse endpoints.json and each service model again (~20-40 ms
    # a client): ours make one session per client, and outside Lambda the X-Ray SDK makes two clients
    # of its own at import. The loader only reads files and caches the parsed JSON.
    session.register_component("data_loader", _data_loader(session.get_config_variable("data_path")))


botocore.register_initializer(_share_data_loader)

# Everything imported so far (boto3, botocore, chalice) lives as long as the process: out of the
# cyclic collector's full scans, which otherwise cost ~20 ms each, e.g. one in the first traced call.
gc.freeze()
