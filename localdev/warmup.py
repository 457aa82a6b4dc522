"""Everything a first submission would otherwise build lazily, built before `make run` prints Ready.

Without it the first POST after "Ready" took ~300 ms against ~15 ms warm: boto3 clients, moto's
per-service backends, the VADER lexicon and powertools were all made on first use, in two
processes. Nothing here writes: only reads, constructors and calls the services refuse, so
`make tickets`, `make emails`, the console and the metrics show no trace of it.
"""
from __future__ import annotations

import gc
import importlib
import logging
import os
import socket
import time
import urllib.request
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from botocore.exceptions import BotoCoreError, ClientError

if TYPE_CHECKING:
    from stepfunctions_local import Runtime

logger = logging.getLogger("localdev")

# The services a submission reaches in moto (the workflow's tasks, the Lambdas, the runtime's
# logs and metrics) and a read-only call that makes moto load each one's backend.
_MOTO_READS = {
    "dynamodb": ("list_tables", {}),
    "ses": ("get_send_quota", {}),
    "sqs": ("list_queues", {}),
    "events": ("list_event_buses", {}),
    "logs": ("describe_log_groups", {"limit": 1}),
    "cloudwatch": ("list_metrics", {}),
}
# The services the app's code calls in localdev's process (the Lambdas the workflow invokes);
# chalice local's process (the API) calls Step Functions only.
_LAMBDA_CLIENTS = ("dynamodb", "ses", "events")
# What those Lambdas import on their first call (app.py defers them for Lambda cold starts), ~5 ms.
_LAMBDA_MODULES = ("chalicelib.notifications",)
API_CLIENTS = ("stepfunctions",)


def warm_app_process(*services: str) -> None:
    """In a process that runs the app's code: its boto3 clients for ``services`` and powertools, ready."""
    from chalicelib import aws as app_aws
    from chalicelib import observability

    for service in services:
        app_aws.client(service)
    observability.logger.name  # noqa: B018 - building the logger is the point
    from aws_lambda_powertools.metrics import single_metric  # noqa: F401 - imported ahead of the first count()


def warm_workflow_calls(timeout: float = 60) -> None:
    """In chalice local's process: its first StartSyncExecution's client machinery and connection, ready.

    The local Step Functions starts after this process does, so this waits for it to listen; then
    one call for a state machine that does not exist, refused before anything runs or is recorded,
    builds the operation's serializer and parser and leaves a kept-alive connection (and its server
    thread) for the first submission. Without the endpoint in time, the first submission pays it.
    """
    from chalicelib import aws as app_aws
    from chalicelib import settings

    endpoint = urlsplit(os.environ.get("AWS_ENDPOINT_URL_SFN", ""))
    if endpoint.hostname is None or endpoint.port is None or not _listening(endpoint.hostname, endpoint.port, timeout):
        return
    # A warm-up that goes wrong only leaves the first submission slower: the API serves regardless.
    try:
        nowhere = settings.state_machine_arn().rsplit(":", 1)[0] + ":localdev-warm-up"
        app_aws.client("stepfunctions").start_sync_execution(stateMachineArn=nowhere, input="{}")
    except ClientError as error:
        if error.response["Error"]["Code"] != "StateMachineDoesNotExist":
            logger.warning("warming the API's Step Functions calls: %s", error.response["Error"]["Code"])
    except (settings.MissingSettingError, BotoCoreError) as error:
        logger.warning("warming the API's Step Functions calls: %s", error)


def _listening(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def warm_stack(aws_port: int, api_url: str, runtime: Runtime, tickets_table: str) -> None:
    """In localdev's process, once every service listens: moto, the runtime and its Lambdas, VADER, chalice local."""
    # Here, not at the top: chalice local's process imports this module too, and has no use for moto.
    from localdev import aws

    for service, (operation, arguments) in _MOTO_READS.items():
        getattr(aws.client(service, aws_port), operation)(**arguments)
    warm_app_process(*_LAMBDA_CLIENTS)
    for module in _LAMBDA_MODULES:
        importlib.import_module(module)
    from stepfunctions_local.integrations.sentiment import vader_sentiment

    vader_sentiment("warm", "en")  # loads the ~7,500-word lexicon
    _warm_refused_writes(runtime.tasks.clients.get("dynamodb"), tickets_table, "ticketId")
    # The Lambdas' own client: the email quota's counter (its first UpdateItem cost ~2 ms more).
    from chalicelib import aws as app_aws
    from chalicelib import settings

    _warm_refused_writes(app_aws.client("dynamodb"), settings.counters_table(), "id")
    # chalice local's first request builds its handler machinery; the page is free of side effects.
    with urllib.request.urlopen(f"{api_url}/", timeout=30) as response:
        response.read()
    # Everything built so far (moto's backends, clients, the app) lives as long as the stack: out
    # of the cyclic collector's full scans, one of which would otherwise land in a first request.
    gc.collect()
    gc.freeze()


def _warm_refused_writes(dynamodb: Any, table: str, key_attribute: str) -> None:
    """A DynamoDB client's and moto's PutItem/UpdateItem paths, through writes that cannot happen.

    Both are conditional on an item that does not exist, so moto refuses them: nothing is written.
    """
    key = {key_attribute: {"S": "localdev-warm-up"}}
    refused = f"attribute_exists({key_attribute})"
    for write in (
        lambda: dynamodb.put_item(TableName=table, Item=key, ConditionExpression=refused),
        lambda: dynamodb.update_item(TableName=table, Key=key, UpdateExpression="SET warm = :w",
                                     ExpressionAttributeValues={":w": {"S": "x"}}, ConditionExpression=refused),
    ):
        try:
            write()
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
