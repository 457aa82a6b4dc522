"""Everything a first submission would otherwise build lazily, built before `make run` prints Ready.

Without it the first POST after "Ready" took ~300 ms against ~15 ms warm: boto3 clients, moto's
per-service backends, the VADER lexicon and powertools were all made on first use, in two
processes. Nothing here writes: only reads and constructors, so `make tickets`, `make emails`,
the console and the metrics show no trace of it.
"""
from __future__ import annotations

import gc
import urllib.request
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from stepfunctions_local import Runtime

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
API_CLIENTS = ("stepfunctions",)


def warm_app_process(*services: str) -> None:
    """In a process that runs the app's code: its boto3 clients for ``services`` and powertools, ready."""
    from chalicelib import aws as app_aws
    from chalicelib import observability

    for service in services:
        app_aws.client(service)
    observability.logger.name  # noqa: B018 - building the logger is the point
    from aws_lambda_powertools.metrics import single_metric  # noqa: F401 - imported ahead of the first count()


def warm_stack(aws_port: int, api_url: str, runtime: Runtime, tickets_table: str) -> None:
    """In localdev's process, once every service listens: moto, the runtime and its Lambdas, VADER, chalice local."""
    # Here, not at the top: chalice local's process imports this module too, and has no use for moto.
    from localdev import aws

    for service, (operation, arguments) in _MOTO_READS.items():
        getattr(aws.client(service, aws_port), operation)(**arguments)
    warm_app_process(*_LAMBDA_CLIENTS)
    from stepfunctions_local.integrations.sentiment import vader_sentiment

    vader_sentiment("warm", "en")  # loads the ~7,500-word lexicon
    _warm_runtime_writes(runtime, tickets_table)
    # chalice local's first request builds its handler machinery; the page is free of side effects.
    with urllib.request.urlopen(f"{api_url}/", timeout=30) as response:
        response.read()
    # Everything built so far (moto's backends, clients, the app) lives as long as the stack: out
    # of the cyclic collector's full scans, one of which would otherwise land in a first request.
    gc.collect()
    gc.freeze()


def _warm_runtime_writes(runtime: Runtime, table: str) -> None:
    """The runtime's DynamoDB client and moto's PutItem/UpdateItem paths, through writes that cannot happen.

    Both are conditional on an item that does not exist, so moto refuses them: nothing is written.
    """
    dynamodb = runtime.tasks.clients.get("dynamodb")
    key = {"ticketId": {"S": "localdev-warm-up"}}
    refused = "attribute_exists(ticketId)"
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
