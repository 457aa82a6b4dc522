"""The app's AWS resources in moto, and what the app's stage configuration says."""
from __future__ import annotations

import contextlib
import json
import threading
from pathlib import Path
from typing import Any, Iterator
from unittest import mock

import boto3

from chalicelib import settings
from localdev.tables import create_tables

PROJECT_DIR = Path(__file__).resolve().parents[2]
ACCOUNT_ID = "000000000000"


def stage_environment(stage: str = "local") -> dict[str, str]:
    """The environment Chalice gives the app's Lambdas in ``stage`` (.chalice/config.json)."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    return {**config["environment_variables"], **config["stages"][stage]["environment_variables"]}


def create_app_resources(sender: str) -> None:
    """The app's tables and a verified sender identity, in the active moto mock."""
    create_tables(
        boto3.client("dynamodb"), tickets=settings.tickets_table(), idempotency=settings.idempotency_table(),
        counters=settings.counters_table(),
    )
    boto3.client("ses").verify_email_identity(EmailAddress=sender)


def sent_emails() -> list[Any]:
    """Every email moto's SES accepted so far."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages)


@contextlib.contextmanager
def atomic_moto_writes() -> Iterator[None]:
    """moto's DynamoDB with each write request applied atomically, as DynamoDB applies it.

    moto checks a condition and then writes in two Python steps, so threads could interleave
    them; a lock per request restores DynamoDB's guarantee, and nothing more: code that reads,
    then writes in a second request still races.
    """
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()

    def atomic(method: Any) -> Any:
        def locked(*args: Any, **kwargs: Any) -> Any:
            with lock:
                return method(*args, **kwargs)
        return locked

    with contextlib.ExitStack() as patches:
        for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
            patches.enter_context(mock.patch.object(DynamoDBBackend, name, atomic(getattr(DynamoDBBackend, name))))
        yield
